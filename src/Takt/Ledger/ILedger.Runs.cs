namespace Takt.Ledger;

/// <summary>Telling runs that live from runs whose process was killed.</summary>
public partial interface ILedger
{
    /// <summary>Records that the run's process is alive now; the lease renewal calls it every few seconds.</summary>
    void RecordRunSeen(string runId);
}
