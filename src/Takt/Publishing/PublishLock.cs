using Takt.Ledger;
using Takt.Running;

namespace Takt.Publishing;

/// <summary>
/// One publisher per dataset and target at a time, across processes: a lease in the ledger held by a run, whose process
/// the ledger knows and whose <see cref="LeaseKeeper"/> renews it. A holder whose process is gone from this host is taken
/// over at once, as build leases are; one on another host loses the lease when it stops renewing it. A live holder is
/// waited for at most <see cref="Wait"/>, then named.
/// </summary>
internal sealed class PublishLock : IDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromMinutes(2);
    private readonly ILeaseLedger _leases;
    private readonly IRunLog _runs;
    private readonly string _key;
    private readonly string _owner;

    public PublishLock(ILeaseLedger leases, IRunLog runs, string dataset, string target, string runId, TimeSpan? wait = null)
    {
        (_leases, _runs, _key, _owner) = (leases, runs, $"publish:{dataset}:{target}", runId);
        var deadline = DateTime.UtcNow + (wait ?? Wait);
        while (!leases.TryAcquireLease(_key, _owner, LeaseKeeper.Ttl))
        {
            var holder = leases.LeaseHolder(_key);
            if (holder is not null && LeaseKeeper.IsGone(runs, holder) && leases.TakeOverLease(_key, holder, _owner, LeaseKeeper.Ttl)) return;
            if (DateTime.UtcNow > deadline)
                throw new PublishTargetException($"{dataset} is being published to {target} by another run, which held it all of {(wait ?? Wait).TotalSeconds:0} s: "
                    + $"held by {Describe(holder)}; try again when it ends.");
            Thread.Sleep(200);
        }
    }

    private string Describe(string? run)
    {
        if (run is null) return "a run that just let it go";
        var process = _runs.ProcessOf(run);
        var record = _runs.FindRun(run);
        var since = record is null ? "" : $", since {DateTimeOffset.FromUnixTimeMilliseconds(record.StartedAtMs):u}";
        return process is null ? $"run {run}{since}" : $"run {run} ({record?.Command ?? "run"} on host {process.Host}, pid {process.Pid}{since})";
    }

    public void Dispose() => _leases.ReleaseLease(_key, _owner);
}

/// <summary>
/// The run of a publish or rollback by hand: the ledger records its process, so that a killed one's leases are taken
/// over at once, and its lease keeper renews them while it works.
/// </summary>
internal sealed class PublishRun : IDisposable
{
    private readonly Workspace _ws;
    private readonly LeaseKeeper _leases;
    private (RunStatus Status, string Summary) _end = (RunStatus.Failed, "{}");

    private PublishRun(Workspace ws, string id)
    {
        (_ws, Id) = (ws, id);
        _leases = LeaseKeeper.Of(ws.Ledger, id);
    }

    public string Id { get; }

    public static PublishRun Start(Workspace ws, string command)
    {
        var id = RunIds.New(ws.Clock);
        ws.Ledger.StartRun(id, ws.Env, command);
        return new PublishRun(ws, id);
    }

    public void Finished(bool ok, object summary) => _end = (ok ? RunStatus.Ok : RunStatus.Failed, System.Text.Json.JsonSerializer.Serialize(summary));

    public void Dispose()
    {
        _leases.Dispose();
        _ws.Ledger.FinishRun(Id, _end.Status, _end.Summary);
    }
}
