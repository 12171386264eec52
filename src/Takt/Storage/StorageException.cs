namespace Takt.Storage;

/// <summary>
/// A store (ledger, lake or landing zone) that cannot be opened or used: one line naming the store, where it is and the
/// cause, whatever the backend's own exception was (kept as the inner exception). The composition root turns the
/// errors a backend declares as storage errors into this type at the store's interface, so the CLI, the server, the
/// scheduler and the runner all see the same type. A command stops with exit code 3; the API answers 503.
/// </summary>
public sealed class StorageException(string store, string message, Exception? inner = null) : Exception(message, inner)
{
    public const string Ledger = "ledger";

    /// <summary>Which store failed: <c>ledger</c>, <c>lake</c>, <c>landing zone</c> or <c>home</c>.</summary>
    public string Store { get; } = store;
}
