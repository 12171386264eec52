using Takt.Boxes;
using Takt.Definitions;
using Takt.Ledger;

namespace Takt.Ingest;

/// <summary>A source box whose landed content is new or changed, with the files it is made of.</summary>
internal sealed record IngestWork(Dataset Dataset, long Box, IReadOnlyList<LandingFile> Files, string Reason);

/// <summary>
/// What ingest would do for one source: the boxes to ingest, the changed files as the ledger will remember them once
/// ingested, and the landing files no box takes.
/// </summary>
internal sealed record IngestFindings(Dataset Dataset, IReadOnlyList<IngestWork> Work, IReadOnlyList<LandedFile> Seen, IReadOnlyList<LandingProblem> Problems);

/// <summary>
/// Finds which source boxes the landing zone changed since the last ingest. Files with unchanged size and time are
/// not read; files spanning many boxes are read once to learn which boxes their rows fall in. Finding writes nothing
/// to the ledger, so <c>plan</c> can show the same work a build's ingest will run.
/// </summary>
internal sealed class IngestPlanner(ILedger ledger, string landingRoot, IReadOnlyList<Dataset> datasets, Func<Dataset, LandingFile, BoxSet> boxesOfSplitFile)
{
    public IngestFindings Find(Dataset dataset)
    {
        var scan = Scan(dataset);
        var files = scan.Files;
        var known = ledger.LandedFiles(dataset.Name);
        var changed = LandingZone.ChangedFiles(files, known);
        if (changed.Count == 0) return new IngestFindings(dataset, [], [], scan.Problems);

        var seen = new List<LandedFile>();
        var affected = BoxSet.Empty;
        var causes = new List<(BoxSet Boxes, string Reason)>();
        var boxesOf = new Dictionary<string, BoxSet>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (known.TryGetValue(file.RelativePath, out var k) && !changed.Contains(file)) boxesOf[file.RelativePath] = LandingScanner.ParseBoxes(k.Boxes);
        }
        foreach (var file in changed)
        {
            var sha = Hashing.FileSha256(file.FullPath);
            known.TryGetValue(file.RelativePath, out var before);
            var boxes = file.Box is { } box ? BoxSet.Of(BoxRange.Single(box)) : before?.Sha256 == sha ? LandingScanner.ParseBoxes(before.Boxes) : boxesOfSplitFile(dataset, file);
            boxesOf[file.RelativePath] = boxes;
            seen.Add(new LandedFile(file.RelativePath, file.Size, file.ModifiedTicks, sha, LandingScanner.FormatBoxes(boxes)));
            if (before?.Sha256 == sha) continue;
            var touched = before is null ? boxes : boxes.Union(LandingScanner.ParseBoxes(before.Boxes));
            affected = affected.Union(touched);
            causes.Add((touched, $"landing file {(before is null ? "new" : "changed")}: {file.RelativePath}"));
        }

        var work = affected.Select(box => new IngestWork(dataset, box,
            files.Where(f => boxesOf.TryGetValue(f.RelativePath, out var b) && b.Contains(box)).ToArray(),
            ReasonOf(box, causes))).Where(w => w.Files.Count > 0).ToArray();
        return new IngestFindings(dataset, work, seen, scan.Problems);
    }

    /// <summary>Why a box is ingested: the new or changed file that holds it (the first one, when several do).</summary>
    private static string ReasonOf(long box, List<(BoxSet Boxes, string Reason)> causes)
    {
        var reasons = causes.Where(c => c.Boxes.Contains(box)).Select(c => c.Reason).ToList();
        return reasons.Count == 1 ? reasons[0] : $"{reasons[0]} and {reasons.Count - 1} more file(s)";
    }

    /// <summary>The landing files of a source and those no box takes, without reading any file.</summary>
    public LandingScan Scan(Dataset dataset) => LandingScanner.Scan(landingRoot, dataset, datasets);

    /// <summary>The landing files of one box, for re-ingesting an invalidated box.</summary>
    public IReadOnlyList<LandingFile> FilesOf(Dataset dataset, long box)
    {
        var known = ledger.LandedFiles(dataset.Name);
        return Scan(dataset).Files
            .Where(f => f.Box == box || (f.Box is null && known.TryGetValue(f.RelativePath, out var k) && LandingScanner.ParseBoxes(k.Boxes).Contains(box)))
            .ToArray();
    }
}
