using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Takt.Tests.EndToEnd;

namespace Takt.Tests.Measuring;

/// <summary>
/// Every OpenLineage event of a Shop build, and each facet it carries, is valid against the specification's JSON
/// Schemas (TestData/openlineage-spec, draft 2020-12), and each facet sits where its schema says it belongs.
/// </summary>
public sealed class OpenLineageSpecTests : IDisposable
{
    private readonly E2EDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Every_event_of_a_shop_build_and_each_facet_validate_against_the_openlineage_schemas()
    {
        var home = _dir.Combine("home");
        E2E.Generate(home, E2E.Day(1), E2E.Day(3), "negative-amounts@2026-01-02");
        Assert.Equal(2, E2E.Cli(home, "build").ExitCode);
        var events = File.ReadAllLines(Path.Combine(home, "openlineage", "events.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var spec = new OpenLineageSpec();

        var seen = new HashSet<string>();
        foreach (var (e, n) in events.Select((e, n) => (e, n)))
        {
            var where = $"event {n} ({e.GetProperty("eventType")} of {e.GetProperty("job").GetProperty("name")})";
            spec.AssertValid(e, e.GetProperty("schemaURL").GetString()!, where);
            Assert.Equal(OpenLineageSpec.RunEvent, e.GetProperty("schemaURL").GetString());
            foreach (var (container, kind) in Containers(e))
                foreach (var facet in container.EnumerateObject())
                {
                    spec.AssertFacet(facet.Name, facet.Value, kind, $"{where}, facet {facet.Name}");
                    seen.Add(facet.Name);
                }
        }
        Assert.Equal(["dataQualityAssertions", "errorMessage", "outputStatistics", "parent", "schema", "subset", "version"], seen.Order(StringComparer.Ordinal));

        // Check results are assertions of the version a run of checks read, with the documented severities.
        var assertions = events.SelectMany(e => e.GetProperty("inputs").EnumerateArray())
            .Where(i => i.TryGetProperty("inputFacets", out var f) && f.TryGetProperty("dataQualityAssertions", out _))
            .SelectMany(i => i.GetProperty("inputFacets").GetProperty("dataQualityAssertions").GetProperty("assertions").EnumerateArray()).ToList();
        Assert.Contains(assertions, a => a.GetProperty("name").GetString() == "range(amount)" && !a.GetProperty("success").GetBoolean()
            && a.GetProperty("severity").GetString() == "error" && a.GetProperty("column").GetString() == "amount");
        Assert.All(assertions, a => Assert.Contains(a.GetProperty("severity").GetString(), new[] { "error", "warn" }));
        Assert.DoesNotContain(events.SelectMany(e => e.GetProperty("outputs").EnumerateArray()),
            o => o.GetProperty("facets").TryGetProperty("dataQualityAssertions", out _));

        // The build's own run: one START, one FAIL (the line stopped), and the parent of every task's run.
        var build = events.Where(e => e.GetProperty("job").GetProperty("name").GetString() == "build").ToList();
        Assert.Equal(["START", "FAIL"], build.Select(e => e.GetProperty("eventType").GetString()));
        var buildRun = build[0].GetProperty("run").GetProperty("runId").GetString();
        Assert.Equal(buildRun, build[1].GetProperty("run").GetProperty("runId").GetString());
        var tasks = events.Where(e => E2E.Datasets.Contains(e.GetProperty("job").GetProperty("name").GetString())).ToList();
        Assert.NotEmpty(tasks);
        Assert.All(tasks, t => Assert.Equal(buildRun, Parent(t).GetProperty("run").GetProperty("runId").GetString()));
        Assert.All(tasks, t => Assert.Equal("build", Parent(t).GetProperty("job").GetProperty("name").GetString()));
        var taskRuns = tasks.Select(t => t.GetProperty("run").GetProperty("runId").GetString()).ToHashSet();
        var checks = events.Where(e => e.GetProperty("job").GetProperty("name").GetString()!.EndsWith(".checks", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(checks);
        Assert.All(checks, c => Assert.Contains(Parent(c).GetProperty("run").GetProperty("runId").GetString(), taskRuns));
        Assert.All(checks.Concat(tasks), r => Assert.Equal(buildRun, Parent(r).GetProperty("root").GetProperty("run").GetProperty("runId").GetString()));
        // Each run starts once and ends once, in that order.
        foreach (var run in events.GroupBy(e => e.GetProperty("run").GetProperty("runId").GetString()))
            Assert.Equal(["START", run.Last().GetProperty("eventType").GetString() == "FAIL" ? "FAIL" : "COMPLETE"], run.Select(e => e.GetProperty("eventType").GetString()));
    }

    private static JsonElement Parent(JsonElement e) => e.GetProperty("run").GetProperty("facets").GetProperty("parent");

    /// <summary>Each facet map of an event, with the base facet its facets must extend there.</summary>
    private static IEnumerable<(JsonElement Facets, string Kind)> Containers(JsonElement e)
    {
        if (e.GetProperty("run").TryGetProperty("facets", out var run)) yield return (run, "RunFacet");
        if (e.GetProperty("job").TryGetProperty("facets", out var job)) yield return (job, "JobFacet");
        foreach (var (array, own, ownKind) in new[] { ("inputs", "inputFacets", "InputDatasetFacet"), ("outputs", "outputFacets", "OutputDatasetFacet") })
            foreach (var dataset in e.GetProperty(array).EnumerateArray())
            {
                if (dataset.TryGetProperty("facets", out var facets)) yield return (facets, "DatasetFacet");
                if (dataset.TryGetProperty(own, out var specific)) yield return (specific, ownKind);
            }
    }
}

/// <summary>The specification's schemas from TestData/openlineage-spec, registered under their <c>$id</c>s so that <c>$ref</c>s resolve across files.</summary>
internal sealed class OpenLineageSpec
{
    public const string RunEvent = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";
    private readonly Dictionary<string, JsonNode> _files = [];
    private readonly Dictionary<string, JsonSchema> _schemas = []; // by URL: each file under its $id, and each $ref built once
    private readonly BuildOptions _build = new() { SchemaRegistry = new SchemaRegistry() };
    private readonly EvaluationOptions _evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    public OpenLineageSpec()
    {
        var root = Path.Combine(AppContext.BaseDirectory, "TestData", "openlineage-spec");
        foreach (var file in Directory.GetFiles(root, "*.json", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            var id = JsonNode.Parse(text)!["$id"]!.GetValue<string>();
            _files[id] = JsonNode.Parse(text)!;
            _schemas[id] = JsonSchema.FromText(text, _build); // registers it under its $id, so that $refs to it resolve
        }
    }

    /// <summary>Validates <paramref name="value"/> against the schema at <paramref name="url"/> (a file's <c>$id</c>, with a <c>#/$defs/...</c> pointer).</summary>
    public void AssertValid(JsonElement value, string url, string where)
    {
        var (file, _) = Split(url);
        Assert.True(_files.ContainsKey(file), $"{where}: {url} names no schema of the specification here");
        if (!_schemas.TryGetValue(url, out var reference))
            _schemas[url] = reference = JsonSchema.FromText($$"""{"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "{{url}}"}""", _build);
        var result = reference.Evaluate(value, _evaluation);
        Assert.True(result.IsValid, $"{where} is not valid against {url}: {Errors(result)}\n{value}");
    }

    /// <summary>
    /// A facet is valid against the definition its <c>_schemaURL</c> names, sits under the key its schema file gives it,
    /// and in a map of the kind that definition extends (e.g. an InputDatasetFacet only in <c>inputFacets</c>).
    /// </summary>
    public void AssertFacet(string key, JsonElement facet, string kind, string where)
    {
        var url = facet.GetProperty("_schemaURL").GetString()!;
        AssertValid(facet, url, where);
        var (file, pointer) = Split(url);
        var schema = _files[file];
        Assert.True(schema["properties"]?[key] is not null, $"{where}: {file} declares no facet named '{key}'");
        var wrapped = JsonDocument.Parse(new JsonObject { [key] = JsonNode.Parse(facet.GetRawText()) }.ToJsonString()).RootElement;
        var result = _schemas[file].Evaluate(wrapped, _evaluation);
        Assert.True(result.IsValid, $"{where}: '{key}' is not valid against {file}: {Errors(result)}");
        var definition = pointer.Split('/', StringSplitOptions.RemoveEmptyEntries).Aggregate((JsonNode?)schema, (node, part) => node?[part]);
        var extends = definition?["allOf"]?[0]?["$ref"]?.GetValue<string>();
        Assert.True(extends == $"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/{kind}",
            $"{where}: {url} extends {extends ?? "nothing"}, so it does not belong among {kind}s");
    }

    private static (string File, string Pointer) Split(string url)
    {
        var hash = url.IndexOf('#');
        return hash < 0 ? (url, "") : (url[..hash], url[(hash + 1)..]);
    }

    private static string Errors(EvaluationResults result) =>
        string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(x => $"{d.InstanceLocation}: {x.Value}")));
}
