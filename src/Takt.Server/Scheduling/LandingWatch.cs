using System.Text;
using System.Text.RegularExpressions;
using Takt.Definitions;
using Takt.Ledger;

namespace Takt.Server.Scheduling;

/// <summary>
/// Which landing files of a source are new or changed since the ledger last ingested them (by path, size and
/// modification time, as ingest itself decides). Files are only listed, never read.
/// </summary>
internal static class LandingWatch
{
    public sealed record Change(string Path, long Size, long ModifiedTicks);

    public static IReadOnlyList<Change> Changed(string landingRoot, Dataset source, ILedger ledger)
    {
        var known = ledger.LandedFiles(source.Name);
        return List(landingRoot, source)
            .Where(f => !known.TryGetValue(f.Path, out var k) || k.Size != f.Size || k.ModifiedTicks != f.ModifiedTicks)
            .ToArray();
    }

    /// <summary>The files matching the source's pattern, sorted by path (the same matching rule as ingest: <c>*</c> within a segment, <c>{box}</c>).</summary>
    public static IReadOnlyList<Change> List(string landingRoot, Dataset source)
    {
        var pattern = source.Source?.Pattern ?? throw new InvalidOperationException($"{source.Name} is not a source.");
        var regex = ToRegex(pattern);
        var fixedSegments = pattern.Split('/').SkipLast(1).TakeWhile(part => part.IndexOfAny(['*', '{']) < 0);
        var searchRoot = System.IO.Path.Combine([landingRoot, .. fixedSegments]);
        if (!Directory.Exists(searchRoot)) return [];
        var files = new List<Change>();
        foreach (var path in Directory.EnumerateFiles(searchRoot, "*", SearchOption.AllDirectories))
        {
            var relative = System.IO.Path.GetRelativePath(landingRoot, path).Replace('\\', '/');
            if (!regex.IsMatch(relative) || System.IO.Path.GetFileName(path).StartsWith('.')) continue;
            var info = new FileInfo(path);
            files.Add(new Change(relative, info.Length, info.LastWriteTimeUtc.Ticks));
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return files;
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern.AsSpan(i).StartsWith(LandingSource.BoxPlaceholder))
            {
                regex.Append("[^/]+?");
                i += LandingSource.BoxPlaceholder.Length - 1;
            }
            else if (pattern[i] == '*') regex.Append("[^/]*");
            else regex.Append(Regex.Escape(pattern[i].ToString()));
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
