using System.Text;
using System.Text.RegularExpressions;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Landing;
using Takt.Ledger;

namespace Takt.Ingest;

/// <summary>A file in the landing zone that matches a source's pattern, with its size and time as the scan saw them.</summary>
public sealed record LandingFile(ILandingZone Zone, string RelativePath, long Size, long ModifiedTicks, long? Box)
{
    /// <summary>Where DuckDB reads the file (see <see cref="ILandingZone.LocalPath"/>).</summary>
    public string FullPath => Zone.LocalPath(RelativePath);
}

/// <summary>What a source's landing folder holds: the files its pattern takes, and every other entry, each with why no box takes it.</summary>
internal sealed record LandingScan(IReadOnlyList<LandingFile> Files, IReadOnlyList<LandingProblem> Problems);

/// <summary>
/// Lists the landing files of a source; for per-box patterns also reads the box from the file name. Every other file
/// under the source's folder (the pattern's leading folders) is reported, unless another source's pattern takes it:
/// a misnamed file must never wait unseen. Names starting with '.' are skipped, files and folders alike, so that a
/// file can be landed atomically by writing it under a hidden name and renaming it.
/// </summary>
internal static class LandingScanner
{
    /// <param name="others">The factory's other sources: files their patterns take are theirs, not misnamed files of this one.</param>
    public static LandingScan Scan(ILandingZone zone, Dataset dataset, IEnumerable<Dataset>? others = null)
    {
        var source = dataset.Source ?? throw new InvalidOperationException($"{dataset.Name} is not a source.");
        var pattern = ToRegex(source.Pattern);
        var entries = zone.List(string.Join('/', FixedFolders(source.Pattern)));
        if (entries.Count == 0) return new LandingScan([], []);
        var otherPatterns = (others ?? []).Where(d => d.Source is not null && d.Name != dataset.Name).Select(d => ToRegex(d.Source!.Pattern)).ToArray();

        var files = new List<LandingFile>();
        var problems = new List<LandingProblem>();
        void Problem(string relative, string problem) => problems.Add(new LandingProblem(dataset.Name, LandingProblem.Printable(relative), problem));

        foreach (var entry in entries)
        {
            var relative = entry.RelativePath;
            var match = pattern.Match(relative);
            if (entry.IsFolder)
            {
                if (match.Success) Problem(relative, $"is a directory: expected a file, {Expected(dataset)}");
                continue;
            }
            if (relative.Any(char.IsControl))
            {
                Problem(relative, "has a control character in its name; rename it");
                continue;
            }
            if (!match.Success)
            {
                if (!otherPatterns.Any(p => p.IsMatch(relative))) Problem(relative, $"matches no box: expected {Expected(dataset)}");
                continue;
            }
            long? box = null;
            if (match.Groups["box"].Success)
            {
                if (!GrainMath.TryParse(dataset.Grain, match.Groups["box"].Value, out var parsed))
                {
                    Problem(relative, $"'{match.Groups["box"].Value}' is not a {GrainMath.Describe(dataset.Grain)} box: expected {Expected(dataset)}");
                    continue;
                }
                box = parsed;
            }
            else if (dataset.Grain == Grain.Unpartitioned) box = GrainMath.UnpartitionedBox;
            files.Add(new LandingFile(zone, relative, entry.Size, entry.ModifiedTicks, box));
        }
        files.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        problems.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return new LandingScan(files, problems);
    }

    private static IEnumerable<string> FixedFolders(string pattern) =>
        pattern.Split('/').SkipLast(1).TakeWhile(part => part.IndexOfAny(['*', '{']) < 0);

    private static string Expected(Dataset dataset)
    {
        var pattern = dataset.Source!.Pattern;
        return pattern.Contains(LandingSource.BoxPlaceholder, StringComparison.Ordinal)
            ? $"'{pattern}' with {LandingSource.BoxPlaceholder} as {GrainMath.Example(dataset.Grain)}"
            : $"'{pattern}'";
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
        // \z, not $: '$' also matches before a trailing newline, which let "x.jsonl\n" pass for "x.jsonl".
        return new Regex(regex.Append(@"\z").ToString(), RegexOptions.CultureInvariant);
    }

    public static string FormatBoxes(BoxSet boxes) => string.Join(";", boxes.Ranges.Select(r => $"{r.Start}:{r.End}"));

    public static BoxSet ParseBoxes(string text) => text.Length == 0
        ? BoxSet.Empty
        : BoxSet.Of(text.Split(';').Select(part => part.Split(':')).Select(p => new BoxRange(long.Parse(p[0]), long.Parse(p[1]))));
}
