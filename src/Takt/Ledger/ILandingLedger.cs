using System.Text;

namespace Takt.Ledger;

/// <summary>
/// A landing file that cannot become part of any box (a name that matches no box, a directory where files are expected,
/// a name with control characters) or that was not ingested this time (still being written). <see cref="Path"/> is
/// relative to the landing directory, with control characters shown as <c>\xNN</c>.
/// </summary>
public sealed record LandingProblem(string Dataset, string Path, string Problem)
{
    public override string ToString() => $"{Dataset}: {Path}: {Problem}";

    /// <summary>A path as people can read it: control characters (which a terminal would act on) become <c>\xNN</c>.</summary>
    public static string Printable(string path)
    {
        if (!path.Any(char.IsControl)) return path;
        var text = new StringBuilder(path.Length + 8);
        foreach (var c in path) text.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c);
        return text.ToString();
    }
}

/// <summary>What landed last for a source box, as another environment's ingest recorded it.</summary>
public sealed record SourceHead(long Box, string VersionId);

/// <summary>A landing file as a source version read it: its path under the landing directory, size and SHA-256 (lower-case hex).</summary>
public sealed record SourceFile(string Path, long Size, string Sha256);

/// <summary>
/// The landing zone's bookkeeping: which files ingest took (to see what changed), what landed last for each source box
/// (shared by every environment), the files each source version was read from, and the landing problems already reported.
/// </summary>
public interface ILandingLedger
{
    /// <summary>The files ingest recorded for the source, by path (ordinal).</summary>
    IReadOnlyDictionary<string, LandedFile> LandedFiles(string dataset);

    /// <summary>Records (or replaces, by path) files ingest took, in one write.</summary>
    void RecordLandedFiles(string dataset, IReadOnlyList<LandedFile> files);

    /// <summary>Records that <paramref name="versionId"/> is what landed last for a source box (replacing the one before); gc keeps it.</summary>
    void SetSourceHead(string dataset, long box, string versionId);

    /// <summary>
    /// The source boxes whose last landed version (<see cref="SetSourceHead"/>) is made by <paramref name="codeHash"/> but
    /// is not what <paramref name="env"/> points at, leaving out versions collected, being collected or lost: what another
    /// environment's ingest took that this one has not adopted yet. Reads only.
    /// </summary>
    IReadOnlyList<SourceHead> PendingSourceHeads(string env, string dataset, string codeHash);

    /// <summary>
    /// Remembers the landing problems of a source as ingest found them now, and records an event for each one that is new
    /// (or whose problem changed): a misnamed file is reported once, not on every build. Problems no longer present are
    /// forgotten, so a file that comes back is reported again.
    /// </summary>
    /// <returns>The problems that were new.</returns>
    IReadOnlyList<LandingProblem> RecordLandingProblems(string env, string dataset, IReadOnlyList<LandingProblem> problems);

    /// <summary>
    /// Records the landing files a source version is made from. A source version is named by them, so the same id
    /// always has the same files: recording them again changes nothing.
    /// </summary>
    void RecordSourceFiles(string versionId, IReadOnlyList<SourceFile> files);

    /// <summary>The landing files a source version was made from, by path; none for a transform's version or one ingested before they were recorded.</summary>
    IReadOnlyList<SourceFile> SourceFilesOf(string versionId);
}
