using Spectre.Console;
using Takt.Running;

namespace Takt.Cli;

/// <summary>Shows a run as it goes: a live progress bar on a terminal, periodic lines when output is redirected.</summary>
internal sealed class ProgressObserver(IAnsiConsole console, bool quiet) : IRunObserver
{
    private ProgressTask? _bar;
    private int _done;
    private long _lastLineAt;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private int _total;

    public T Show<T>(string title, Func<T> work)
    {
        if (quiet || !console.Profile.Capabilities.Interactive) return work();
        return console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                _bar = ctx.AddTask(title, maxValue: 1);
                return work();
            });
    }

    public void Planned(int count)
    {
        var total = Interlocked.Add(ref _total, count);
        if (_bar is not null) _bar.MaxValue = Math.Max(1, total);
        else if (!quiet && count > 0) console.MarkupLineInterpolated($"[grey]running {count} task(s)[/]");
    }

    public void Started(string dataset, string boxKey)
    {
        if (_bar is not null) _bar.Description = $"{dataset}@{boxKey}";
    }

    public void Finished(TaskReport report)
    {
        var done = Interlocked.Increment(ref _done);
        _bar?.Increment(1);
        if (quiet) return;
        if (report.Outcome.Status is BuildStatus.Failed or BuildStatus.Quarantined)
            console.MarkupLineInterpolated($"[red]{report.Outcome.Status}[/] {report.Outcome.Message}");
        else if (_bar is null && _clock.ElapsedMilliseconds - Interlocked.Read(ref _lastLineAt) > 2000)
        {
            Interlocked.Exchange(ref _lastLineAt, _clock.ElapsedMilliseconds);
            console.MarkupLineInterpolated($"[grey]{done} tasks done ({report.Dataset}@{report.BoxKey} {report.Outcome.Status})[/]");
        }
    }
}
