using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Takt.Definitions;
using Takt.Ledger;

namespace Takt.Ingest;

/// <summary>
/// The per-box extracts of split landing files, kept across builds in the lake's own area
/// (<c>&lt;lake&gt;/_kept/&lt;dataset&gt;/&lt;key&gt;/</c>), so that a late file does not make every unchanged file be read
/// again. A kept split is keyed by the file's path, its content hash and the source's code hash (its schema, format
/// and split column): a changed file or source definition never finds an old one. Its manifest records what the read
/// found beyond rows (lines rejected, line map, columns present) and the size of every part; a part missing or of
/// another size makes the whole kept split untrusted, and the file is read again.
/// </summary>
internal sealed class KeptSplits(string root)
{
    private const string ManifestName = "kept.json";

    private string DirOf(Dataset dataset, string path, string sha, string codeHash) =>
        Path.Combine(root, dataset.Name, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{path}\n{sha}\n{codeHash}")))[..32]);

    /// <summary>The kept split of the file with this content, or null with why not (null problem: none was kept).</summary>
    public (SplitExtract? Extract, string? Problem) Find(Dataset dataset, LandingFile file, string sha, string codeHash)
    {
        var dir = DirOf(dataset, file.RelativePath, sha, codeHash);
        if (!Directory.Exists(dir)) return (null, null);
        Manifest? manifest;
        try { manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(Path.Combine(dir, ManifestName))); }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException) { return (null, $"its manifest cannot be read ({e.Message})"); }
        if (manifest is null || manifest.Path != file.RelativePath || manifest.Sha256 != sha || manifest.CodeHash != codeHash)
            return (null, "its manifest names another file");
        foreach (var (part, size) in manifest.Parts)
        {
            var info = new FileInfo(Path.Combine(dir, part));
            if (!info.Exists) return (null, $"part {part} is missing");
            if (info.Length != size) return (null, $"part {part} has {info.Length.ToString(CultureInfo.InvariantCulture)} bytes, not {size.ToString(CultureInfo.InvariantCulture)}");
        }
        var lines = new ReadLines(file.RelativePath, manifest.Rows, manifest.Rejected, new LineMap(manifest.Unit, manifest.Header, manifest.RejectedLines));
        return (new SplitExtract(file, sha, SplitExtract.FoldersIn(dir), lines, manifest.Present, TimeSpan.Zero)
        {
            Kept = true,
            Root = dir,
            Counts = manifest.Counts?.ToDictionary(c => long.Parse(c.Key, CultureInfo.InvariantCulture), c => new BoxCounts(c.Value[0], c.Value[1])),
        }, null);
    }

    /// <summary>Moves a fresh extract (a staging folder) into the kept area and returns it there; another build's copy of it wins.</summary>
    public SplitExtract Keep(Dataset dataset, string codeHash, SplitExtract read, string folder)
    {
        var dir = DirOf(dataset, read.File.RelativePath, read.Sha256, codeHash);
        Directory.CreateDirectory(Path.GetDirectoryName(dir)!);
        var temp = Path.Combine(Path.GetDirectoryName(dir)!, ".tmp-" + Guid.NewGuid().ToString("N"));
        if (Directory.Exists(folder)) Directory.Move(folder, temp);
        else Directory.CreateDirectory(temp); // no row at all: nothing was written
        var parts = Directory.GetFiles(temp, "*.parquet", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(temp, p), p => new FileInfo(p).Length, StringComparer.Ordinal);
        var manifest = new Manifest(read.File.RelativePath, read.Sha256, codeHash, read.Lines.Rows, read.Lines.Lines.Unit, read.Lines.Lines.Header,
            read.Lines.Lines.RejectedLines.ToArray(), read.Lines.Rejected.ToList(), read.Present?.ToList(), parts,
            read.Counts?.ToDictionary(c => c.Key.ToString(CultureInfo.InvariantCulture), c => new[] { c.Value.Rows, c.Value.Clean }));
        File.WriteAllText(Path.Combine(temp, ManifestName), JsonSerializer.Serialize(manifest));
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); // a damaged one, found untrusted before this read
        try { Directory.Move(temp, dir); }
        catch (IOException) when (Directory.Exists(dir))
        {
            Directory.Delete(temp, recursive: true); // another build kept the same content meanwhile
        }
        return read with { Folders = SplitExtract.FoldersIn(dir), Root = dir };
    }

    /// <summary>
    /// Deletes the kept splits no landed file of the source holds any longer (the file's record changed or is gone, or the
    /// source's definition changed); those written since <paramref name="since"/> are left, as a build running beside
    /// this one may be using them. Returns how many were deleted.
    /// </summary>
    public int Prune(Dataset dataset, string codeHash, IReadOnlyDictionary<string, LandedFile> landed, DateTime since)
    {
        var datasetDir = Path.Combine(root, dataset.Name);
        if (!Directory.Exists(datasetDir)) return 0;
        var wanted = landed.Values.Where(f => f.Sha256.Length > 0).Select(f => Path.GetFileName(DirOf(dataset, f.Path, f.Sha256, codeHash))).ToHashSet(StringComparer.Ordinal);
        var deleted = 0;
        foreach (var dir in Directory.GetDirectories(datasetDir))
        {
            if (wanted.Contains(Path.GetFileName(dir)) || Directory.GetLastWriteTimeUtc(dir) >= since) continue;
            try { Directory.Delete(dir, recursive: true); deleted++; }
            catch (IOException) { /* another build's prune got there first */ }
        }
        return deleted;
    }

    private sealed record Manifest(string Path, string Sha256, string CodeHash, long Rows, string Unit, long Header, long[] RejectedLines,
        List<MalformedLine> Rejected, List<string>? Present, Dictionary<string, long> Parts, Dictionary<string, long[]>? Counts = null);
}
