using System.Text;
using System.Text.RegularExpressions;
using Takt.Boxes;
using Takt.Definitions;

namespace Takt.Ingest;

/// <summary>A file in the landing zone that matches a source's pattern.</summary>
public sealed record LandingFile(string RelativePath, string FullPath, long Size, long ModifiedTicks, long? Box);

/// <summary>Lists the landing files of a source; for per-box patterns also reads the box from the file name.</summary>
internal static class LandingScanner
{
    public static IReadOnlyList<LandingFile> Scan(string landingRoot, Dataset dataset)
    {
        var source = dataset.Source ?? throw new InvalidOperationException($"{dataset.Name} is not a source.");
        var pattern = ToRegex(source.Pattern);
        var fixedSegments = source.Pattern.Split('/').SkipLast(1).TakeWhile(part => part.IndexOfAny(['*', '{']) < 0);
        var searchRoot = Path.Combine([landingRoot, .. fixedSegments]);
        if (!Directory.Exists(searchRoot)) return [];

        var files = new List<LandingFile>();
        foreach (var path in Directory.EnumerateFiles(searchRoot, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(landingRoot, path).Replace('\\', '/');
            var match = pattern.Match(relative);
            if (!match.Success || Path.GetFileName(path).StartsWith('.')) continue;
            long? box = null;
            if (match.Groups["box"].Success)
            {
                if (!GrainMath.TryParse(dataset.Grain, match.Groups["box"].Value, out var parsed)) continue;
                box = parsed;
            }
            else if (dataset.Grain == Grain.Unpartitioned) box = GrainMath.UnpartitionedBox;
            var info = new FileInfo(path);
            files.Add(new LandingFile(relative, path, info.Length, info.LastWriteTimeUtc.Ticks, box));
        }
        files.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        return files;
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern.AsSpan(i).StartsWith(LandingSource.BoxPlaceholder))
            {
                regex.Append("(?<box>[^/]+?)");
                i += LandingSource.BoxPlaceholder.Length - 1;
            }
            else if (pattern[i] == '*') regex.Append("[^/]*");
            else regex.Append(Regex.Escape(pattern[i].ToString()));
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    public static string FormatBoxes(BoxSet boxes) => string.Join(";", boxes.Ranges.Select(r => $"{r.Start}:{r.End}"));

    public static BoxSet ParseBoxes(string text) => text.Length == 0
        ? BoxSet.Empty
        : BoxSet.Of(text.Split(';').Select(part => part.Split(':')).Select(p => new BoxRange(long.Parse(p[0]), long.Parse(p[1]))));
}
