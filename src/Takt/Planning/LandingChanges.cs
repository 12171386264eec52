using Takt.Boxes;

namespace Takt.Planning;

/// <summary>
/// Source boxes whose landing files are new or changed since they were last ingested, each with why ("landing file
/// new: orders/2026-01-05.jsonl"): what the ingest of a build would run. Found without writing anything.
/// </summary>
public sealed class LandingChanges(IReadOnlyDictionary<string, IReadOnlyDictionary<long, LandingChange>> bySource)
{
    public static LandingChanges None { get; } = new(new Dictionary<string, IReadOnlyDictionary<long, LandingChange>>());

    public BoxSet BoxesOf(string source) => bySource.TryGetValue(source, out var boxes) ? BoxSet.OfBoxes(boxes.Keys) : BoxSet.Empty;

    /// <summary>The boxes whose ingest will find the version the environment already has: tasks, whose readers stay fresh.</summary>
    public BoxSet KeptBoxesOf(string source) =>
        bySource.TryGetValue(source, out var boxes) ? BoxSet.OfBoxes(boxes.Where(b => b.Value.KeepsVersion).Select(b => b.Key)) : BoxSet.Empty;

    public string? ReasonOf(string source, long box) => bySource.TryGetValue(source, out var boxes) ? boxes.GetValueOrDefault(box)?.Reason : null;
}

/// <summary>Why a source box is ingested, and whether its ingest will find the version the environment already has.</summary>
public sealed record LandingChange(string Reason, bool KeepsVersion);
