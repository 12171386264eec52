namespace Takt.Composition;

/// <summary>
/// A store (ledger, lake or landing zone) that cannot be opened or used: one line naming the store, where it is and the
/// cause, whatever the backend's own exception was. The command stops with exit code 3.
/// </summary>
public sealed class StorageException(string message, Exception? inner = null) : Exception(message, inner);
