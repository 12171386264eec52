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

    /// <remarks>Each file is hashed here, in one read; the directories that lead to it are created but not flushed (<see cref="Persist"/> does).</remarks>
    public IReadOnlyList<VersionFile> Place(string stagingDirectory, VersionLocation location)
    {
        var target = PathOf(location);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        if (Directory.Exists(target))
        {
            // A leftover of a crashed attempt, or the files of a version that is lost or freed by gc, which this task makes again.
            var trash = target + ".trash-" + Guid.NewGuid().ToString("N");
            Directory.Move(target, trash);
            Directory.Delete(trash, recursive: true);
        }
        Directory.Move(stagingDirectory, target);
        return ParquetFiles(target).Select(Measure).ToArray();
    }

    /// <remarks>
    /// A commit that survives a power loss must not name a version whose files or rename did not: the files, the
    /// version's directory and the box and dataset directories that name it are flushed. (File systems that journal
    /// metadata would keep the renames with the files' fsync alone; POSIX, and ext4 without a journal, need the
    /// directories flushed too.) On Linux that is one <c>syncfs</c> barrier per file system for all the versions
    /// (<see cref="FileSync.FlushFileSystems"/>), elsewhere one fsync per file and directory.
    /// </remarks>
    public void Persist(IReadOnlyCollection<VersionLocation> locations)
    {
        if (locations.Count == 0) return;
        var directories = new HashSet<string>(StringComparer.Ordinal) { _root };
        foreach (var location in locations)
        {
            var version = PathOf(location);
            var box = Path.GetDirectoryName(version)!;
            directories.UnionWith([version, box, Path.GetDirectoryName(box)!]);
        }
        if (FileSync.CanFlushFileSystems)
        {
            FileSync.FlushFileSystems(directories);
            return;
        }
        foreach (var location in locations)
            foreach (var file in ParquetFiles(PathOf(location)))
                FileSync.FlushFile(file);
        foreach (var dir in directories) FileSync.FlushDirectory(dir);
    }

    public IReadOnlyList<FileProblem> Check(VersionLocation location, IReadOnlyList<VersionFile> files, bool deep)
    {
        var problems = new List<FileProblem>();
        foreach (var file in files)
        {
            var info = new FileInfo(PathOf(location, file.Name));
            if (!info.Exists) problems.Add(new FileProblem(file.Name, FileProblemKind.Missing, $"{file.Name} missing"));
            else if (info.Length != file.Size) problems.Add(new FileProblem(file.Name, FileProblemKind.Size, $"{file.Name} is {info.Length} bytes, {file.Size} recorded"));
            else if (deep && Measure(info.FullName).Sha256 != file.Sha256)
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
            else files.Add(Measure(path));
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

    /// <summary>Size and SHA-256 of a file, read once.</summary>
    private static VersionFile Measure(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        return new VersionFile(Path.GetFileName(path), stream.Length, sha);
    }
}
