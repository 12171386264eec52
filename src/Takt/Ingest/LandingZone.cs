using Takt.Definitions;
using Takt.Landing;
using Takt.Ledger;

namespace Takt.Ingest;

/// <summary>What the landing zone holds for a source, as ingest sees it; files are listed, never read.</summary>
public static class LandingZone
{
    /// <summary>The files of <paramref name="source"/> that are new or changed (size or modification time) since the ledger last ingested them.</summary>
    public static IReadOnlyList<LandingFile> ChangedFiles(ILandingZone zone, Dataset source, ILandingLedger ledger) =>
        ChangedFiles(LandingScanner.Scan(zone, source).Files, ledger.LandedFiles(source.Name));

    internal static List<LandingFile> ChangedFiles(IReadOnlyList<LandingFile> files, IReadOnlyDictionary<string, LandedFile> known) =>
        files.Where(f => !known.TryGetValue(f.RelativePath, out var k) || k.Size != f.Size || k.ModifiedTicks != f.ModifiedTicks).ToList();
}
