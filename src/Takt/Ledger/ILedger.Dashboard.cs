namespace Takt.Ledger;

/// <summary>Read queries of the dashboard (<c>serve</c>). Default bodies keep other ledgers compiling; SQLite answers them with one query each.</summary>
public partial interface ILedger
{
    /// <summary>One run by id, or null.</summary>
    RunRecord? FindRun(string runId) => Runs(int.MaxValue).FirstOrDefault(r => r.Id == runId);

    /// <summary>The newest events of the given kinds (optionally of one dataset), newest first.</summary>
    IReadOnlyList<EventRecord> EventsOfKinds(IReadOnlyCollection<string> kinds, string? dataset, int limit) =>
        Events(dataset, int.MaxValue).Where(e => kinds.Contains(e.Kind)).Take(limit).ToArray();
}
