using Takt.Definitions;

namespace Takt.Publishing;

/// <summary>
/// Publishes Parquet files into a directory: each copy is a sub-directory <c>cN</c>, and readers open
/// <c>DIR/current</c>, a symbolic link replaced atomically by a rename.
/// </summary>
internal sealed class DirectoryPublisher(DirectoryPublishTarget target, string home, Engine.DuckDbPool duckDb) : IPublisher
{
    private readonly string _root = Path.GetFullPath(Path.IsPathRooted(target.Path) ? target.Path : Path.Combine(home, target.Path));

    private string Current => Path.Combine(_root, "current");

    public long WriteCopy(string copy, IReadOnlyList<string> parquetFiles, Schema schema)
    {
        var target = Path.Combine(_root, Publishers.ValidCopy(copy));
        var temp = Path.Combine(_root, $".{copy}.tmp-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(temp);
            for (var i = 0; i < parquetFiles.Count; i++) File.Copy(parquetFiles[i], Path.Combine(temp, $"part-{i:00000}.parquet"));
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            Directory.Move(temp, target);
            if (parquetFiles.Count == 0) return 0;
            using var lease = duckDb.Rent();
            return lease.Session.Scalar<long>($"SELECT count(*) FROM read_parquet({Engine.SqlText.FileList(parquetFiles)})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            throw new PublishTargetException($"cannot write copy {copy} into {_root}: {e.Message}", e);
        }
    }

    public void SwitchTo(string copy)
    {
        if (!Directory.Exists(Path.Combine(_root, Publishers.ValidCopy(copy))))
            throw new PublishTargetException($"copy {copy} does not exist in {_root}.");
        var link = Path.Combine(_root, $".current.tmp-{Guid.NewGuid():N}");
        File.CreateSymbolicLink(link, copy);
        // rename(2) replaces the link in one step: readers see the old or the new copy, never none. (File.Move would
        // follow the link to a directory and refuse.)
        if (Rename(link, Current) != 0)
            throw new PublishTargetException($"cannot switch {Current} to {copy}: error {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    public void DropCopy(string copy)
    {
        var path = Path.Combine(_root, Publishers.ValidCopy(copy));
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }

    public IReadOnlyList<string> Copies() => Directory.Exists(_root)
        ? Directory.GetDirectories(_root).Select(Path.GetFileName).OfType<string>().Where(n => n.StartsWith('c') && n[1..].All(char.IsAsciiDigit) && n.Length > 1).ToArray()
        : [];

    public void Dispose() { }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string oldPath, string newPath);
}
