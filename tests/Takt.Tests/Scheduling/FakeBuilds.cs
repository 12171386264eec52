using Takt.Ledger;
using Takt.Server.Scheduling;

namespace Takt.Tests.Scheduling;

/// <summary>Records the builds the scheduler asks for; each can be held until the test releases it.</summary>
internal sealed class FakeBuilds : IScheduledBuilds
{
    private readonly List<ScheduledBuildRequest> _requests = [];
    private ManualResetEventSlim? _gate;

    public IReadOnlyList<ScheduledBuildRequest> Requests
    {
        get { lock (_requests) return _requests.ToArray(); }
    }

    /// <summary>Waits until the scheduler's background runs have called <see cref="Build"/> <paramref name="count"/> times.</summary>
    public void WaitForRequests(int count)
    {
        if (!SpinWait.SpinUntil(() => Requests.Count >= count, TimeSpan.FromSeconds(10)))
            throw new TimeoutException($"expected {count} build request(s), got {Requests.Count}");
    }

    /// <summary>From now on, builds block until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new ManualResetEventSlim(false);

    public void Release() => _gate?.Set();

    public ScheduledBuildOutcome Build(ScheduledBuildRequest request)
    {
        lock (_requests) _requests.Add(request);
        if (_gate is { } gate && !gate.Wait(TimeSpan.FromSeconds(30))) throw new TimeoutException("the test never released the build");
        return new ScheduledBuildOutcome($"run-{Requests.Count}", RunStatus.Ok, "fake build");
    }
}
