using System.Collections.Concurrent;
using System.Diagnostics;
using Takt.Ledger;

namespace Takt.Running;

/// <summary>One unit of work for the runner: a box to build, what it waits for, and how to do it.</summary>
internal sealed record WorkItem(string Dataset, long Box, string BoxKey, string Reason, Func<long?, int, List<string>, TaskOutcome> Execute)
{
    public List<int> DependsOn { get; } = [];
    /// <summary>Where the run announces versions placed but not committed: the items reading them start then (<see cref="PlacedVersions"/>).</summary>
    public PlacedVersions? Placed { get; init; }
}

public sealed record TaskReport(string Dataset, string BoxKey, string Reason, TaskOutcome Outcome, int Attempts, long DurationMs);

/// <summary>Tells several observers about the same run.</summary>
internal sealed class Observers(params IRunObserver?[] observers) : IRunObserver
{
    private readonly IRunObserver[] _all = observers.OfType<IRunObserver>().ToArray();
    public void Planned(int count) { foreach (var o in _all) o.Planned(count); }
    public void Started(string dataset, string boxKey) { foreach (var o in _all) o.Started(dataset, boxKey); }
    public void Finished(TaskReport report) { foreach (var o in _all) o.Finished(report); }
    public void Phase(string name) { foreach (var o in _all) o.Phase(name); }
}

/// <summary>Reports progress of a run to whoever shows it.</summary>
public interface IRunObserver
{
    /// <summary>A batch of <paramref name="count"/> tasks is about to run.</summary>
    void Planned(int count);
    void Started(string dataset, string boxKey);
    void Finished(TaskReport report);
    /// <summary>The run enters one of its phases (<see cref="RunPhase"/>); the tasks planned next belong to it.</summary>
    void Phase(string name) { }
}

public sealed record RunOptions
{
    /// <summary>Tasks that compute (hold a DuckDB session) at once. More tasks than that are in flight, waiting on the disk or the ledger.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;
    /// <summary>Attempts per task for processing errors; failed checks are never retried.</summary>
    public int Attempts { get; init; } = 3;
    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(250);
}

/// <summary>
/// The compute slots of a run: a task holds one while it works in DuckDB and gives it back before it makes its files
/// durable and commits, so that the disk and the ledger wait of one task overlaps the computing of another.
/// </summary>
internal sealed class ComputeSlots(int count)
{
    private readonly SemaphoreSlim _free = new(Math.Max(1, count));

    public Slot Take()
    {
        _free.Wait();
        return new Slot(_free);
    }

    public readonly struct Slot(SemaphoreSlim free) : IDisposable
    {
        public void Dispose() => free.Release();
    }
}

/// <summary>
/// Runs work items in dependency order with bounded parallelism. A transient error (<see cref="RetryPolicy"/>) is
/// retried with exponential backoff, any other fails the task at once, and the task log says which it was; what
/// depends on a failed, stopped or skipped box does not run and says why.
/// </summary>
internal sealed class Runner(Workspace ws, string runId, RunOptions options, IRunObserver? observer)
{
    public IReadOnlyList<TaskReport> Run(IReadOnlyList<WorkItem> items)
    {
        var reports = new TaskReport?[items.Count];
        var pending = items.Select(i => i.DependsOn.Count).ToArray();
        var dependents = new List<int>[items.Count];
        for (var i = 0; i < items.Count; i++) dependents[i] = [];
        for (var i = 0; i < items.Count; i++) foreach (var d in items[i].DependsOn) dependents[d].Add(i);

        observer?.Planned(items.Count);
        using var ready = new BlockingCollection<int>();
        var remaining = items.Count;
        if (remaining == 0) return [];
        for (var i = 0; i < items.Count; i++) if (pending[i] == 0) ready.Add(i);

        var released = new int[items.Count];
        void Release(int index)
        {
            if (Interlocked.Exchange(ref released[index], 1) != 0) return;
            foreach (var dependent in dependents[index])
                if (Interlocked.Decrement(ref pending[dependent]) == 0) ready.Add(dependent);
        }

        var ended = new object(); // pulsed when a task ends: a task whose placed input did not commit waits on it
        void Complete(int index, TaskReport report)
        {
            lock (ended)
            {
                reports[index] = report;
                Monitor.PulseAll(ended);
            }
            observer?.Finished(report);
            Release(index);
            if (Interlocked.Decrement(ref remaining) == 0) ready.CompleteAdding();
        }

        // The first input task that did not end built or reused, or null, once every input task ended.
        TaskReport? InputsEnded(int index)
        {
            lock (ended)
            {
                while (items[index].DependsOn.Any(d => reports[d] is null)) Monitor.Wait(ended);
                return items[index].DependsOn.Select(d => reports[d]!).FirstOrDefault(r => r.Outcome.Status is not (BuildStatus.Built or BuildStatus.Reused));
            }
        }

        var threads = new WorkerThreads(Workers(options.Parallelism), self =>
        {
            foreach (var index in ready.GetConsumingEnumerable())
            {
                var item = items[index];
                // An item released by a placed version may start before that version's task has a report.
                var held = items[index].DependsOn.Select(d => Volatile.Read(ref reports[d])).FirstOrDefault(r => r is not null && r.Outcome.Status is not (BuildStatus.Built or BuildStatus.Reused));
                Complete(index, held is not null ? HeldBy(item, held)
                    : ws.Ledger.Faults.First is { } fault ? NotStarted(item, fault)
                    : Execute(item, () => InputsEnded(index)));
                if (!self.Continue()) return;
            }
        });

        // A version placed and queued for commit releases what reads it before its task completes; its thread then waits for the commit.
        var byBox = new Dictionary<(string, long), int>();
        for (var i = 0; i < items.Count; i++) byBox[(items[i].Dataset, items[i].Box)] = i;
        foreach (var placed in items.Select(i => i.Placed).OfType<PlacedVersions>().Distinct())
            placed.Placed += (dataset, box) =>
            {
                if (!byBox.TryGetValue((dataset, box), out var index)) return;
                Release(index);
                threads.Waiting();
            };

        threads.Start();
        threads.WaitAll();
        return reports!;
    }

    /// <summary>
    /// Threads that carry tasks: twice the compute slots, so that a task waiting for fsync, rename or the ledger does
    /// not leave a core idle; one slot means one task at a time, in order.
    /// </summary>
    private static int Workers(int parallelism) => parallelism <= 1 ? 1 : 2 * parallelism;

    /// <summary>Held back by an upstream task; the message names the box that stopped or failed, however far upstream.</summary>
    private static TaskReport HeldBy(WorkItem item, TaskReport upstream)
    {
        var stopped = upstream.Outcome.Status is BuildStatus.Quarantined or BuildStatus.Blocked;
        var message = upstream.Outcome.Status switch
        {
            BuildStatus.Quarantined => $"blocked: {upstream.Dataset}@{upstream.BoxKey} stopped by a check",
            BuildStatus.Blocked or BuildStatus.Skipped => upstream.Outcome.Message,
            _ => $"skipped: {upstream.Dataset}@{upstream.BoxKey} {upstream.Outcome.Status.ToText()}",
        };
        return new TaskReport(item.Dataset, item.BoxKey, item.Reason, TaskOutcome.Held(stopped ? BuildStatus.Blocked : BuildStatus.Skipped, message), 0, 0);
    }

    /// <summary>The ledger cannot record work: nothing more starts, and the build ends with the fault.</summary>
    private static TaskReport NotStarted(WorkItem item, Exception fault) =>
        new(item.Dataset, item.BoxKey, item.Reason, TaskOutcome.Held(BuildStatus.Skipped, $"not started: {fault.Message}"), 0, 0);

    /// <param name="inputsEnded">Waits until the item's input tasks ended; the first that was not built or reused, or null.</param>
    private TaskReport Execute(WorkItem item, Func<TaskReport?> inputsEnded)
    {
        using var activity = Telemetry.TaktTelemetry.Tracing.StartActivity("takt.task");
        activity?.SetTag("takt.dataset", item.Dataset);
        activity?.SetTag("takt.box", item.BoxKey);
        activity?.SetTag("takt.reason", item.Reason);
        observer?.Started(item.Dataset, item.BoxKey);
        long taskId;
        try { taskId = ws.Ledger.StartTask(runId, item.Dataset, item.Box, item.BoxKey, item.Reason); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A worker thread must not throw (that kills the process): the ledger cannot record work, so the build stops with that.
            return NotStarted(item, ws.Ledger.Faults.Report(e));
        }
        var log = new List<string>();
        var clock = Stopwatch.StartNew();
        var attempt = 0;
        var outcome = Attempts(item, taskId, log, ref attempt);
        if (outcome.InputNotCommitted)
        {
            // An input placed by this run did not commit when this task committed; its own task may have retried since.
            log.Add($"{outcome.Message}; computing it again once its input tasks ended");
            outcome = inputsEnded() is { } upstream ? HeldBy(item, upstream).Outcome : Attempts(item, taskId, log, ref attempt);
        }
        if (outcome.Message.Length > 0) log.Add(outcome.Message);
        ws.Ledger.FinishTask(taskId, outcome.Status, outcome.VersionId, attempt, clock.ElapsedMilliseconds, outcome.RowsIn, outcome.RowsOut,
            outcome.Status is BuildStatus.Failed or BuildStatus.Quarantined ? outcome.Message : null, log);
        activity?.SetTag("takt.status", outcome.Status.ToText());
        Telemetry.TaktTelemetry.TaskFinished(item.Dataset, outcome.Status.ToText(), clock.ElapsedMilliseconds, outcome.RowsOut);
        return new TaskReport(item.Dataset, item.BoxKey, item.Reason, outcome, attempt, clock.ElapsedMilliseconds);
    }

    /// <summary>Runs the item, retrying transient errors (<see cref="RetryPolicy"/>) up to the run's attempts; <paramref name="attempt"/> counts on.</summary>
    private TaskOutcome Attempts(WorkItem item, long taskId, List<string> log, ref int attempt)
    {
        TaskOutcome outcome;
        var first = attempt;
        while (true)
        {
            attempt++;
            try
            {
                outcome = item.Execute(taskId, attempt, log);
                break;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                log.Add($"attempt {attempt} failed: {e.Message}");
                var kind = RetryPolicy.Judge(e);
                // A lasting storage error of the ledger means it cannot record work.
                if (!kind.Transient && e is Storage.StorageException { Store: Storage.StorageException.Ledger } or Ledger.LedgerFaultException) ws.Ledger.Faults.Report(e);
                var last = attempt - first >= options.Attempts || ws.Ledger.Faults.First is not null;
                log.Add(!kind.Transient ? $"not retried: {kind.Cause}"
                    : last ? $"not retried: transient ({kind.Cause}), but {(attempt - first >= options.Attempts ? $"{attempt - first} attempts are all there are" : "the ledger cannot record more")}"
                    : $"retrying (transient: {kind.Cause})");
                if (!kind.Transient || last)
                {
                    outcome = TaskOutcome.Held(BuildStatus.Failed, $"{item.Dataset}@{item.BoxKey} failed after {attempt} attempt(s): {e.Message}");
                    break;
                }
                FaultInjection.Hit("task-retry");
                Thread.Sleep(options.Backoff * Math.Pow(2, attempt - first - 1));
            }
        }
        return outcome;
    }
}
