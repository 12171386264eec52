using Takt.Composition;
using Takt.Building;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;
using Takt.Tests.Unit;

namespace Takt.Tests.Planning;

/// <summary>
/// DESIGN contract 2 over random invalidations: after <c>invalidate D --from a --to b</c> the next build runs exactly
/// the boxes that read an invalidated box, through every mapping (same box, window, all up to, latest, daily to
/// monthly, unpartitioned), no more, no less; afterwards the plan is empty and a second build runs nothing. The
/// expected boxes come from a model of what each box reads written out here, not from the mappings' own code.
/// </summary>
public sealed class ExactlyTheDownstreamTests : IDisposable
{
    private static readonly DateOnly First = new(2026, 1, 20);
    private static readonly DateOnly Last = new(2026, 3, 3);
    private static readonly RunOptions Options = new() { Parallelism = 2, Attempts = 1 };
    private readonly UnitTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(20260101)]
    [InlineData(4242)]
    public void Random_invalidations_rebuild_exactly_what_reads_them(int seed)
    {
        var random = new Random(seed);
        var history = new List<string>();
        using var ws = WorkspaceBuilder.At(_dir.Combine($"home-{seed}")).Open(Factory());
        for (var day = First; day <= Last; day = day.AddDays(1))
            _dir.Write($"home-{seed}/landing/src/{day:yyyy-MM-dd}.jsonl", $"{{\"id\": {day.DayNumber}}}\n");
        var service = new BuildService(ws);
        var first = service.Build([], options: Options, publish: false);
        Assert.All(first.Tasks, t => Assert.Equal(BuildStatus.Built, t.Outcome.Status));
        var existing = ws.Factory.Datasets.ToDictionary(d => d.Name, d => ws.Ledger.Boxes(ws.Env, d.Name, BoxRange.Everything).Select(b => b.Box).ToHashSet());
        Assert.DoesNotContain(GrainMath.BoxOf(Grain.Monthly, new DateTime(2026, 3, 1)), existing["mart.month"]); // March waits for its last day

        for (var step = 0; step < 6; step++)
        {
            // Every other step invalidates a dataset that others read, so that every mapping is crossed.
            var pool = step % 2 == 0 ? ws.Factory.Datasets.Where(d => ws.Factory.Downstream(d.Name).Count > 0).ToArray() : ws.Factory.Datasets.ToArray();
            var dataset = pool[random.Next(pool.Length)];
            var from = First.AddDays(random.Next(-10, 45));
            var to = from.AddDays(random.Next(0, 12));
            var operation = $"invalidate {dataset.Name} --from {from:yyyy-MM-dd} --to {to:yyyy-MM-dd}";
            history.Add(operation);
            string Context() => $"seed {seed}, after: {string.Join("; ", history)}";

            service.Invalidate(dataset.Name, from, to, "random");
            var invalidated = existing[dataset.Name].Where(b => GrainMath.FromDates(dataset.Grain, from, to).Contains(b));
            var expected = Downstream(ws.Factory, existing, dataset.Name, invalidated);

            var build = service.Build([], options: Options, publish: false);
            var ran = build.Tasks.Select(t => $"{t.Dataset}@{t.BoxKey}").Order(StringComparer.Ordinal).ToArray();
            Assert.True(expected.SequenceEqual(ran),
                $"{Context()}: expected {expected.Length} task(s), ran {ran.Length}; missing: {string.Join(", ", expected.Except(ran).Take(10))}; extra: {string.Join(", ", ran.Except(expected).Take(10))}");
            Assert.True(build.Tasks.All(t => t.Outcome.Status == BuildStatus.Built), $"{Context()}: not every task built");
            Assert.True(build.Remaining.Tasks.Count == 0, $"{Context()}: the plan after the build is not empty");
            Assert.True(service.Build([], options: Options, publish: false).Tasks.Count == 0, $"{Context()}: a second build ran tasks");
        }
    }

    private Factory Factory()
    {
        _dir.Write("same.sql", "SELECT id FROM raw.src");
        _dir.Write("count.sql", "SELECT count(*) AS n, sum(id) AS s FROM core.same");
        _dir.Write("count_src.sql", "SELECT count(*) AS n, sum(id) AS s FROM raw.src");
        _dir.Write("latest.sql", "SELECT (SELECT count(*) FROM raw.src) AS n, (SELECT sum(id) FROM core.same) AS s");
        _dir.Write("count_win.sql", "SELECT count(*) AS n, sum(n) AS s FROM core.win");
        return new FactoryBuilder("downstream", _dir.Path)
            .Dataset("raw.src", d => d.Owner("t").Schema(s => s.Required("id", ColumnType.Int64)).FromLanding("src/{box}.jsonl", LandingFormat.JsonLines))
            .Dataset("core.same", d => d.Owner("t").Input("raw.src").Sql("same.sql"))
            .Dataset("core.win", d => d.Owner("t").Input("core.same", PartitionMapping.Window(3)).Sql("count.sql"))
            .Dataset("core.upto", d => d.Owner("t").Input("raw.src", PartitionMapping.AllUpTo).Sql("count_src.sql"))
            .Dataset("mart.latest", d => d.Owner("t").Input("raw.src").Input("core.same", PartitionMapping.Latest).Sql("latest.sql"))
            .Dataset("mart.month", d => d.Owner("t").Monthly().Input("core.same").Sql("count.sql"))
            .Dataset("mart.all", d => d.Owner("t").Unpartitioned().Input("core.win").Sql("count_win.sql"))
            .Build();
    }

    /// <summary>What a box of each dataset reads, written out by hand (days are day numbers, months year*12+month-1).</summary>
    private static bool Reads(string reader, long box, string input, long inputBox, HashSet<long> inputBoxes) => (reader, input) switch
    {
        ("core.same", "raw.src") => inputBox == box,
        ("core.win", "core.same") => inputBox >= box - 2 && inputBox <= box,
        ("core.upto", "raw.src") => inputBox <= box,
        ("mart.latest", "raw.src") => inputBox == box,
        ("mart.latest", "core.same") => inputBox == inputBoxes.Max(),
        ("mart.month", "core.same") => GrainMath.BoxOf(Grain.Monthly, DateOnly.FromDayNumber((int)inputBox).ToDateTime(TimeOnly.MinValue)) == box,
        ("mart.all", "core.win") => true,
        _ => false,
    };

    /// <summary>The invalidated boxes and every existing box that reads one of the boxes rebuilt, transitively.</summary>
    private static string[] Downstream(Factory factory, Dictionary<string, HashSet<long>> existing, string dataset, IEnumerable<long> invalidated)
    {
        var rebuilt = factory.Datasets.ToDictionary(d => d.Name, _ => new HashSet<long>());
        rebuilt[dataset].UnionWith(invalidated);
        foreach (var reader in factory.Datasets)
            foreach (var input in reader.Inputs)
                foreach (var box in existing[reader.Name])
                    if (rebuilt[input.Dataset].Any(b => Reads(reader.Name, box, input.Dataset, b, existing[input.Dataset])))
                        rebuilt[reader.Name].Add(box);
        return rebuilt.SelectMany(r => r.Value.Select(b => $"{r.Key}@{factory[r.Key].BoxKey(b)}")).Order(StringComparer.Ordinal).ToArray();
    }
}
