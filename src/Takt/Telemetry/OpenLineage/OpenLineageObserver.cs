using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Telemetry.OpenLineage;

/// <summary>
/// Emits OpenLineage run events: the run of the build (or ingest) itself, START when it begins and COMPLETE or FAIL when
/// it ends; for every task a run (START, then COMPLETE or FAIL) whose parent is the build's run, with the exact input and
/// output versions, the boxes as subset facets, and the output's schema and statistics; and for every version a task
/// checked, a run of its checks that reads that version, carrying the check results as data quality assertions. Events
/// are written and sent by one exporter thread in the order they were reported, off the tasks' critical path;
/// <see cref="Dispose"/> (at the end of a run) waits until every event is out. They are written straight to UTF-8 JSON:
/// a build of small boxes sends two events per task, and a document tree per event would cost more than some tasks do.
/// </summary>
public sealed class OpenLineageObserver : IRunObserver, IDisposable
{
    private readonly Workspace ws;
    private readonly string runId;
    private readonly ILineageSink sink;
    private readonly string _namespace;
    private readonly string _command;
    private readonly Guid _buildRun;
    private int _buildState; // 0: not started, 1: started, 2: finished
    /// <summary>How long events may wait before the exporter writes them: it wakes this often instead of per event.</summary>
    private static readonly TimeSpan ExportInterval = TimeSpan.FromMilliseconds(100);
    private readonly System.Collections.Concurrent.ConcurrentQueue<Action<Utf8JsonWriter>> _pending = new();
    private readonly AutoResetEvent _finish = new(false);
    private volatile bool _finishing;
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly Utf8JsonWriter _json;
    private readonly Thread _exporter;

    /// <param name="command">The job of the run itself: <c>build</c> or <c>ingest</c>.</param>
    public OpenLineageObserver(Workspace ws, string runId, ILineageSink sink, string command = "build")
    {
        this.ws = ws;
        this.runId = runId;
        this.sink = sink;
        _namespace = $"takt://{ws.Factory.Name}/{ws.Env}";
        _command = command;
        _buildRun = Uuid(runId);
        _json = new Utf8JsonWriter(_buffer);
        _exporter = new Thread(Export) { IsBackground = true, Name = "takt-openlineage" };
        _exporter.Start();
    }

    /// <summary>The run itself begins: its START, which every task's run names as its parent.</summary>
    public void RunStarted()
    {
        if (Interlocked.CompareExchange(ref _buildState, 1, 0) != 0) return;
        var at = ws.Clock.GetUtcNow();
        _pending.Enqueue(w => WriteRunEvent(w, "START", at, null));
    }

    /// <summary>The run itself ends: COMPLETE, or FAIL with <paramref name="error"/> (a processing error or a stopped line).</summary>
    public void RunFinished(string? error)
    {
        if (Interlocked.CompareExchange(ref _buildState, 2, 1) != 1) return;
        var at = ws.Clock.GetUtcNow();
        _pending.Enqueue(w => WriteRunEvent(w, error is null ? "COMPLETE" : "FAIL", at, error));
    }

    public void Planned(int count) { }

    public void Started(string dataset, string boxKey)
    {
        var at = ws.Clock.GetUtcNow();
        _pending.Enqueue(w => WriteEvent(w, "START", at, TaskRunId(dataset, boxKey), dataset, (_buildRun, _command), error: null,
            inputs: _ => { },
            outputs: o => WriteOutput(o, dataset, boxKey, version: null)));
    }

    public void Finished(TaskReport report)
    {
        if (report.Outcome.Status is BuildStatus.Blocked or BuildStatus.Skipped && report.Attempts == 0) return; // never started
        var at = ws.Clock.GetUtcNow();
        _pending.Enqueue(w => WriteCompleted(w, report, at));
    }

    /// <summary>Waits until every event reported so far is sent.</summary>
    public void Dispose()
    {
        RunFinished($"the {_command} stopped before it finished"); // e.g. the ledger failed: no run stays open
        _finishing = true;
        _finish.Set();
        _exporter.Join();
        _finish.Dispose();
        _json.Dispose();
    }

    /// <summary>
    /// Wakes every <see cref="ExportInterval"/> and writes what arrived, then flushes the sink once. A thread woken per
    /// event would spin for the next one on every task, taking a core's share from the tasks themselves.
    /// </summary>
    private void Export()
    {
        while (true)
        {
            var last = _finishing; // read before draining: what was reported before Dispose is written below
            var wrote = false;
            while (_pending.TryDequeue(out var write))
            {
                Guarded(() =>
                {
                    _buffer.Clear();
                    _json.Reset(_buffer);
                    write(_json);
                    _json.Flush();
                    sink.Send(_buffer.WrittenMemory);
                });
                wrote = true;
            }
            if (wrote || last) Guarded(sink.Flush);
            if (last) return;
            _finish.WaitOne(ExportInterval);
        }
    }

    /// <summary>Lineage export must never stop the line (nor, on this thread, the process); the ledger keeps the truth.</summary>
    private void Guarded(Action export)
    {
        try { export(); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            try { ws.Ledger.RecordEvent(EventKind.LineageExportFailed, ws.Env, null, null, null, e.Message); }
            catch (Exception f) when (f is not OutOfMemoryException) { ws.Ledger.Faults.Report(f); } // the ledger itself is failing: the build stops on it
        }
    }

    /// <summary>A task's COMPLETE or FAIL; when it checked a version, the run of those checks first.</summary>
    private void WriteCompleted(Utf8JsonWriter w, TaskReport report, DateTimeOffset at)
    {
        // A version this task committed travels with the report; anything else (reused, adopted) is read from the ledger.
        var committed = report.Outcome.Committed;
        var version = committed?.Version ?? (report.Outcome.VersionId is { } id ? ws.Ledger.FindVersion(id) : null);
        var inputs = version is null ? [] : committed?.Inputs ?? ws.Ledger.InputsOf(version.Id);
        var failed = report.Outcome.Status is BuildStatus.Failed or BuildStatus.Quarantined;
        var taskRun = TaskRunId(report.Dataset, report.BoxKey);
        if (committed is { Checks.Count: > 0 } && version is not null)
        {
            WriteChecks(w, "START", at, taskRun, report, version, committed.Checks);
            Next(w);
            WriteChecks(w, committed.Checks.Any(c => !c.Passed && c.Severity != "warn") ? "FAIL" : "COMPLETE", at, taskRun, report, version, committed.Checks);
            Next(w);
        }
        WriteEvent(w, failed ? "FAIL" : "COMPLETE", at, taskRun, report.Dataset, (_buildRun, _command), failed ? report.Outcome.Message : null,
            inputs: i =>
            {
                foreach (var group in inputs.GroupBy(e => e.Dataset))
                    WriteInput(i, group.Key, group.Select(e => BoxKeyOf(e.Dataset, e.Box)), string.Join(",", group.Select(e => e.VersionId)), checks: null);
            },
            outputs: o => WriteOutput(o, report.Dataset, report.BoxKey, version));
    }

    /// <summary>The checks of a version: a run of job <c>DATASET.checks</c> under the task's run, reading the version it checked.</summary>
    private void WriteChecks(Utf8JsonWriter w, string type, DateTimeOffset at, Guid taskRun, TaskReport report, VersionRecord version, IReadOnlyList<CheckResult> checks)
    {
        var failing = checks.Where(c => !c.Passed && c.Severity != "warn").Select(c => c.Name).ToArray();
        WriteEvent(w, type, at, Uuid($"{runId}/{report.Dataset}@{report.BoxKey}/checks"), report.Dataset + ".checks", (taskRun, report.Dataset),
            type == "FAIL" ? $"{report.Dataset}@{report.BoxKey} stopped by {string.Join(", ", failing)}" : null,
            inputs: i => WriteInput(i, report.Dataset, [report.BoxKey], version.Id, type == "START" ? null : checks),
            outputs: _ => { });
    }

    /// <summary>Several events from one queued write: the sink takes each as its own line.</summary>
    private void Next(Utf8JsonWriter w)
    {
        w.Flush();
        sink.Send(_buffer.WrittenMemory);
        _buffer.Clear();
        w.Reset(_buffer);
    }

    private string BoxKeyOf(string dataset, long box) => ws.Factory.Contains(dataset) ? ws.Factory[dataset].BoxKey(box) : box.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void WriteRunEvent(Utf8JsonWriter w, string type, DateTimeOffset at, string? error) =>
        WriteEvent(w, type, at, _buildRun, _command, parent: null, error, inputs: _ => { }, outputs: _ => { });

    private void WriteEvent(Utf8JsonWriter w, string type, DateTimeOffset at, Guid run, string job, (Guid Run, string Job)? parent, string? error,
        Action<Utf8JsonWriter> inputs, Action<Utf8JsonWriter> outputs)
    {
        w.WriteStartObject();
        w.WriteString("eventType", type);
        w.WriteString("eventTime", at.ToString("O"));
        w.WriteString("producer", OpenLineageFacets.Producer);
        w.WriteString("schemaURL", OpenLineageFacets.RunEventSchema);
        w.WriteStartObject("run");
        w.WriteString("runId", run.ToString());
        w.WriteStartObject("facets");
        if (parent is { } p) OpenLineageFacets.Parent(w, _namespace, p.Run, p.Job, _buildRun, _command);
        if (error is not null) OpenLineageFacets.ErrorMessage(w, error);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("job");
        w.WriteString("namespace", _namespace);
        w.WriteString("name", job);
        w.WriteEndObject();
        w.WriteStartArray("inputs");
        inputs(w);
        w.WriteEndArray();
        w.WriteStartArray("outputs");
        outputs(w);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>A dataset as read: the boxes (a subset) and the exact versions read; for a run of checks, their results.</summary>
    private void WriteInput(Utf8JsonWriter w, string name, IEnumerable<string> boxes, string versions, IReadOnlyList<CheckResult>? checks)
    {
        w.WriteStartObject();
        w.WriteString("namespace", _namespace);
        w.WriteString("name", name);
        w.WriteStartObject("facets");
        OpenLineageFacets.Version(w, versions);
        w.WriteEndObject();
        w.WriteStartObject("inputFacets");
        OpenLineageFacets.Subset(w, input: true, boxes);
        if (checks is not null) OpenLineageFacets.DataQualityAssertions(w, checks, check => ColumnOf(name, check));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A dataset as written: its box (a subset) and, once made, the version with its schema and statistics.</summary>
    private void WriteOutput(Utf8JsonWriter w, string name, string boxKey, VersionRecord? version)
    {
        w.WriteStartObject();
        w.WriteString("namespace", _namespace);
        w.WriteString("name", name);
        w.WriteStartObject("facets");
        if (version is not null)
        {
            OpenLineageFacets.Version(w, version.Id);
            OpenLineageFacets.Schema(w, version.SchemaJson);
        }
        w.WriteEndObject();
        w.WriteStartObject("outputFacets");
        OpenLineageFacets.Subset(w, input: false, [boxKey]);
        if (version is not null) OpenLineageFacets.OutputStatistics(w, version.Rows, version.Bytes);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private string? ColumnOf(string dataset, string check) =>
        ws.Factory.Contains(dataset) && ws.Factory[dataset].Checks.FirstOrDefault(c => c.Name == check)?.Columns.ToArray() is [var only] ? only : null;

    private Guid TaskRunId(string dataset, string boxKey) => Uuid($"{runId}/{dataset}@{boxKey}");

    /// <summary>OpenLineage wants UUIDs; ours are derived from the run and the box so START and COMPLETE agree.</summary>
    private static Guid Uuid(string text)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
