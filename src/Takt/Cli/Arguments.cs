using System.CommandLine;
using System.Globalization;
using Takt.Boxes;
using Takt.Definitions;

namespace Takt.Cli;

/// <summary>Parsing and validation of the values verbs take: dates, targets and DATASET@BOX.</summary>
internal static class Arguments
{
    public static Option<string?> From() => new("--from") { Description = "First box, inclusive (YYYY-MM-DD)" };
    public static Option<string?> To() => new("--to") { Description = "Last box, inclusive (YYYY-MM-DD)" };
    public static Argument<string[]> Targets() => new("targets") { Description = "Dataset names or layer.* (default: every dataset)", Arity = ArgumentArity.ZeroOrMore };

    public static DateOnly? Date(ParseResult parse, Option<string?> option)
    {
        var text = parse.GetValue(option);
        if (text is null) return null;
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new UsageException($"{option.Name}: '{text}' is not a date (expected YYYY-MM-DD).");
    }

    public static (DateOnly? From, DateOnly? To) Range(ParseResult parse, Option<string?> from, Option<string?> to)
    {
        var (f, t) = (Date(parse, from), Date(parse, to));
        if (f is not null && t is not null && f > t) throw new UsageException($"--from {f:yyyy-MM-dd} is after --to {t:yyyy-MM-dd}.");
        return (f, t);
    }

    /// <summary>The boxes a DATASET[@BOX] [--from --to] argument names: one box, a date range, or every box.</summary>
    public static BoxRange Boxes(ParseResult parse, Dataset dataset, long? box, Option<string?> from, Option<string?> to)
    {
        var (f, t) = Range(parse, from, to);
        return box is { } b ? BoxRange.Single(b)
            : f is not null || t is not null ? GrainMath.FromDates(dataset.Grain, f ?? DateOnly.MinValue, t ?? DateOnly.MaxValue)
            : BoxRange.Everything;
    }

    public static IReadOnlyList<string> ResolveTargets(Factory factory, IReadOnlyCollection<string> targets)
    {
        foreach (var target in targets)
            if (!Names.IsDatasetName(target) && !(target.EndsWith(".*", StringComparison.Ordinal) && Names.IsColumnName(target[..^2])))
                throw new UsageException($"'{target}' is not a dataset name or layer.* ({Names.DatasetRule}).");
        return factory.ResolveTargets(targets);
    }

    /// <summary>Parses <c>DATASET</c> or <c>DATASET@BOX</c>.</summary>
    public static (Dataset Dataset, long? Box) DatasetAndBox(Factory factory, string text)
    {
        var at = text.IndexOf('@');
        var name = at < 0 ? text : text[..at];
        if (!Names.IsDatasetName(name)) throw new UsageException($"'{name}' is not a dataset name ({Names.DatasetRule}).");
        var dataset = factory[name];
        if (at < 0) return (dataset, null);
        var boxText = text[(at + 1)..];
        return GrainMath.TryParse(dataset.Grain, boxText, out var box)
            ? (dataset, box)
            : throw new UsageException($"'{boxText}' is not a box of {name} (a {GrainMath.Describe(dataset.Grain)} dataset: {GrainMath.Example(dataset.Grain)}).");
    }
}
