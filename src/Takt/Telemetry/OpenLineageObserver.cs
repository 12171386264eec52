using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Telemetry;

/// <summary>
/// Emits an OpenLineage run event (START, then COMPLETE or FAIL) for every task, with the job, the exact input and
/// output versions, and the box, schema and check results as facets. Events are built and sent by one exporter thread
/// in the order the tasks reported them, off the tasks' critical path; <see cref="Dispose"/> (at the end of a run)
/// waits until every event is out.
/// </summary>
public sealed class OpenLineageObserver : IRunObserver, IDisposable
{
    private const string Producer = "https://github.com/takt-data/takt";
    private const string SchemaUrl = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/definitions/RunEvent";
    private readonly Workspace ws;
    private readonly string runId;
    private readonly ILineageSink sink;
    private readonly System.Collections.Concurrent.BlockingCollection<Func<JsonObject>> _pending = new();
    private readonly Thread _exporter;

    public OpenLineageObserver(Workspace ws, string runId, ILineageSink sink)
    {
        this.ws = ws;
        this.runId = runId;
        this.sink = sink;
        _exporter = new Thread(Export) { IsBackground = true, Name = "takt-openlineage" };
        _exporter.Start();
    }

    private string Namespace => $"takt://{ws.Factory.Name}/{ws.Env}";

    public void Planned(int count) { }

    public void Started(string dataset, string boxKey)
    {
        var at = ws.Clock.GetUtcNow();
        _pending.Add(() => Event("START", at, dataset, boxKey, inputs: [], outputs: [Dataset(dataset, boxKey, null)]));
    }

    public void Finished(TaskReport report)
    {
        if (report.Outcome.Status is BuildStatus.Blocked or BuildStatus.Skipped && report.Attempts == 0) return; // never started
        var at = ws.Clock.GetUtcNow();
        _pending.Add(() => Completed(report, at));
    }

    /// <summary>Waits until every event reported so far is sent.</summary>
    public void Dispose()
    {
        _pending.CompleteAdding();
        _exporter.Join();
        _pending.Dispose();
    }

    private void Export()
    {
        foreach (var build in _pending.GetConsumingEnumerable())
        {
            Guarded(() => sink.Send(build()));
            if (_pending.Count == 0) Guarded(sink.Flush);
        }
        Guarded(sink.Flush);
    }

    /// <summary>Lineage export must never stop the line (nor, on this thread, the process); the ledger keeps the truth.</summary>
    private void Guarded(Action export)
    {
        try { export(); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            try { ws.Ledger.RecordEvent("lineage_export_failed", ws.Env, null, null, null, e.Message); }
            catch (Exception) { /* the ledger itself is failing; the task's own commit reported that */ }
        }
    }

    private JsonObject Completed(TaskReport report, DateTimeOffset at)
    {
        // A version this task committed travels with the report; anything else (reused, adopted) is read from the ledger.
        var committed = report.Outcome.Committed;
        var version = committed?.Version ?? (report.Outcome.VersionId is { } id ? ws.Ledger.FindVersion(id) : null);
        var inputs = version is null ? [] : (committed?.Inputs ?? ws.Ledger.InputsOf(version.Id))
            .GroupBy(i => i.Dataset)
            .Select(g => Dataset(g.Key, null, null, g.Select(i => (ws.Factory.Contains(i.Dataset) ? ws.Factory[i.Dataset].BoxKey(i.Box) : i.Box.ToString(), i.VersionId)).ToArray()))
            .ToArray();
        var failed = report.Outcome.Status is BuildStatus.Failed or BuildStatus.Quarantined;
        var runEvent = Event(failed ? "FAIL" : "COMPLETE", at, report.Dataset, report.BoxKey, inputs, [Dataset(report.Dataset, report.BoxKey, version, checks: committed?.Checks)]);
        if (failed) runEvent["run"]!["facets"]!.AsObject()["errorMessage"] = Facet("ErrorMessageRunFacet", new JsonObject
        {
            ["message"] = report.Outcome.Message,
            ["programmingLanguage"] = "C#",
        });
        return runEvent;
    }

    private JsonObject Event(string type, DateTimeOffset at, string dataset, string boxKey, JsonObject[] inputs, JsonObject[] outputs) => new()
    {
        ["eventType"] = type,
        ["eventTime"] = at.ToString("O"),
        ["producer"] = Producer,
        ["schemaURL"] = SchemaUrl,
        ["run"] = new JsonObject
        {
            ["runId"] = TaskRunId(dataset, boxKey).ToString(),
            ["facets"] = new JsonObject
            {
                ["parent"] = Facet("ParentRunFacet", new JsonObject
                {
                    ["run"] = new JsonObject { ["runId"] = Uuid(runId).ToString() },
                    ["job"] = new JsonObject { ["namespace"] = Namespace, ["name"] = "build" },
                }),
            },
        },
        ["job"] = new JsonObject { ["namespace"] = Namespace, ["name"] = $"{dataset}" },
        ["inputs"] = new JsonArray(inputs.Select(i => (JsonNode)i).ToArray()),
        ["outputs"] = new JsonArray(outputs.Select(o => (JsonNode)o).ToArray()),
    };

    private JsonObject Dataset(string name, string? boxKey, VersionRecord? version, (string Box, string Version)[]? read = null,
        IReadOnlyList<CheckResult>? checks = null)
    {
        var facets = new JsonObject();
        var boxes = read?.Select(r => r.Box).ToArray() ?? (boxKey is null ? [] : [boxKey]);
        facets["partition"] = Facet("PartitionDatasetFacet", new JsonObject { ["partitions"] = new JsonArray(boxes.Select(b => (JsonNode)new JsonObject { ["key"] = b }).ToArray()) });
        if (read is not null)
            facets["version"] = Facet("DatasetVersionDatasetFacet", new JsonObject { ["datasetVersion"] = string.Join(",", read.Select(r => r.Version)) });
        var result = new JsonObject { ["namespace"] = Namespace, ["name"] = name, ["facets"] = facets };
        if (version is null) return result;

        facets["version"] = Facet("DatasetVersionDatasetFacet", new JsonObject { ["datasetVersion"] = version.Id });
        var fields = JsonSerializer.Deserialize<JsonArray>(version.SchemaJson) ?? [];
        facets["schema"] = Facet("SchemaDatasetFacet", new JsonObject
        {
            ["fields"] = new JsonArray(fields.Select(f => (JsonNode)new JsonObject { ["name"] = f?["name"]?.GetValue<string>(), ["type"] = f?["type"]?.GetValue<string>() }).ToArray()),
        });
        facets["dataQualityAssertions"] = Facet("DataQualityAssertionsDatasetFacet", new JsonObject
        {
            ["assertions"] = new JsonArray((checks ?? ws.Ledger.CheckResults(version.Id)).OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => (JsonNode)new JsonObject
            {
                ["assertion"] = c.Name,
                ["success"] = c.Passed,
                ["severity"] = c.Severity,
            }).ToArray()),
        });
        result["outputFacets"] = new JsonObject
        {
            ["outputStatistics"] = Facet("OutputStatisticsOutputDatasetFacet", new JsonObject { ["rowCount"] = version.Rows, ["size"] = version.Bytes }),
        };
        return result;
    }

    private static JsonObject Facet(string type, JsonObject body)
    {
        body["_producer"] = Producer;
        body["_schemaURL"] = $"https://openlineage.io/spec/facets/1-0-0/{type}.json";
        return body;
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
