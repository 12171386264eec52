namespace Takt.Ledger;

/// <summary>A landing file as a source version read it: its path under the landing directory, size and SHA-256 (lower-case hex).</summary>
public sealed record SourceFile(string Path, long Size, string Sha256);

public partial interface ILedger
{
    /// <summary>
    /// Records the landing files a source version is made from. A source version is named by them, so the same id
    /// always has the same files: recording them again changes nothing.
    /// </summary>
    void RecordSourceFiles(string versionId, IReadOnlyList<SourceFile> files);

    /// <summary>The landing files a source version was made from, by path; none for a transform's version or one ingested before they were recorded.</summary>
    IReadOnlyList<SourceFile> SourceFilesOf(string versionId);
}
