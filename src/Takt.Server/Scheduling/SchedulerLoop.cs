using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Takt.Ledger;

namespace Takt.Server.Scheduling;

/// <summary>Ticks the scheduler every <see cref="Schedules.TickInterval"/> while <c>serve</c> runs; on shutdown, waits briefly for running builds.</summary>
internal sealed class SchedulerLoop(Scheduler scheduler, TimeSpan interval, TimeProvider clock, ILogger<SchedulerLoop> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var tick = scheduler.Tick();
                foreach (var d in tick.Decisions) log.LogInformation("{Schedule}: {Action} ({Trigger})", d.Schedule, d.Action, d.Trigger);
                foreach (var m in tick.SlaMisses) log.LogWarning("SLA missed: {Dataset}@{Box} not ready by {Deadline:u}", m.Dataset, m.BoxKey, m.Deadline);
                foreach (var n in tick.NotRecorded)
                    log.LogError("the ledger could not record the scheduler's {Kind} event ({Error}): {Message}", n.Kind.ToText(), n.Error, n.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "scheduler tick failed");
            }
            try { await Task.Delay(interval, clock, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // A build cannot be interrupted cleanly; one killed with the process leaves nothing partial behind and the next build finishes it.
        await Task.WhenAny(scheduler.WhenIdle(), Task.Delay(TimeSpan.FromSeconds(5), cancellationToken));
    }
}
