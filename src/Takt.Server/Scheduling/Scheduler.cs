using System.Globalization;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Ingest;
using Takt.Landing;
using Takt.Ledger;

namespace Takt.Server.Scheduling;

/// <summary>
/// What one tick decided for one schedule: <c>started</c> a build, or <c>skipped</c> it because a build of the same
/// target still runs (the trigger then stays pending and starts when that build ends).
/// </summary>
public sealed record ScheduleDecision(string Schedule, string Kind, string Action, string Trigger, IReadOnlyList<string> Targets);

/// <summary>A box that had no usable version when its deadline passed.</summary>
public sealed record SlaMiss(string Dataset, string BoxKey, DateTimeOffset Deadline);

public sealed record TickResult(DateTimeOffset At, IReadOnlyList<ScheduleDecision> Decisions, IReadOnlyList<SlaMiss> SlaMisses)
{
    /// <summary>Events the scheduler could not record in the ledger since the tick before (the loop logs them as errors).</summary>
    public IReadOnlyList<NotRecorded> NotRecorded { get; init; } = [];
}

/// <summary>An event the scheduler could not write to the ledger: what it would have said, and why it could not.</summary>
public sealed record NotRecorded(DateTimeOffset At, EventKind Kind, string Message, string Error);

/// <summary>One schedule as the dashboard shows it.</summary>
public sealed record ScheduleState(
    string Name, string Kind, string Definition, IReadOnlyList<string> Targets, DateTimeOffset? NextDue, bool Running, DateTimeOffset? RunningSince,
    DateTimeOffset? LastStarted, RunStatus? LastStatus, string? LastRunId, string? LastSummary, int Runs, int Skipped, string? Pending);

/// <summary>
/// The scheduler inside <c>serve</c>. Nothing happens between ticks: <see cref="Tick"/> looks at the clock, starts the
/// builds that are due (cron schedules whose next occurrence has passed; sensors whose source has new or changed
/// landing files, or whose targets are behind what has landed, whoever ingested it), records SLA misses, and returns.
/// Builds run in the background, at most one at a time per target: a schedule whose targets overlap a build still
/// running is skipped, the skip is recorded as an event, and the trigger stays pending until that build ends.
/// Time comes only from the injected <see cref="TimeProvider"/>, so tests drive it tick by tick.
/// </summary>
public sealed class Scheduler
{
    private readonly Factory _factory;
    private readonly Schedules _schedules;
    private readonly ILedger _ledger;
    private readonly string _env;
    private readonly ILandingZone _landing;
    private readonly IScheduledBuilds _builds;
    private readonly TimeProvider _clock;
    private readonly IReadOnlyList<SlaDeclaration> _slas;
    private readonly Lock _lock = new();
    private readonly Lock _tickGate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly List<Task> _running = [];
    private HashSet<(string Dataset, string BoxKey)>? _slaRecorded;
    private readonly System.Collections.Concurrent.ConcurrentQueue<NotRecorded> _notRecordedSinceTick = new();
    private NotRecorded? _lastNotRecorded;
    private int _notRecordedCount;

    public Scheduler(Factory factory, Schedules schedules, ILedger ledger, string env, ILandingZone landing, IScheduledBuilds builds, TimeProvider clock)
    {
        var problems = schedules.Problems(factory);
        if (problems.Count > 0) throw new ArgumentException("the schedules do not fit the factory:\n  " + string.Join("\n  ", problems), nameof(schedules));
        (_factory, _schedules, _ledger, _env, _landing, _builds, _clock) = (factory, schedules, ledger, env, landing, builds, clock);
        _slas = schedules.EffectiveSlas(factory);
        var now = clock.GetUtcNow();
        foreach (var cron in schedules.Crons)
            _entries[cron.Name] = new Entry(cron.Name, "cron", $"cron {cron.Expression} (UTC)", factory.ResolveTargets(cron.Targets))
            {
                NextDue = Next(cron, now),
            };
        foreach (var sensor in schedules.Sensors)
            _entries[sensor.Name] = new Entry(sensor.Name, "sensor", $"landing files of {sensor.Source}", SensorTargets(sensor));
    }

    public IReadOnlyList<SlaDeclaration> Slas => _slas;

    /// <summary>How many events the scheduler could not record in the ledger since it started, and the last of them.</summary>
    public (int Count, NotRecorded? Last) NotRecordedEvents => (Volatile.Read(ref _notRecordedCount), Volatile.Read(ref _lastNotRecorded));

    /// <summary>Evaluates every schedule and SLA once at the clock's current time.</summary>
    public TickResult Tick()
    {
        lock (_tickGate) return TickOnce();
    }

    private TickResult TickOnce()
    {
        var now = _clock.GetUtcNow();
        var decisions = new List<ScheduleDecision>();
        foreach (var cron in _schedules.Crons)
        {
            var entry = _entries[cron.Name];
            DateTimeOffset due;
            lock (_lock)
            {
                if (entry.NextDue is not { } next || next > now) continue;
                due = next;
                entry.NextDue = Next(cron, now); // occurrences missed while down are coalesced into this one run
            }
            if (Launch(entry, $"cron {cron.Expression} due at {Iso(due)}", null, now) is { } decision) decisions.Add(decision);
        }
        foreach (var sensor in _schedules.Sensors)
        {
            var entry = _entries[sensor.Name];
            lock (_lock)
                if (entry.RunningSince is not null) continue; // its own build is at it; looked at again when it ends
            var (trigger, fingerprint) = SensorState(sensor, entry);
            entry.Seen = fingerprint;
            if (trigger is null)
            {
                entry.Fingerprint = null;
                continue;
            }
            if (fingerprint == entry.Fingerprint) continue; // a build already started for exactly this state (e.g. its files failed to ingest)
            if (Launch(entry, trigger, fingerprint, now) is { } decision) decisions.Add(decision);
        }
        foreach (var entry in _entries.Values)
        {
            Pending? pending;
            lock (_lock) pending = entry.Pending;
            if (pending is not null && Launch(entry, $"{pending.Trigger} (skipped at {Iso(pending.At)} while '{pending.BusyWith}' built {pending.Overlap})", entry.Seen, now) is { } decision)
                decisions.Add(decision);
        }
        var misses = CheckSlas(now);
        var notRecorded = new List<NotRecorded>();
        while (_notRecordedSinceTick.TryDequeue(out var failure)) notRecorded.Add(failure);
        return new TickResult(now, decisions, misses) { NotRecorded = notRecorded };
    }

    /// <summary>Completes when every build started so far has finished.</summary>
    public Task WhenIdle()
    {
        lock (_lock) return Task.WhenAll(_running.ToArray());
    }

    public IReadOnlyList<ScheduleState> Status()
    {
        lock (_lock)
            return _entries.Values.Select(e => new ScheduleState(e.Name, e.Kind, e.Definition, e.Targets, e.NextDue, e.RunningSince is not null,
                e.RunningSince, e.LastStarted, e.LastStatus, e.LastRunId, e.LastSummary, e.Runs, e.Skipped, e.Pending?.Trigger)).ToArray();
    }

    /// <summary>
    /// Starts the entry's build, or, while a build of overlapping targets runs, keeps the trigger pending: the skip is
    /// recorded and reported once (null on later ticks), and the pending trigger starts on the first tick after.
    /// </summary>
    private ScheduleDecision? Launch(Entry entry, string trigger, string? fingerprint, DateTimeOffset now)
    {
        lock (_lock)
        {
            var busy = _entries.Values.FirstOrDefault(other => other.RunningSince is not null && other.Targets.Intersect(entry.Targets).Any());
            if (busy is not null)
            {
                if (entry.Pending is not null) return null;
                var overlap = string.Join(", ", busy.Targets.Intersect(entry.Targets).Take(3));
                entry.Pending = new Pending(trigger, now, busy.Name, overlap);
                entry.Skipped++;
                Record(EventKind.ScheduleSkipped, null, null,
                    $"{entry.Name}: skipped at {Iso(now)} ({trigger}): '{busy.Name}' is still building {overlap} (running since {Iso(busy.RunningSince!.Value)}); it runs when that build ends");
                return new ScheduleDecision(entry.Name, entry.Kind, "skipped", trigger, entry.Targets);
            }
            entry.Pending = null;
            entry.Fingerprint = fingerprint;
            entry.RunningSince = now;
            entry.LastStarted = now;
            entry.Runs++;
            var request = new ScheduledBuildRequest(entry.Name, trigger, entry.Targets);
            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(Task.Run(() => Run(entry, request)));
            return new ScheduleDecision(entry.Name, entry.Kind, "started", trigger, entry.Targets);
        }
    }

    private void Run(Entry entry, ScheduledBuildRequest request)
    {
        ScheduledBuildOutcome outcome;
        try
        {
            outcome = _builds.Build(request);
        }
        catch (Exception e)
        {
            outcome = new ScheduledBuildOutcome(null, RunStatus.Failed, $"{e.GetType().Name}: {e.Message}");
        }
        lock (_lock)
        {
            entry.RunningSince = null;
            entry.LastStatus = outcome.Status;
            entry.LastRunId = outcome.RunId;
            entry.LastSummary = outcome.Summary;
        }
        Record(EventKind.ScheduleRun, null, null,
            $"{entry.Name} ({request.Trigger}): built {string.Join(", ", request.Targets.Take(5))}{(request.Targets.Count > 5 ? ", ..." : "")}: " +
            $"{outcome.Status.ToText()}{(outcome.RunId is null ? "" : $", run {outcome.RunId}")}: {outcome.Summary}");
    }

    /// <summary>Boxes whose deadline (box end + ready-within) passed within the lookback without a usable version made before it.</summary>
    private List<SlaMiss> CheckSlas(DateTimeOffset now)
    {
        var misses = new List<SlaMiss>();
        if (_slas.Count == 0) return misses;
        var windowStart = now - _schedules.SlaLookback;
        _slaRecorded ??= _ledger.EventsSince((windowStart - TimeSpan.FromDays(1)).ToUnixTimeMilliseconds(), EventKind.SlaMiss)
            .Where(e => e.Dataset is not null && e.BoxKey is not null).Select(e => (e.Dataset!, e.BoxKey!)).ToHashSet();
        foreach (var sla in _slas)
        {
            var dataset = _factory[sla.Dataset];
            if (dataset.Grain == Grain.Unpartitioned) continue;
            var first = GrainMath.BoxOf(dataset.Grain, (windowStart - sla.ReadyWithin).UtcDateTime) - 1;
            var last = GrainMath.BoxOf(dataset.Grain, (now - sla.ReadyWithin).UtcDateTime);
            var due = new List<(long Box, DateTimeOffset Deadline)>();
            for (var box = first; box <= last; box++)
            {
                var deadline = new DateTimeOffset(GrainMath.Start(dataset.Grain, box + 1), TimeSpan.Zero) + sla.ReadyWithin;
                if (deadline > windowStart && deadline <= now && !_slaRecorded.Contains((dataset.Name, dataset.BoxKey(box)))) due.Add((box, deadline));
            }
            if (due.Count == 0) continue;
            var versions = _ledger.Versions(dataset.Name, new BoxRange(due[0].Box, due[^1].Box));
            foreach (var (box, deadline) in due)
            {
                var deadlineMs = deadline.ToUnixTimeMilliseconds();
                if (versions.Any(v => v.Box == box && v.Status.IsUsable() && v.CreatedAtMs <= deadlineMs)) continue;
                var key = dataset.BoxKey(box);
                _slaRecorded.Add((dataset.Name, key));
                Record(EventKind.SlaMiss, dataset.Name, key,
                    $"{dataset.Name}@{key} was not ready by {Iso(deadline)} (ready within {Describe(sla.ReadyWithin)} of the box's end; owner {dataset.Owner})");
                misses.Add(new SlaMiss(dataset.Name, key, deadline));
            }
        }
        return misses;
    }

    private void Record(EventKind kind, string? dataset, string? boxKey, string message)
    {
        try { _ledger.RecordEvent(kind, _env, dataset, boxKey, null, message); }
        catch (Exception e) when (e is Storage.StorageException or ObjectDisposedException or InvalidOperationException)
        {
            // The ledger cannot be written (or the server is shutting down): the scheduler goes on, and says what was not recorded.
            var failure = new NotRecorded(_clock.GetUtcNow(), kind, message, e.Message.ReplaceLineEndings(" "));
            Volatile.Write(ref _lastNotRecorded, failure);
            Interlocked.Increment(ref _notRecordedCount);
            _notRecordedSinceTick.Enqueue(failure);
        }
    }

    /// <summary>
    /// Why a sensor should build now, or null: landing files of its source that the ledger has not ingested, or boxes
    /// of its targets that are missing or stale against what is ingested (another build may have ingested its files).
    /// The fingerprint names that state, so a build that could not change it is not started again and again.
    /// </summary>
    private (string? Trigger, string Fingerprint) SensorState(LandingSensor sensor, Entry entry)
    {
        var changed = LandingZone.ChangedFiles(_landing, _factory[sensor.Source], _ledger);
        var tasks = new Planning.Planner(_factory, _ledger).Create(_env, entry.Targets).Tasks;
        var fingerprint = string.Join('\n', changed.Select(c => $"{c.RelativePath}|{c.Size}|{c.ModifiedTicks}")
            .Concat(tasks.Select(t => $"{t.Dataset}@{t.BoxKey}|{t.Reason}")));
        string? trigger = null;
        if (changed.Count > 0)
            trigger = changed.Count == 1 ? $"landing file {changed[0].RelativePath} of {sensor.Source} is new or changed"
                : $"{changed.Count} landing files of {sensor.Source} are new or changed (first {changed[0].RelativePath})";
        else if (tasks.Count > 0)
            trigger = $"{tasks.Count} box{(tasks.Count == 1 ? " of its targets is" : "es of its targets are")} missing or stale (first {tasks[0].Dataset}@{tasks[0].BoxKey}: {tasks[0].Reason})";
        return (trigger, fingerprint);
    }

    private IReadOnlyList<string> SensorTargets(LandingSensor sensor)
    {
        if (sensor.Targets.Count > 0) return _factory.ResolveTargets(sensor.Targets);
        var closure = new HashSet<string>(StringComparer.Ordinal) { sensor.Source };
        foreach (var dataset in _factory.Datasets) // topological order: a reader comes after what it reads
            if (dataset.Inputs.Any(i => closure.Contains(i.Dataset))) closure.Add(dataset.Name);
        return _factory.Datasets.Select(d => d.Name).Where(closure.Contains).ToArray();
    }

    private static DateTimeOffset? Next(CronSchedule cron, DateTimeOffset after) =>
        cron.Cron.GetNextOccurrence(after.UtcDateTime, TimeZoneInfo.Utc) is { } next ? new DateTimeOffset(next, TimeSpan.Zero) : null;

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Describe(TimeSpan t) =>
        t.TotalHours >= 1 && t.TotalHours == Math.Floor(t.TotalHours) ? $"{t.TotalHours:0} h" : $"{t.TotalMinutes:0} min";

    /// <summary>A trigger skipped at <see cref="At"/> because <see cref="BusyWith"/> was building <see cref="Overlap"/>.</summary>
    private sealed record Pending(string Trigger, DateTimeOffset At, string BusyWith, string Overlap);

    private sealed class Entry(string name, string kind, string definition, IReadOnlyList<string> targets)
    {
        public string Name { get; } = name;
        public string Kind { get; } = kind;
        public string Definition { get; } = definition;
        public IReadOnlyList<string> Targets { get; } = targets;
        public DateTimeOffset? NextDue { get; set; }
        public DateTimeOffset? RunningSince { get; set; }
        public DateTimeOffset? LastStarted { get; set; }
        public RunStatus? LastStatus { get; set; }
        public string? LastRunId { get; set; }
        public string? LastSummary { get; set; }
        /// <summary>The sensor state the last build started for.</summary>
        public string? Fingerprint { get; set; }
        /// <summary>The sensor state of the last tick.</summary>
        public string? Seen { get; set; }
        public Pending? Pending { get; set; }
        public int Runs { get; set; }
        public int Skipped { get; set; }
    }
}
