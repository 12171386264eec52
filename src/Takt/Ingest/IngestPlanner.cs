using Takt.Boxes;
using Takt.Definitions;
using Takt.Engine;
using Takt.Landing;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Ingest;

/// <summary>
/// A source box whose landed content is new or changed, with the files it is made of; or, with <see cref="Adopt"/>, a box
/// whose landed content another environment's build already ingested as that version, which this one takes as it is.
/// <see cref="KeepsVersion"/>: the files hold what this environment's version of the box was made from (they changed
/// and changed back), so its ingest finds that version and nothing downstream changes.
/// </summary>
internal sealed record IngestWork(Dataset Dataset, long Box, IReadOnlyList<LandingFile> Files, string Reason, string? Adopt = null,
    bool KeepsVersion = false)
{
    public const string AdoptReason = "landed in another environment's build";
}

/// <summary>
/// What ingest would do for one source: the boxes to ingest, the changed files as the ledger will remember them once
/// ingested, and the landing files no box takes (or that cannot be used now).
/// </summary>
/// <remarks>
/// <see cref="InFlight"/>: the files whose content changed, as the ledger must remember them while their boxes are
/// ingested (no size, no hash, every box they held or hold): a build that dies before it records <see cref="Seen"/>
/// leaves them changed for the next one, even if they change back to what was recorded before.
/// </remarks>
internal sealed record IngestFindings(Dataset Dataset, IReadOnlyList<IngestWork> Work, IReadOnlyList<LandedFile> Seen, IReadOnlyList<LandingProblem> Problems)
{
    public IReadOnlyList<LandedFile> InFlight { get; init; } = [];
}

/// <summary>How finding reads changed files: their content hash, and for a file spanning many boxes the boxes its rows fall in.</summary>
internal interface ILandingFiles
{
    /// <exception cref="UnusableFileException">The file changed or vanished while it was read.</exception>
    LandingFacts Facts(LandingFile file);

    /// <exception cref="UnusableFileException">The file cannot be read, or changed while it was read.</exception>
    BoxSet BoxesOf(Dataset dataset, LandingFile file);

    /// <summary>The landing files of a source as the ledger recorded them when they were last taken.</summary>
    IReadOnlyDictionary<string, LandedFile> LandedFiles(Dataset dataset);
}

/// <summary>
/// Finds which source boxes the landing zone changed since the last ingest. Files with unchanged size and time are
/// not read; files spanning many boxes are read once to learn which boxes their rows fall in. Finding writes nothing
/// to the ledger, so <c>plan</c> shows the same source boxes a build's ingest will run.
/// </summary>
internal sealed class IngestPlanner(IBoxLedger boxes, ILandingLedger ledger, string env, ILandingZone zone, IReadOnlyList<Dataset> datasets, ILandingFiles reader,
    Func<string, string> codeHashOf)
{
    public IngestFindings Find(Dataset dataset)
    {
        var found = FindChanges(dataset);
        var ingested = found.Work.Select(w => w.Box).ToHashSet();
        var adopted = ledger.PendingSourceHeads(env, dataset.Name, codeHashOf(dataset.Name)).Where(h => !ingested.Contains(h.Box))
            .Select(h => new IngestWork(dataset, h.Box, [], IngestWork.AdoptReason, h.VersionId));
        return found with { Work = found.Work.Concat(adopted).OrderBy(w => w.Box).ToArray() };
    }

    private IngestFindings FindChanges(Dataset dataset)
    {
        var scan = Scan(dataset);
        var files = scan.Files;
        var known = reader.LandedFiles(dataset);
        var changed = LandingZone.ChangedFiles(files, known);
        if (changed.Count == 0) return new IngestFindings(dataset, [], [], scan.Problems);

        var seen = new List<LandedFile>();
        var problems = scan.Problems.ToList();
        var affected = BoxSet.Empty;
        var causes = new List<(BoxSet Boxes, string Reason)>();
        var inFlight = new List<LandedFile>();
        var boxesOf = new Dictionary<string, BoxSet>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (known.TryGetValue(file.RelativePath, out var k) && !changed.Contains(file)) boxesOf[file.RelativePath] = LandingScanner.ParseBoxes(k.Boxes);
        }
        foreach (var file in changed)
        {
            known.TryGetValue(file.RelativePath, out var before);
            BoxSet boxes;
            string sha;
            try
            {
                sha = reader.Facts(file).Sha256;
                boxes = file.Box is { } box ? BoxSet.Of(BoxRange.Single(box)) : before?.Sha256 == sha ? LandingScanner.ParseBoxes(before.Boxes) : reader.BoxesOf(dataset, file);
            }
            catch (UnusableFileException e)
            {
                problems.Add(new LandingProblem(dataset.Name, file.RelativePath, e.Message));
                continue;
            }
            boxesOf[file.RelativePath] = boxes;
            seen.Add(new LandedFile(file.RelativePath, file.Size, file.ModifiedTicks, sha, LandingScanner.FormatBoxes(boxes)));
            if (before?.Sha256 == sha) continue;
            var touched = before is null ? boxes : boxes.Union(LandingScanner.ParseBoxes(before.Boxes));
            affected = affected.Union(touched);
            causes.Add((touched, $"landing file {(before is null ? "new" : "changed")}: {file.RelativePath}"));
            inFlight.Add(new LandedFile(file.RelativePath, Size: -1, ModifiedTicks: 0, Sha256: "", LandingScanner.FormatBoxes(touched)));
        }

        var work = affected.Select(box => new IngestWork(dataset, box,
            files.Where(f => boxesOf.TryGetValue(f.RelativePath, out var b) && b.Contains(box)).ToArray(),
            ReasonOf(box, causes))).Where(w => w.Files.Count > 0).ToArray();
        return new IngestFindings(dataset, KeptVersions(dataset, work, known, seen), seen, problems) { InFlight = inFlight };
    }

    /// <summary>Marks the work whose files make the version id this environment's box already has (see <see cref="IngestWork.KeepsVersion"/>).</summary>
    private IngestWork[] KeptVersions(Dataset dataset, IngestWork[] work, IReadOnlyDictionary<string, LandedFile> known, List<LandedFile> seen)
    {
        if (work.Length == 0) return work;
        var sha = known.Values.ToDictionary(f => f.Path, f => f.Sha256, StringComparer.Ordinal);
        foreach (var file in seen) sha[file.Path] = file.Sha256; // what the changed files hold now
        var span = new BoxRange(work.Min(w => w.Box), work.Max(w => w.Box));
        var heads = boxes.Boxes(env, dataset.Name, span).ToDictionary(b => b.Box);
        var generations = boxes.Generations(dataset.Name, span);
        var codeHash = codeHashOf(dataset.Name);
        return work.Select(w =>
        {
            if (!heads.TryGetValue(w.Box, out var head) || head.HeadStatus == BoxHeadStatus.Lost || w.Files.Any(f => !sha.ContainsKey(f.RelativePath))) return w;
            var id = Recipe.ForSource(dataset.Name, w.Box, codeHash, generations.Of(w.Box), w.Files.Select(f => (f.RelativePath, sha[f.RelativePath])));
            return id == head.HeadVersion ? w with { KeepsVersion = true, Reason = $"{w.Reason}, back to what this environment has" } : w;
        }).ToArray();
    }

    /// <summary>Why a box is ingested: the new or changed file that holds it (the first one, when several do).</summary>
    private static string ReasonOf(long box, List<(BoxSet Boxes, string Reason)> causes)
    {
        var reasons = causes.Where(c => c.Boxes.Contains(box)).Select(c => c.Reason).ToList();
        return reasons.Count == 1 ? reasons[0] : $"{reasons[0]} and {reasons.Count - 1} more file(s)";
    }

    /// <summary>The landing files of a source and those no box takes, without reading any file.</summary>
    public LandingScan Scan(Dataset dataset) => LandingScanner.Scan(zone, dataset, datasets);

    /// <summary>The landing files of one box, for re-ingesting an invalidated box.</summary>
    public IReadOnlyList<LandingFile> FilesOf(Dataset dataset, long box)
    {
        var known = ledger.LandedFiles(dataset.Name);
        return Scan(dataset).Files
            .Where(f => f.Box == box || (f.Box is null && known.TryGetValue(f.RelativePath, out var k) && LandingScanner.ParseBoxes(k.Boxes).Contains(box)))
            .ToArray();
    }
}

/// <summary>
/// <see cref="ILandingFiles"/> for looking only (<c>plan</c>, <c>status</c>): hashes changed files and asks DuckDB which
/// boxes a split file's rows fall in, with the same reading rules as ingest, writing nothing.
/// </summary>
internal sealed class LandingPeek(DuckDbPool duckDb, ILandingLedger ledger) : ILandingFiles
{
    public LandingFacts Facts(LandingFile file) => LandingReads.FactsOf(file);

    public IReadOnlyDictionary<string, LandedFile> LandedFiles(Dataset dataset) => ledger.LandedFiles(dataset.Name);

    public BoxSet BoxesOf(Dataset dataset, LandingFile file)
    {
        var facts = Facts(file);
        using var lease = duckDb.Rent(smallWork: file.Size <= DuckDbPool.SmallWorkBytes);
        var db = lease.Session;
        LandingRead? read = null;
        try
        {
            read = LandingRead.Prepare(db, dataset, file, facts, withBox: true, JsonReading.Lines); // a bad line must not hide the boxes of the others
            var boxes = db.Rows($"SELECT DISTINCT {LandingRead.Box} FROM ({read.Sql}) WHERE {LandingRead.Box} <> {LandingRead.NoBox}");
            LandingReads.StillUnchanged(file, facts);
            return BoxSet.OfBoxes(boxes.Select(r => Convert.ToInt64(r[0], System.Globalization.CultureInfo.InvariantCulture)));
        }
        catch (EngineException e)
        {
            throw new UnusableFileException(file, LandingRead.CannotRead(e), stillBeingWritten: false);
        }
        finally
        {
            read?.DropRejects(db);
        }
    }
}
