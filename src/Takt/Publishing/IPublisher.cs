using Takt.Definitions;

namespace Takt.Publishing;

/// <summary>
/// Writes physical copies of a dataset into one publish target and switches readers between them.
/// Copy names are simple identifiers (<c>c1</c>, <c>c2</c>, ...) chosen by the caller.
/// </summary>
public interface IPublisher : IDisposable
{
    /// <summary>Writes a new copy from Parquet files; readers do not see it until <see cref="SwitchTo"/>. Returns the rows written.</summary>
    long WriteCopy(string copy, IReadOnlyList<string> parquetFiles, Schema schema);

    /// <summary>Makes readers see <paramref name="copy"/>, in one atomic step.</summary>
    void SwitchTo(string copy);

    /// <summary>Removes a copy that readers no longer see.</summary>
    void DropCopy(string copy);

    /// <summary>The copies present in the target.</summary>
    IReadOnlyList<string> Copies();
}

/// <summary>The target cannot be reached or refuses us (server down, login refused, file not writable).</summary>
public sealed class PublishTargetException(string message, Exception? inner = null) : Exception(message, inner);
