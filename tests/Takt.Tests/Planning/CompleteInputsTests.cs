using Takt.Composition;
using Takt.Building;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;
using Takt.Tests.Unit;

namespace Takt.Tests.Planning;

/// <summary>
/// A box is built only from complete inputs: a month waits until every day of it exists. The only exceptions: a
/// window cut at the start of the data, and an unpartitioned reader, which reads whatever its input has.
/// </summary>
public sealed class CompleteInputsTests : IDisposable
{
    private static readonly RunOptions Options = new() { Parallelism = 2, Attempts = 1 };
    private readonly UnitTempDirectory _dir = new();
    private readonly Workspace _ws;

    public CompleteInputsTests()
    {
        _dir.Write("days.sql", "SELECT count(DISTINCT day) AS days FROM raw.daily");
        var factory = new FactoryBuilder("grains", _dir.Path)
            .Dataset("raw.daily", d => d.Owner("t")
                .Schema(s => s.Required("day", ColumnType.String))
                .FromLanding("daily/{box}.jsonl", LandingFormat.JsonLines))
            .Dataset("mart.monthly", d => d.Owner("t").Monthly().Input("raw.daily").Sql("days.sql"))
            .Dataset("mart.week", d => d.Owner("t").Input("raw.daily", PartitionMapping.Window(7)).Sql("days.sql"))
            .Dataset("mart.overall", d => d.Owner("t").Unpartitioned().Input("raw.daily").Sql("days.sql"))
            .Build();
        _ws = WorkspaceBuilder.At(_dir.Combine("home")).Open(factory);
    }

    public void Dispose()
    {
        _ws.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void A_month_waits_for_all_its_days_and_says_which_are_missing()
    {
        Land(new DateOnly(2026, 1, 1), new DateOnly(2026, 2, 2));
        var first = new BuildService(_ws).Build([], options: Options, publish: false);
        Assert.DoesNotContain(first.Tasks, t => t.Outcome.Status is BuildStatus.Failed);

        Assert.Equal(31, DaysRead("mart.monthly", "2026-01"));
        Assert.Null(Current("mart.monthly", "2026-02"));
        var waiting = Assert.Single(first.Remaining.For("mart.monthly").Waiting);
        Assert.Equal([GrainMath.Parse(Grain.Monthly, "2026-02")], waiting.Boxes);
        Assert.Contains("raw.daily@2026-02-03..2026-02-28", waiting.Cause);
        Assert.Empty(first.Remaining.Tasks);
        Assert.Contains(new BuildService(_ws).Plan([]).For("mart.monthly").Waiting, h => h.Cause == waiting.Cause);

        // The exceptions: the first week reads the one day the data has, the unpartitioned reader every day there is.
        Assert.Equal(1, DaysRead("mart.week", "2026-01-01"));
        Assert.Equal(7, DaysRead("mart.week", "2026-01-07"));
        Assert.Equal(33, DaysRead("mart.overall", "all"));

        Land(new DateOnly(2026, 2, 3), new DateOnly(2026, 2, 28));
        var second = new BuildService(_ws).Build([], options: Options, publish: false);
        Assert.DoesNotContain(second.Tasks, t => t.Outcome.Status is BuildStatus.Failed);
        Assert.Equal(28, DaysRead("mart.monthly", "2026-02"));
        Assert.Equal(59, DaysRead("mart.overall", "all"));
        Assert.Empty(second.Remaining.For("mart.monthly").Waiting);
        Assert.Empty(new BuildService(_ws).Plan([]).Tasks);
    }

    private void Land(DateOnly from, DateOnly to)
    {
        for (var day = from; day <= to; day = day.AddDays(1))
            _dir.Write($"home/landing/daily/{day:yyyy-MM-dd}.jsonl", $"{{\"day\": \"{day:yyyy-MM-dd}\"}}\n");
    }

    private string? Current(string dataset, string boxKey)
    {
        var box = GrainMath.Parse(_ws.Factory[dataset].Grain, boxKey);
        return _ws.Ledger.Boxes(_ws.Env, dataset, BoxRange.Single(box)).SingleOrDefault()?.CurrentVersion;
    }

    /// <summary>How many daily input boxes the box's current version was made from, checked against its data.</summary>
    private int DaysRead(string dataset, string boxKey)
    {
        var version = Current(dataset, boxKey) ?? throw new Xunit.Sdk.XunitException($"{dataset}@{boxKey} was not built");
        var inputs = _ws.Ledger.InputsOf(version).Count;
        var files = _ws.Files.Paths(new Lake.VersionLocation(dataset, boxKey, version));
        using var lease = _ws.DuckDb.Rent();
        var days = lease.Session.Scalar<long>($"SELECT days FROM read_parquet([{string.Join(", ", files.Select(f => $"'{f}'"))}])");
        Assert.Equal(inputs, days);
        return inputs;
    }
}
