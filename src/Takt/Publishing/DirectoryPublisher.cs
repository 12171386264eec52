using System.Runtime.InteropServices;
using Takt.Definitions;

namespace Takt.Publishing;

/// <summary>
/// Publishes Parquet files into a directory: each copy is a sub-directory <c>cN</c> holding <c>part-NNNNN.parquet</c>,
/// and readers open <c>DIR/current</c>, a symbolic link replaced atomically by a rename.
/// </summary>
/// <remarks>DuckDB is used only to count the rows written.</remarks>
internal sealed class DirectoryPublisher(DirectoryPublishTarget target, string home, Engine.DuckDbPool duckDb) : IPublisher
{
    private readonly string _root = Path.GetFullPath(Path.IsPathRooted(target.Path) ? target.Path : Path.Combine(home, target.Path));

    private string Current => Path.Combine(_root, "current");

    public long WriteCopy(string copy, IReadOnlyList<string> parquetFiles, Schema schema)
    {
        var destination = Path.Combine(_root, Publishers.ValidCopy(copy));
        if (IsLive(copy)) throw new PublishTargetException($"copy {copy} in {_root} is live; write a new copy instead.");
        var temp = Path.Combine(_root, $".{copy}.tmp-{Guid.NewGuid():N}");
        try
        {
            // Written under a temporary name and renamed: a copy directory is complete or absent.
            Directory.CreateDirectory(temp);
            for (var i = 0; i < parquetFiles.Count; i++)
            {
                var part = Path.Combine(temp, $"part-{i:00000}.parquet");
                File.Copy(parquetFiles[i], part);
                Lake.FileSync.FlushFile(part);
            }
            Lake.FileSync.FlushDirectory(temp);
            if (Directory.Exists(destination)) Directory.Delete(destination, recursive: true);
            Directory.Move(temp, destination);
            Lake.FileSync.FlushDirectory(_root); // the copy is recorded as written next: its name must outlive a power loss
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            throw new PublishTargetException($"cannot write copy {copy} into {_root}: {Publishers.OneLine(e.Message)}", e);
        }
        if (parquetFiles.Count == 0) return 0;
        using var lease = duckDb.Rent();
        return lease.Session.Scalar<long>($"SELECT count(*) FROM read_parquet({Engine.SqlText.FileList(parquetFiles)})");
    }

    public void SwitchTo(string copy)
    {
        if (!Directory.Exists(Path.Combine(_root, Publishers.ValidCopy(copy))))
            throw new PublishTargetException($"copy {copy} does not exist in {_root}.");
        var link = Path.Combine(_root, $".current.tmp-{Guid.NewGuid():N}");
        try { File.CreateSymbolicLink(link, copy); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PublishTargetException($"cannot switch {Current} to {copy}: {Publishers.OneLine(e.Message)}", e);
        }
        // rename(2) replaces the link in one step: readers see the old or the new copy, never none. (File.Move sees that
        // `current` resolves to a directory and refuses to replace it.)
        if (Rename(link, Current) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            File.Delete(link);
            throw new PublishTargetException($"cannot switch {Current} to {copy}: {Marshal.GetPInvokeErrorMessage(error)}");
        }
        Lake.FileSync.FlushDirectory(_root);
    }

    public void DropCopy(string copy)
    {
        var path = Path.Combine(_root, Publishers.ValidCopy(copy));
        if (IsLive(copy)) throw new PublishTargetException($"copy {copy} in {_root} is live; switch readers to another copy before dropping it.");
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }

    public IReadOnlyList<string> Copies() => Directory.Exists(_root)
        ? Directory.GetDirectories(_root).Select(Path.GetFileName).OfType<string>().Where(Publishers.IsCopy).ToArray()
        : [];

    public string? LiveCopy()
    {
        var link = new FileInfo(Current);
        if (!link.Exists && link.LinkTarget is null) return Directory.Exists(Current) ? "a directory of its own" : null;
        return link.LinkTarget is { } target ? Publishers.IsCopy(target) ? target : $"a link to {target}" : "a file of its own";
    }

    public string Readers => $"the link {Current}";

    public string HandOver => $"remove {Current}";

    public void Dispose() { }

    private bool IsLive(string copy) => new FileInfo(Current).LinkTarget == copy;

    // Strings marshal as UTF-8 on Unix. (LibraryImport would need unsafe code enabled in the project.)
    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string oldPath, string newPath);
}
