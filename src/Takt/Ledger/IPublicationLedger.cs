namespace Takt.Ledger;

/// <summary>
/// A rollback's hold on a target: readers stay on <see cref="Copy"/>, and builds do not publish <see cref="Versions"/>
/// (the environment's current versions when readers were rolled back) again. New versions, or a publish by hand, end it.
/// </summary>
public sealed record PublishHold(string Dataset, string Target, string Copy, string Env, IReadOnlyList<string> Versions, long AtMs);

/// <summary>
/// Publish copies: the physical copies of a dataset in each online target, which one readers see (live), and a
/// rollback's hold. Only the bookkeeping: the publisher writes the copies.
/// </summary>
public interface IPublicationLedger
{
    /// <summary>Every copy of the dataset in any of its targets, kept or dropped, oldest first per target.</summary>
    IReadOnlyList<PublicationRecord> Publications(string dataset);

    /// <summary>Records a copy written into its target, before readers are switched to it: it is not live yet.</summary>
    void RecordCopy(PublicationRecord copy);

    /// <summary>Records that readers of the target see <paramref name="copy"/> now (a publish event); ends any hold.</summary>
    void SetLive(string dataset, string target, string copy, string env, string message);

    /// <summary>Records that readers were switched back to <see cref="PublishHold.Copy"/>, and holds the target there.</summary>
    void RollBack(PublishHold hold, string from);

    /// <summary>The target's hold, or null when none holds it.</summary>
    PublishHold? PublishHold(string dataset, string target);

    /// <summary>Records that the copy was dropped from its target: gc no longer keeps its versions for it.</summary>
    void MarkDropped(string dataset, string target, string copy);
}
