namespace Takt.Ledger;

/// <summary>Read queries of the dashboard (<c>serve</c>).</summary>
public partial interface ILedger
{
    /// <summary>One run by id, or null.</summary>
    RunRecord? FindRun(string runId);

    /// <summary>The newest events of the given kinds (optionally of one dataset), newest first.</summary>
    IReadOnlyList<EventRecord> EventsOfKinds(IReadOnlyCollection<string> kinds, string? dataset, int limit);
}
