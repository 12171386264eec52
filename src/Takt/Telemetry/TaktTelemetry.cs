using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Takt.Telemetry;

/// <summary>Traces and metrics of builds, through .NET's ActivitySource and Meter; exported only when configured.</summary>
public static class TaktTelemetry
{
    public const string Name = "Takt";

    public static readonly ActivitySource Tracing = new(Name);
    private static readonly Meter Meter = new(Name);
    private static readonly Counter<long> Tasks = Meter.CreateCounter<long>("takt.tasks", description: "Tasks run, by dataset and status");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("takt.task.duration", unit: "ms", description: "Task wall time");
    private static readonly Counter<long> Rows = Meter.CreateCounter<long>("takt.rows.written", description: "Rows written by tasks");

    public static void TaskFinished(string dataset, string status, long durationMs, long rows)
    {
        var tags = new TagList { { "dataset", dataset }, { "status", status } };
        Tasks.Add(1, tags);
        Duration.Record(durationMs, tags);
        if (rows > 0) Rows.Add(rows, new KeyValuePair<string, object?>("dataset", dataset));
    }
}
