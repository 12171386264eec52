using System.Security.Cryptography;
using Takt.Ledger;

namespace Takt.Lake;

/// <summary>The embedded lake: a local directory. Promotion is a directory rename on the same file system.</summary>
public sealed class LocalLake : ILake
{
    private readonly string _root;
    private readonly string _staging;

    public LocalLake(string root)
    {
        _root = Path.GetFullPath(root);
        _staging = Path.Combine(_root, "_staging");
        Directory.CreateDirectory(_staging);
    }

    public string Describe => $"file:{_root}";

    public string KeptDirectory => Path.Combine(_root, "_kept");

    public string CreateStaging(string runId, string attempt)
    {
        var dir = Path.Combine(_staging, runId, attempt);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <remarks>
    /// The files and the names that lead to them are flushed to disk after the move, before the caller commits: a
    /// commit that survives a power loss must not name a version whose rename did not. (File systems that journal
    /// metadata would keep the rename with the file's fsync alone; POSIX, and ext4 without a journal, need the
    /// directories flushed too.) Each file is hashed in the same pass that flushes it.
    /// </remarks>
    public IReadOnlyList<VersionFile> Promote(string stagingDirectory, VersionLocation location)
    {
        var target = PathOf(location);
        var box = Path.GetDirectoryName(target)!;
        CreateDurably(box);
        if (Directory.Exists(target))
        {
            // A leftover of a crashed attempt, or the files of a version that is lost or freed by gc, which this task makes again.
            var trash = target + ".trash-" + Guid.NewGuid().ToString("N");
            Directory.Move(target, trash);
            Directory.Delete(trash, recursive: true);
        }
        Directory.Move(stagingDirectory, target);
        var files = ParquetFiles(target).Select(path => Measure(path, flushToDisk: true)).ToArray();
        FileSync.FlushDirectory(target);
        FileSync.FlushDirectory(box);
        return files;
    }

    public IReadOnlyList<FileProblem> Check(VersionLocation location, IReadOnlyList<VersionFile> files, bool deep)
    {
        var problems = new List<FileProblem>();
        foreach (var file in files)
        {
            var info = new FileInfo(PathOf(location, file.Name));
            if (!info.Exists) problems.Add(new FileProblem(file.Name, FileProblemKind.Missing, $"{file.Name} missing"));
            else if (info.Length != file.Size) problems.Add(new FileProblem(file.Name, FileProblemKind.Size, $"{file.Name} is {info.Length} bytes, {file.Size} recorded"));
            else if (deep && Measure(info.FullName, flushToDisk: false).Sha256 != file.Sha256)
                problems.Add(new FileProblem(file.Name, FileProblemKind.Checksum, $"{file.Name} does not match its recorded SHA-256 (its content changed)"));
        }
        return problems;
    }

    public IReadOnlyList<string> LocalPaths(VersionLocation location, IReadOnlyList<VersionFile> files) =>
        files.Select(f => PathOf(location, f.Name)).ToArray();

    public (IReadOnlyList<VersionFile> Files, IReadOnlyList<FileProblem> Problems) Survey(VersionLocation location)
    {
        var dir = PathOf(location);
        if (!Directory.Exists(dir)) return ([], [new FileProblem("", FileProblemKind.Missing, $"directory {location.RelativePath}/ missing")]);
        var paths = ParquetFiles(dir);
        if (paths.Count == 0) return ([], [new FileProblem("", FileProblemKind.Missing, $"no Parquet file in {location.RelativePath}/")]);
        var files = new List<VersionFile>();
        var problems = new List<FileProblem>();
        foreach (var path in paths)
        {
            var name = Path.GetFileName(path);
            if (ParquetShape.Problem(path) is { } problem) problems.Add(new FileProblem(name, FileProblemKind.NotParquet, $"{name} {problem}"));
            else files.Add(Measure(path, flushToDisk: false));
        }
        return (files, problems);
    }

    public IReadOnlyList<StagingLeftover> CleanStaging(Func<string, bool> isRunAlive)
    {
        var leftovers = new List<StagingLeftover>();
        foreach (var runDir in Directory.GetDirectories(_staging))
        {
            if (isRunAlive(Path.GetFileName(runDir))) continue;
            try { Directory.Delete(runDir, recursive: true); }
            catch (DirectoryNotFoundException) { /* another cleaner got there first */ }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (Directory.Exists(runDir)) leftovers.Add(new StagingLeftover(runDir, e.Message.ReplaceLineEndings(" ")));
            }
        }
        return leftovers;
    }

    public void DiscardStaging(string stagingDirectory)
    {
        if (Directory.Exists(stagingDirectory)) Directory.Delete(stagingDirectory, recursive: true);
    }

    public void Delete(VersionLocation location)
    {
        var dir = PathOf(location);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    private string PathOf(VersionLocation location) => Path.Combine(_root, location.Dataset, location.BoxKey, location.VersionId);

    private string PathOf(VersionLocation location, string fileName) =>
        fileName.Length > 0 && Path.GetFileName(fileName) == fileName && fileName is not ("." or "..")
            ? Path.Combine(PathOf(location), fileName)
            : throw new InvalidDataException($"{location}: the ledger records a file named '{fileName}', which is not a plain file name.");

    private static List<string> ParquetFiles(string dir)
    {
        var files = Directory.GetFiles(dir, "*.parquet").ToList();
        files.Sort(StringComparer.Ordinal);
        return files;
    }

    /// <summary>Size and SHA-256 of a file, read once; flushed to disk in the same open when asked.</summary>
    private static VersionFile Measure(string path, bool flushToDisk)
    {
        using var stream = new FileStream(path, FileMode.Open, flushToDisk ? FileAccess.ReadWrite : FileAccess.Read, FileShare.Read, 1 << 16);
        var sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        if (flushToDisk) stream.Flush(flushToDisk: true);
        return new VersionFile(Path.GetFileName(path), stream.Length, sha);
    }

    /// <summary>Creates a directory and its missing parents, each made durable in its parent.</summary>
    private void CreateDurably(string directory)
    {
        if (Directory.Exists(directory)) return;
        var parent = Path.GetDirectoryName(directory)!;
        if (directory != _root) CreateDurably(parent);
        Directory.CreateDirectory(directory);
        FileSync.FlushDirectory(parent);
    }
}
