using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Telemetry;

/// <summary>
/// Emits an OpenLineage run event (START, then COMPLETE or FAIL) for every task, with the job, the exact input and
/// output versions, and the box, schema and check results as facets. Events are written and sent by one exporter
/// thread in the order the tasks reported them, off the tasks' critical path; <see cref="Dispose"/> (at the end of a
/// run) waits until every event is out. They are written straight to UTF-8 JSON: a build of small boxes sends two
/// events per task, and a document tree per event would cost more than some tasks do.
/// </summary>
public sealed class OpenLineageObserver : IRunObserver, IDisposable
{
    private const string Producer = "https://github.com/takt-data/takt";
    private const string SchemaUrl = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent";
    private readonly Workspace ws;
    private readonly string runId;
    private readonly ILineageSink sink;
    private readonly string _namespace;
    private readonly string _parentRunId;
    /// <summary>How long events may wait before the exporter writes them: it wakes this often instead of per event.</summary>
    private static readonly TimeSpan ExportInterval = TimeSpan.FromMilliseconds(100);
    private readonly System.Collections.Concurrent.ConcurrentQueue<Action<Utf8JsonWriter>> _pending = new();
    private readonly AutoResetEvent _finish = new(false);
    private volatile bool _finishing;
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly Utf8JsonWriter _json;
    private readonly Thread _exporter;

    public OpenLineageObserver(Workspace ws, string runId, ILineageSink sink)
    {
        this.ws = ws;
        this.runId = runId;
        this.sink = sink;
        _namespace = $"takt://{ws.Factory.Name}/{ws.Env}";
        _parentRunId = Uuid(runId).ToString();
        _json = new Utf8JsonWriter(_buffer);
        _exporter = new Thread(Export) { IsBackground = true, Name = "takt-openlineage" };
        _exporter.Start();
    }

    public void Planned(int count) { }

    public void Started(string dataset, string boxKey)
    {
        var at = ws.Clock.GetUtcNow();
        _pending.Enqueue(w => WriteEvent(w, "START", at, dataset, boxKey, error: null,
            inputs: _ => { },
            outputs: o => WriteDataset(o, dataset, [boxKey], readVersions: null, version: null, checks: null)));
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
            try { ws.Ledger.RecordEvent("lineage_export_failed", ws.Env, null, null, null, e.Message); }
            catch (Exception f) when (f is not OutOfMemoryException) { ws.Ledger.Faults.Report(f); } // the ledger itself is failing: the build stops on it
        }
    }

    private void WriteCompleted(Utf8JsonWriter w, TaskReport report, DateTimeOffset at)
    {
        // A version this task committed travels with the report; anything else (reused, adopted) is read from the ledger.
        var committed = report.Outcome.Committed;
        var version = committed?.Version ?? (report.Outcome.VersionId is { } id ? ws.Ledger.FindVersion(id) : null);
        var inputs = version is null ? [] : committed?.Inputs ?? ws.Ledger.InputsOf(version.Id);
        var failed = report.Outcome.Status is BuildStatus.Failed or BuildStatus.Quarantined;
        WriteEvent(w, failed ? "FAIL" : "COMPLETE", at, report.Dataset, report.BoxKey, failed ? report.Outcome.Message : null,
            inputs: i =>
            {
                foreach (var group in inputs.GroupBy(e => e.Dataset))
                    WriteDataset(i, group.Key, group.Select(e => BoxKeyOf(e.Dataset, e.Box)).ToArray(),
                        readVersions: string.Join(",", group.Select(e => e.VersionId)), version: null, checks: null);
            },
            outputs: o => WriteDataset(o, report.Dataset, [report.BoxKey], readVersions: null, version, committed?.Checks));
    }

    private string BoxKeyOf(string dataset, long box) => ws.Factory.Contains(dataset) ? ws.Factory[dataset].BoxKey(box) : box.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private void WriteEvent(Utf8JsonWriter w, string type, DateTimeOffset at, string dataset, string boxKey, string? error,
        Action<Utf8JsonWriter> inputs, Action<Utf8JsonWriter> outputs)
    {
        w.WriteStartObject();
        w.WriteString("eventType", type);
        w.WriteString("eventTime", at.ToString("O"));
        w.WriteString("producer", Producer);
        w.WriteString("schemaURL", SchemaUrl);
        w.WriteStartObject("run");
        w.WriteString("runId", TaskRunId(dataset, boxKey).ToString());
        w.WriteStartObject("facets");
        w.WriteStartObject("parent");
        w.WriteStartObject("run");
        w.WriteString("runId", _parentRunId);
        w.WriteEndObject();
        WriteJob(w, "build");
        WriteFacetEnd(w, "ParentRunFacet");
        if (error is not null)
        {
            w.WriteStartObject("errorMessage");
            w.WriteString("message", error);
            w.WriteString("programmingLanguage", "C#");
            WriteFacetEnd(w, "ErrorMessageRunFacet");
        }
        w.WriteEndObject();
        w.WriteEndObject();
        WriteJob(w, dataset);
        w.WriteStartArray("inputs");
        inputs(w);
        w.WriteEndArray();
        w.WriteStartArray("outputs");
        outputs(w);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private void WriteJob(Utf8JsonWriter w, string name)
    {
        w.WriteStartObject("job");
        w.WriteString("namespace", _namespace);
        w.WriteString("name", name);
        w.WriteEndObject();
    }

    /// <summary>A dataset as read (its boxes and the versions read) or as written (its box, version, schema and checks).</summary>
    private void WriteDataset(Utf8JsonWriter w, string name, IReadOnlyList<string> boxes, string? readVersions, VersionRecord? version,
        IReadOnlyList<CheckResult>? checks)
    {
        w.WriteStartObject();
        w.WriteString("namespace", _namespace);
        w.WriteString("name", name);
        w.WriteStartObject("facets");
        w.WriteStartObject("partition");
        w.WriteStartArray("partitions");
        foreach (var box in boxes)
        {
            w.WriteStartObject();
            w.WriteString("key", box);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteFacetEnd(w, "PartitionDatasetFacet");
        if ((version?.Id ?? readVersions) is { } datasetVersion)
        {
            w.WriteStartObject("version");
            w.WriteString("datasetVersion", datasetVersion);
            WriteFacetEnd(w, "DatasetVersionDatasetFacet");
        }
        if (version is not null)
        {
            w.WriteStartObject("schema");
            w.WritePropertyName("fields");
            w.WriteRawValue(version.SchemaJson); // recorded as [{"name", "type"}], the facet's own shape
            WriteFacetEnd(w, "SchemaDatasetFacet");
            w.WriteStartObject("dataQualityAssertions");
            w.WriteStartArray("assertions");
            foreach (var check in (checks ?? ws.Ledger.CheckResults(version.Id)).OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("assertion", check.Name);
                w.WriteBoolean("success", check.Passed);
                w.WriteString("severity", check.Severity);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            WriteFacetEnd(w, "DataQualityAssertionsDatasetFacet");
        }
        w.WriteEndObject();
        if (version is not null)
        {
            w.WriteStartObject("outputFacets");
            w.WriteStartObject("outputStatistics");
            w.WriteNumber("rowCount", version.Rows);
            w.WriteNumber("size", version.Bytes);
            WriteFacetEnd(w, "OutputStatisticsOutputDatasetFacet");
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>Every facet names who produced it and the schema it follows, then closes.</summary>
    private static void WriteFacetEnd(Utf8JsonWriter w, string type)
    {
        w.WriteString("_producer", Producer);
        w.WriteString("_schemaURL", $"https://openlineage.io/spec/facets/1-0-0/{type}.json");
        w.WriteEndObject();
    }

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
