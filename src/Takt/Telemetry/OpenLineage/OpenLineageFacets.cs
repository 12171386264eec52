using System.Text.Json;
using Takt.Ledger;

namespace Takt.Telemetry.OpenLineage;

/// <summary>
/// The OpenLineage facets Takt writes, each in the shape and at the place (run, dataset, input or output) that its
/// JSON Schema in the specification gives it, with the <c>_schemaURL</c> of the schema version it follows.
/// </summary>
internal static class OpenLineageFacets
{
    public const string Producer = "https://github.com/takt-data/takt";
    public const string RunEventSchema = "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";

    public static void Parent(Utf8JsonWriter w, string ns, Guid parentRun, string parentJob, Guid rootRun, string rootJob)
    {
        w.WriteStartObject("parent");
        WriteRunAndJob(w, ns, parentRun, parentJob);
        w.WriteStartObject("root");
        WriteRunAndJob(w, ns, rootRun, rootJob);
        w.WriteEndObject();
        End(w, "1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet");
    }

    public static void ErrorMessage(Utf8JsonWriter w, string message)
    {
        w.WriteStartObject("errorMessage");
        w.WriteString("message", message);
        w.WriteString("programmingLanguage", "C#");
        End(w, "1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet");
    }

    public static void Version(Utf8JsonWriter w, string version)
    {
        w.WriteStartObject("version");
        w.WriteString("datasetVersion", version);
        End(w, "1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet");
    }

    /// <param name="fieldsJson">The version's schema as recorded: <c>[{"name", "type"}]</c>, the facet's own shape.</param>
    public static void Schema(Utf8JsonWriter w, string fieldsJson)
    {
        w.WriteStartObject("schema");
        w.WritePropertyName("fields");
        w.WriteRawValue(fieldsJson);
        End(w, "1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet");
    }

    /// <summary>The boxes read or written, as the subset facet's partition condition (an input or an output facet).</summary>
    public static void Subset(Utf8JsonWriter w, bool input, IEnumerable<string> boxes)
    {
        w.WriteStartObject("subset");
        w.WriteStartObject(input ? "inputCondition" : "outputCondition");
        w.WriteString("type", "partition");
        w.WriteStartArray("partitions");
        foreach (var box in boxes)
        {
            w.WriteStartObject();
            w.WriteString("identifier", box);
            w.WriteStartObject("dimensions");
            w.WriteString("box", box);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        End(w, input ? "1-0-0/BaseSubsetDatasetFacet.json#/$defs/InputSubsetInputDatasetFacet" : "1-0-0/BaseSubsetDatasetFacet.json#/$defs/OutputSubsetOutputDatasetFacet");
    }

    public static void OutputStatistics(Utf8JsonWriter w, long rows, long bytes)
    {
        w.WriteStartObject("outputStatistics");
        w.WriteNumber("rowCount", rows);
        w.WriteNumber("size", bytes);
        End(w, "1-0-2/OutputStatisticsOutputDatasetFacet.json#/$defs/OutputStatisticsOutputDatasetFacet");
    }

    /// <summary>
    /// Check results of a version, an input facet of the run that checked it. A blocking check's severity is the
    /// specification's <c>error</c> (its failure stops the line), a warning's <c>warn</c>.
    /// </summary>
    /// <param name="columnOf">The one column a check is about, when it is about one.</param>
    public static void DataQualityAssertions(Utf8JsonWriter w, IEnumerable<CheckResult> checks, Func<string, string?> columnOf)
    {
        w.WriteStartObject("dataQualityAssertions");
        w.WriteStartArray("assertions");
        foreach (var check in checks.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("assertion", check.Kind);
            w.WriteString("name", check.Name);
            w.WriteBoolean("success", check.Passed);
            w.WriteString("severity", Severity(check.Severity));
            if (columnOf(check.Name) is { } column) w.WriteString("column", column);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        End(w, "1-1-0/DataQualityAssertionsDatasetFacet.json#/$defs/DataQualityAssertionsDatasetFacet");
    }

    public static string Severity(string severity) => severity == "warn" ? "warn" : "error";

    private static void WriteRunAndJob(Utf8JsonWriter w, string ns, Guid run, string job)
    {
        w.WriteStartObject("run");
        w.WriteString("runId", run.ToString());
        w.WriteEndObject();
        w.WriteStartObject("job");
        w.WriteString("namespace", ns);
        w.WriteString("name", job);
        w.WriteEndObject();
    }

    /// <summary>Every facet names who produced it and the schema it follows, then closes.</summary>
    private static void End(Utf8JsonWriter w, string schema)
    {
        w.WriteString("_producer", Producer);
        w.WriteString("_schemaURL", "https://openlineage.io/spec/facets/" + schema);
        w.WriteEndObject();
    }
}
