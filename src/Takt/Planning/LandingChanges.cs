using Takt.Boxes;

namespace Takt.Planning;

/// <summary>
/// Source boxes whose landing files are new or changed since they were last ingested, each with why ("landing file
/// new: orders/2026-01-05.jsonl"): what the ingest of a build would run. Found without writing anything.
/// </summary>
public sealed class LandingChanges(IReadOnlyDictionary<string, IReadOnlyDictionary<long, string>> bySource)
{
    public static LandingChanges None { get; } = new(new Dictionary<string, IReadOnlyDictionary<long, string>>());

    public BoxSet BoxesOf(string source) => bySource.TryGetValue(source, out var boxes) ? BoxSet.OfBoxes(boxes.Keys) : BoxSet.Empty;

    public string? ReasonOf(string source, long box) => bySource.TryGetValue(source, out var boxes) ? boxes.GetValueOrDefault(box) : null;
}
