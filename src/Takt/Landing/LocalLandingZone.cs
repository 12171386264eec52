namespace Takt.Landing;

/// <summary>The landing zone in a local directory (the default: <c>&lt;home&gt;/landing</c>, or <c>--landing</c>).</summary>
public sealed class LocalLandingZone(string root) : ILandingZone
{
    private static readonly EnumerationOptions Walk = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.Hidden, // on Unix: names starting with '.'; a hidden folder is not entered
        IgnoreInaccessible = false,
        MatchType = MatchType.Simple,
    };

    public string Root { get; } = Path.GetFullPath(root);

    public string Describe => $"file:{Root}";

    public IReadOnlyList<LandingEntry> List(string folder)
    {
        var start = LocalPath(folder);
        if (!Directory.Exists(start)) return [];
        return new DirectoryInfo(start).EnumerateFileSystemInfos("*", Walk)
            .Select(e => e is FileInfo f
                ? new LandingEntry(Relative(f.FullName), false, f.Length, f.LastWriteTimeUtc.Ticks)
                : new LandingEntry(Relative(e.FullName), true, 0, e.LastWriteTimeUtc.Ticks))
            .ToList();
    }

    public LandingEntry? Stat(string relativePath)
    {
        var info = new FileInfo(LocalPath(relativePath));
        return info.Exists ? new LandingEntry(relativePath, false, info.Length, info.LastWriteTimeUtc.Ticks) : null;
    }

    public Stream Open(string relativePath) =>
        new FileStream(LocalPath(relativePath), FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);

    public string LocalPath(string relativePath) =>
        relativePath.Length == 0 ? Root : Path.Combine(Root, relativePath.Replace('/', Path.DirectorySeparatorChar));

    private string Relative(string fullPath) => Path.GetRelativePath(Root, fullPath).Replace(Path.DirectorySeparatorChar, '/');
}
