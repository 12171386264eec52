namespace Takt.Running;

/// <summary>
/// What runs a run's tasks: every work item once, none before the items it depends on, a report for each in the
/// items' order. The composition root chooses it (<c>--executor</c> / <c>TAKT_EXECUTOR</c>). Internal while work
/// items are closures over this process; an executor on other machines needs them as data first.
/// </summary>
internal interface ITaskExecutor
{
    /// <summary>The name the root knows it by (<c>local</c>).</summary>
    string Name { get; }

    IReadOnlyList<TaskReport> Run(Workspace ws, string runId, RunOptions options, IRunObserver? observer, IReadOnlyList<WorkItem> items);
}

/// <summary>Tasks on threads of this process, as many computing at once as <see cref="RunOptions.Parallelism"/> says (<see cref="Runner"/>).</summary>
internal sealed class LocalExecutor : ITaskExecutor
{
    public static readonly LocalExecutor Instance = new();

    public string Name => "local";

    public IReadOnlyList<TaskReport> Run(Workspace ws, string runId, RunOptions options, IRunObserver? observer, IReadOnlyList<WorkItem> items) =>
        new Runner(ws, runId, options, observer).Run(items);
}
