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

    /// <summary>
    /// What readers see now: the name of one of this target's copies; null when they see nothing yet; or a description
    /// (e.g. "a view of its own") when they see something that is no copy of this target.
    /// </summary>
    string? LiveCopy();

    /// <summary>What readers query, for messages, e.g. <c>the view fraud_scores in /srv/shop.db</c>.</summary>
    string Readers { get; }

    /// <summary>What a person does so that this target can be taken over, e.g. <c>drop the view fraud_scores there</c>.</summary>
    string HandOver { get; }
}

/// <summary>The target cannot be reached or refuses us (server down, login refused, file not writable).</summary>
public sealed class PublishTargetException(string message, Exception? inner = null) : Exception(message, inner);
