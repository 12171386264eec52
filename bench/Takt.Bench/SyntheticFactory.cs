using Takt.Definitions;

namespace Takt.Bench;

/// <summary>Shape of the generated factory, for the report.</summary>
internal sealed record FactoryShape(int Datasets, int Sources, int Transforms, int Edges, int WindowEdges, int FanIns, int MaxFanIn, int Depth);

/// <summary>
/// A deterministic synthetic factory: ~10% daily landing sources, the rest SQL transforms reading 1-3 earlier
/// datasets (same box, some a window of 7), with a few fan-in nodes reading 5 to 8. Same seed and size, same factory,
/// so a child process can rebuild exactly the factory the ledger was filled for.
/// </summary>
internal static class SyntheticFactory
{
    public const int Seed = 20240501;

    public static (Factory Factory, FactoryShape Shape) Create(string baseDirectory, int datasets)
    {
        if (datasets < 2) throw new ArgumentOutOfRangeException(nameof(datasets), datasets, "Need at least 2 datasets (a source and a transform).");
        var rng = new Random(Seed);
        var sources = Math.Max(1, (int)Math.Round(datasets * 0.10));
        var names = new string[datasets];
        var depth = new int[datasets];
        var inputs = new List<(int Input, bool Window)>[datasets];
        int edges = 0, windows = 0, fanIns = 0, maxFanIn = 0;

        for (var i = 0; i < datasets; i++)
        {
            if (i < sources)
            {
                names[i] = $"raw.src_{i:000}";
                inputs[i] = [];
                continue;
            }
            var transformIndex = i - sources;
            // Every 20th transform, and the last one (a mart-like sink), reads 5 to 8 datasets.
            var fanIn = (transformIndex % 20 == 19 || i == datasets - 1) && i >= 5;
            var count = Math.Min(i, fanIn ? 5 + rng.Next(4) : 1 + rng.Next(3));
            var chosen = new List<(int Input, bool Window)>();
            var seen = new HashSet<int>();
            while (chosen.Count < count)
            {
                // Biased to recent datasets, so the DAG gets depth rather than being a flat star over the sources.
                var back = (int)(Math.Pow(rng.NextDouble(), 2) * i);
                var input = i - 1 - back;
                if (!seen.Add(input)) continue;
                chosen.Add((input, !fanIn && rng.NextDouble() < 0.15));
            }
            inputs[i] = chosen;
            depth[i] = 1 + chosen.Max(c => depth[c.Input]);
            var layer = depth[i] <= 2 ? "stg" : depth[i] <= 5 ? "core" : "mart";
            names[i] = $"{layer}.t_{i:000}";
            edges += chosen.Count;
            windows += chosen.Count(c => c.Window);
            if (fanIn) fanIns++;
            maxFanIn = Math.Max(maxFanIn, chosen.Count);
        }

        var sqlDir = Path.Combine(baseDirectory, "sql");
        Directory.CreateDirectory(sqlDir);
        var builder = new FactoryBuilder("bench", baseDirectory);
        for (var i = 0; i < datasets; i++)
        {
            var name = names[i];
            if (i < sources)
            {
                var folder = name[(name.IndexOf('.') + 1)..];
                builder.Dataset(name, d => d.Owner("bench").Daily()
                    .Schema(s => s.Required("x", ColumnType.Int64))
                    .FromLanding($"{folder}/{{box}}.csv", LandingFormat.Csv));
                continue;
            }
            var file = $"sql/{name.Replace('.', '_')}.sql";
            var path = Path.Combine(baseDirectory, file);
            if (!File.Exists(path)) File.WriteAllText(path, "SELECT 1 AS x\n"); // a factory program (a child) declares it again, as users' do, without writing
            var reads = inputs[i];
            builder.Dataset(name, d =>
            {
                d.Owner("bench").Daily();
                foreach (var (input, window) in reads) d.Input(names[input], window ? PartitionMapping.Window(7) : PartitionMapping.SameBox);
                d.Sql(file);
            });
        }
        return (builder.Build(), new FactoryShape(datasets, sources, datasets - sources, edges, windows, fanIns, maxFanIn, depth.Max()));
    }
}
