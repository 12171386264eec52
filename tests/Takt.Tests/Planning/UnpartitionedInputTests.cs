using Takt.Composition;
using Takt.Building;
using Takt.Boxes;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;
using Takt.Tests.Unit;

namespace Takt.Tests.Planning;

/// <summary>A daily dataset that reads an unpartitioned one: every day reads its single box, which has no "past" to wait for.</summary>
public sealed class UnpartitionedInputTests : IDisposable
{
    private static readonly RunOptions Options = new() { Parallelism = 2, Attempts = 1 };
    private readonly UnitTempDirectory _dir = new();
    private readonly Workspace _ws;

    public UnpartitionedInputTests()
    {
        _dir.Write("joined.sql", "SELECT e.day, r.rate FROM raw.events e CROSS JOIN raw.rates r");
        var factory = new FactoryBuilder("dims", _dir.Path)
            .Dataset("raw.events", d => d.Owner("t")
                .Schema(s => s.Required("day", ColumnType.String))
                .FromLanding("events/{box}.jsonl", LandingFormat.JsonLines))
            .Dataset("raw.rates", d => d.Owner("t").Unpartitioned()
                .Schema(s => s.Required("rate", ColumnType.Int64))
                .FromLanding("rates.csv", LandingFormat.Csv))
            .Dataset("core.joined", d => d.Owner("t").Input("raw.events").Input("raw.rates").Sql("joined.sql"))
            .Build();
        _ws = WorkspaceBuilder.At(_dir.Combine("home")).Open(factory);
    }

    public void Dispose()
    {
        _ws.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void Every_day_is_built_from_the_unpartitioned_input_and_nothing_waits()
    {
        _dir.Write("home/landing/rates.csv", "rate\n7\n");
        for (var day = new DateOnly(2026, 1, 1); day <= new DateOnly(2026, 1, 3); day = day.AddDays(1))
            _dir.Write($"home/landing/events/{day:yyyy-MM-dd}.jsonl", $"{{\"day\": \"{day:yyyy-MM-dd}\"}}\n");

        var build = new BuildService(_ws).Build([], options: Options, publish: false);

        Assert.Equal(3, build.Tasks.Count(t => t.Dataset == "core.joined" && t.Outcome.Status == BuildStatus.Built));
        Assert.Empty(build.Remaining.For("core.joined").Waiting);
        Assert.Empty(new BuildService(_ws).Plan([]).Tasks);
    }
}
