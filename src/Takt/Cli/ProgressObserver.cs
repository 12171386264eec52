using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Cli;

/// <summary>
/// Shows a run as it goes, phase by phase (ingest, transforms, publish): on a terminal a live bar per phase with done of
/// total, rate and time left; when output is redirected, a line every <c>every</c> (at each finished task when zero):
/// <c>progress: transforms 120/420 (180/480 in all), 35/s, about 9 s left</c>. A failure is told as it happens, once
/// per kind (the same message apart from the box); the build's summary counts them all.
/// </summary>
internal sealed class ProgressObserver(IAnsiConsole console, bool quiet, TimeSpan every) : IRunObserver
{
    private readonly Lock _gate = new();
    private readonly Stopwatch _phaseClock = Stopwatch.StartNew();
    private readonly HashSet<(string, BuildStatus, string)> _toldFailures = [];
    private ProgressContext? _live;
    private ProgressTask? _bar;
    private string _phase = "build";
    private int _phaseDone, _phaseTotal, _done, _total, _failed;
    private bool _over;

    public T Show<T>(string title, Func<T> work)
    {
        _phase = title;
        if (quiet) return work();
        if (console.Profile.Capabilities.Interactive)
            return console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new CountColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(ctx =>
                {
                    lock (_gate) _live = ctx;
                    try { return work(); }
                    finally { lock (_gate) EndBar(); }
                });
        if (every <= TimeSpan.Zero) return work();
        using var timer = new Timer(_ => Tick(), null, every, every);
        try { return work(); }
        finally { lock (_gate) _over = true; } // a tick already under way must not print after the run's summary
    }

    public void Phase(string name)
    {
        lock (_gate)
        {
            EndBar();
            (_phase, _phaseDone, _phaseTotal) = (name, 0, 0);
            _phaseClock.Restart();
            _bar = _live?.AddTask(name, maxValue: 1);
            if (_bar is not null && name == RunPhase.Publish) _bar.IsIndeterminate = true;
        }
    }

    /// <summary>A phase's bar ends full: what was planned is done (or told as failed), and a phase with nothing to do is done too.</summary>
    private void EndBar()
    {
        if (_bar is null) return;
        _bar.IsIndeterminate = false;
        _bar.Description = _phase; // not the phase's last task, which is done
        _bar.Value = _bar.MaxValue;
        _bar.StopTask();
    }

    public void Planned(int count)
    {
        lock (_gate)
        {
            _phaseTotal += count;
            _total += count;
            if (_bar is not null) _bar.MaxValue = Math.Max(1, _phaseTotal);
            else if (!quiet && _live is null && count > 0) console.MarkupLineInterpolated($"[grey]{_phase}: {count} task(s) to run[/]");
        }
    }

    public void Started(string dataset, string boxKey)
    {
        lock (_gate) if (_bar is not null) _bar.Description = $"{_phase}: {dataset}@{boxKey}";
    }

    public void Finished(TaskReport report)
    {
        lock (_gate)
        {
            _phaseDone++;
            _done++;
            _bar?.Increment(1);
            if (quiet) return;
            if (report.Outcome.Status is BuildStatus.Failed or BuildStatus.Quarantined)
            {
                _failed++;
                if (_toldFailures.Add(AlikeFailures.KeyOf(report)))
                    console.MarkupLineInterpolated($"[red]{report.Outcome.Status.ToText()}[/] {report.Outcome.Message}");
            }
            if (_live is null && every <= TimeSpan.Zero) console.MarkupLineInterpolated($"[grey]{Line()}[/]");
        }
    }

    private void Tick()
    {
        lock (_gate) if (!_over) console.MarkupLineInterpolated($"[grey]{Line()}[/]");
    }

    private string Line()
    {
        var failed = _failed > 0 ? $", {_failed} failed or stopped" : "";
        if (_phase == RunPhase.Publish) return $"progress: publishing ({_done}/{_total} tasks done{failed})";
        if (_phaseTotal == 0) return $"progress: {_phase}, no task planned yet ({Duration(_phaseClock.Elapsed.TotalSeconds)})";
        var inAll = _phaseTotal != _total ? $" ({_done}/{_total} in all)" : "";
        var seconds = _phaseClock.Elapsed.TotalSeconds;
        var rate = seconds > 0 ? _phaseDone / seconds : 0;
        var left = _phaseDone == _phaseTotal ? "done"
            : rate > 0 ? $"about {Duration((_phaseTotal - _phaseDone) / rate)} left"
            : "time left not known yet";
        return $"progress: {_phase} {_phaseDone}/{_phaseTotal}{inAll}, {Rate(rate)}/s, {left}{failed}";
    }

    private static string Rate(double perSecond) =>
        perSecond.ToString(perSecond < 10 ? "0.#" : "0", CultureInfo.InvariantCulture);

    internal static string Duration(double seconds) => seconds switch
    {
        < 60 => $"{Math.Ceiling(seconds).ToString(CultureInfo.InvariantCulture)} s",
        < 3600 => $"{Math.Ceiling(seconds / 60).ToString(CultureInfo.InvariantCulture)} min",
        _ => $"{Math.Floor(seconds / 3600).ToString(CultureInfo.InvariantCulture)} h {Math.Ceiling(seconds % 3600 / 60).ToString(CultureInfo.InvariantCulture)} min",
    };

    /// <summary>Done of total and the rate of a live bar: <c>120/420 35/s</c>.</summary>
    private sealed class CountColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.IsIndeterminate || task.Description == RunPhase.Publish ? "" : $"{task.Value:0}/{task.MaxValue:0} {Rate(task.Speed ?? 0)}/s");
    }
}
