namespace Takt.Landing;

/// <summary>
/// One entry of a landing zone: a file with its size and last write time (UTC ticks), or a folder. <see cref="RelativePath"/>
/// is relative to the zone's root, with '/' between folders.
/// </summary>
public sealed record LandingEntry(string RelativePath, bool IsFolder, long Size, long ModifiedTicks);

/// <summary>
/// Where sources' files land, as ingest sees it: listed, measured and read, never written. A local directory today
/// (<see cref="LocalLandingZone"/>); an object store next.
/// </summary>
/// <remarks>
/// What ingest relies on, and a second zone must keep:
/// <list type="bullet">
/// <item>A file's size and time change whenever its content does, so that (path, size, time) identify what was read;
/// a file whose size or time changed between the scan and the read is not taken (ingest's stable-file rule).</item>
/// <item>Names starting with '.' are not listed, files and folders alike (nor anything under such a folder): a file
/// is landed atomically by writing it under a hidden name and renaming it.</item>
/// <item>Listing, measuring and reading take no lock a writer would wait for.</item>
/// </list>
/// </remarks>
public interface ILandingZone
{
    /// <summary>Names the zone for people (<c>file:/data/landing</c>).</summary>
    string Describe { get; }

    /// <summary>
    /// Every entry under <paramref name="folder"/> (relative, '/'-separated; empty for the root), at any depth, files and
    /// folders, in no particular order; none when the folder does not exist.
    /// </summary>
    IReadOnlyList<LandingEntry> List(string folder);

    /// <summary>The file's size and time now, or null when it is not there (any more).</summary>
    LandingEntry? Stat(string relativePath);

    /// <summary>Opens the file to read it from the start, while a writer may still be writing it.</summary>
    /// <exception cref="IOException">The file is gone or cannot be opened now.</exception>
    Stream Open(string relativePath);

    /// <summary>
    /// A local path holding the file's content, for DuckDB to read: the file itself for a local zone (an object-store
    /// zone would fill a cache). The stable-file rule applies to what is read from it.
    /// </summary>
    string LocalPath(string relativePath);
}
