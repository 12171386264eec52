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
    /// directories flushed too.)
    /// </remarks>
    public void Promote(string stagingDirectory, VersionLocation location)
    {
        var target = PathOf(location);
        var box = Path.GetDirectoryName(target)!;
        CreateDurably(box);
        if (Directory.Exists(target))
        {
            // Not in the ledger (the caller commits after promoting), so it is the leftover of a crashed attempt.
            var trash = target + ".trash-" + Guid.NewGuid().ToString("N");
            Directory.Move(target, trash);
            Directory.Delete(trash, recursive: true);
        }
        Directory.Move(stagingDirectory, target);
        foreach (var file in Directory.GetFiles(target)) FileSync.FlushFile(file);
        FileSync.FlushDirectory(target);
        FileSync.FlushDirectory(box);
    }

    public IReadOnlyList<string> Files(VersionLocation location)
    {
        var dir = PathOf(location);
        string[] files;
        try { files = Directory.GetFiles(dir, "*.parquet"); }
        catch (DirectoryNotFoundException e) { throw new FileNotFoundException($"The files of version {location.RelativePath} are missing from the lake ({dir}).", e); }
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    public void CleanStaging(Func<string, bool> isRunAlive)
    {
        foreach (var runDir in Directory.GetDirectories(_staging))
        {
            if (isRunAlive(Path.GetFileName(runDir))) continue;
            try { Directory.Delete(runDir, recursive: true); }
            catch (IOException) { /* another cleaner got there first */ }
            catch (UnauthorizedAccessException) { }
        }
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
