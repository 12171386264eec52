namespace Shop.Generator;

public sealed record GenerateResult(IReadOnlyList<string> FilesWritten, IReadOnlyList<(Defect Defect, DateOnly Day)> DefectsApplied);

public static class LandingGenerator
{
    /// <summary>The days the generator can write: its user population starts on the first.</summary>
    public static DateOnly FirstDay => UserPopulation.FirstLandingDay;
    public static readonly DateOnly LastDay = new(2035, 12, 31);

    /// <summary>
    /// Writes orders/YYYY-MM-DD.jsonl and users/YYYY-MM-DD.csv for every day from..to inclusive.
    /// A day's files are byte-identical whatever range they are generated in; existing files are replaced atomically.
    /// </summary>
    public static GenerateResult Generate(string landingDirectory, DateOnly from, DateOnly to, IReadOnlyList<DefectRequest> defects)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(landingDirectory);
        ArgumentNullException.ThrowIfNull(defects);
        if (from > to)
            throw new ArgumentException($"The range start {Formats.Day(from)} is after its end {Formats.Day(to)}.", nameof(from));
        if (from < FirstDay || to > LastDay)
            throw new ArgumentException($"Shop landing data covers {Formats.Day(FirstDay)} to {Formats.Day(LastDay)}, not {Formats.Day(from)} to {Formats.Day(to)}.");

        var applied = ResolveDefects(defects, from, to);
        var population = new UserPopulation(to);
        var written = new List<string>();
        for (var day = from; day <= to; day = day.AddDays(1))
        {
            var snapshot = population.SnapshotOf(day);
            var orders = OrdersDay.Generate(day, snapshot);
            DefectInjector.Apply(orders, snapshot, applied.Where(a => a.Day == day).Select(a => a.Defect).ToList());

            written.Add(Write(landingDirectory, $"orders/{Formats.Day(day)}.jsonl", orders.ToJsonl()));
            written.Add(Write(landingDirectory, $"users/{Formats.Day(day)}.csv", UserPopulation.ToCsv(snapshot)));
        }

        written.Sort(StringComparer.Ordinal);
        return new GenerateResult(written.AsReadOnly(), applied);
    }

    private static IReadOnlyList<(Defect Defect, DateOnly Day)> ResolveDefects(IReadOnlyList<DefectRequest> defects, DateOnly from, DateOnly to)
    {
        var resolved = new SortedSet<(DateOnly Day, Defect Defect)>();
        foreach (var request in defects)
        {
            if (request is null) throw new ArgumentException("The defect list contains a null entry.", nameof(defects));
            var name = DefectNames.NameOf(request.Defect);
            var day = request.Day ?? to;
            if (day < from || day > to)
                throw new ArgumentException(
                    $"Defect '{name}@{Formats.Day(day)}' is outside the generated range {Formats.Day(from)}..{Formats.Day(to)}.",
                    nameof(defects));
            resolved.Add((day, request.Defect));
        }
        return resolved.Select(r => (r.Defect, r.Day)).ToList().AsReadOnly();
    }

    private static string Write(string landingDirectory, string relativePath, byte[] content)
    {
        var path = Path.Combine(landingDirectory, relativePath.Replace('/', Path.DirectorySeparatorChar));
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temp, content);
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
        return relativePath;
    }
}
