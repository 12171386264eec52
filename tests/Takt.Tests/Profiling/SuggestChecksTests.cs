using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;
using Takt.Composition;
using Takt.Boxes;
using Takt.Cli;
using Takt.Definitions;
using Takt.Tests.EndToEnd;

namespace Takt.Tests.Profiling;

/// <summary>
/// A small sales factory over a landed history with a known distribution, driven through the CLI: build, profile, suggest checks; then
/// history checks stopping the line on an injected volume drop and a stale box.
/// </summary>
public sealed class SuggestChecksTests : IDisposable
{
    private readonly E2EDirectory _home = new();

    public void Dispose() => _home.Dispose();

    private static readonly DateOnly First = new(2026, 1, 1);

    /// <summary>raw.sales: one CSV per day; declares unique(sale_id), plus whatever checks a test adds.</summary>
    private Func<Factory> Sales(params Check[] checks) => () => new FactoryBuilder("sales", _home.Path)
        .Dataset("raw.sales", d =>
        {
            d.Owner("sales@example.com").Daily()
                .Schema(s => s
                    .Required("sale_id", ColumnType.String)
                    .Column("store", ColumnType.String)
                    .Column("amount", ColumnType.Double)
                    .Column("quantity", ColumnType.Int64)
                    .Column("coupon", ColumnType.String)
                    .Column("sold_at", ColumnType.Timestamp))
                .FromLanding("sales/{box}.csv", LandingFormat.Csv)
                .Check(Check.Unique("sale_id"));
            foreach (var check in checks) d.Check(check);
        })
        .Build();

    /// <summary>
    /// Day <paramref name="day"/> (1-based, from 2026-01-01) with <paramref name="rows"/> sales: store cycles north, south, east; amount
    /// 0.5 + 4.8 (i mod 100), so 0.5..475.7; quantity 1..5; coupon C10, or empty every fourth row; sold evenly over the day so that the
    /// newest sale is 54 minutes before <paramref name="lastHour"/> o'clock (23:06 by default).
    /// </summary>
    private void Land(int day, int rows, int lastHour = 24)
    {
        var date = First.AddDays(day - 1);
        var start = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var csv = new StringBuilder("sale_id,store,amount,quantity,coupon,sold_at\n");
        string[] stores = ["north", "south", "east"];
        for (var i = 0; i < rows; i++)
        {
            var at = start.AddMinutes((i + 1) * (lastHour * 60 - 54) / rows);
            csv.Append(CultureInfo.InvariantCulture, $"s-{day:00}-{i:000},{stores[i % 3]},{0.5 + 4.8 * (i % 100):0.0#},{1 + i % 5},{(i % 4 == 0 ? "" : "C10")},{at:yyyy-MM-dd'T'HH:mm:ss'Z'}\n");
        }
        var path = Path.Combine(E2E.Landing(_home.Path), "sales", date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ".csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, csv.ToString());
    }

    /// <summary>Runs the factory's CLI in process with <c>--home</c> set to the test's directory.</summary>
    private CliResult Cli(Func<Factory> factory, params string[] args)
    {
        string[] all = [.. args, "--home", _home.Path];
        var (stdout, stderr, consoleText) = (new StringWriter(), new StringWriter(), new StringWriter());
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(consoleText),
            Interactive = InteractionSupport.No,
            Ansi = AnsiSupport.No,
        });
        console.Profile.Width = 250;
        var exit = TaktCli.Run(factory, all, null, console, stdout, stderr);
        return new CliResult(all, exit, stdout.ToString(), stderr.ToString(), consoleText.ToString());
    }

    private static string[] Codes(JsonElement json, bool? declared = null) => json.GetProperty("suggestions").EnumerateArray()
        .Where(s => declared is null || s.GetProperty("declared").GetBoolean() == declared)
        .Select(s => s.GetProperty("code").GetString()!).ToArray();

    [Fact]
    public void Suggest_checks_proposes_the_expected_ranges_and_not_null_checks_from_the_profiled_history()
    {
        var factory = Sales();
        for (var day = 1; day <= 20; day++) Land(day, 98 + day % 5);
        var build = Cli(factory, "build", "--json");
        Assert.True(build.ExitCode == 0, build.ToString());

        var profile = Cli(factory, "profile", "raw.sales", "--json");
        Assert.True(profile.ExitCode == 0, profile.ToString());
        var json = profile.Json;
        Assert.Equal(20, json.GetProperty("boxes").GetInt32());
        Assert.Equal(20, json.GetProperty("profiled").GetInt32());
        var amount = json.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("column").GetString() == "amount");
        Assert.Equal("0.5", amount.GetProperty("min").GetString());
        Assert.Equal(0.0, amount.GetProperty("nullRate").GetDouble());
        var coupon = json.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("column").GetString() == "coupon");
        Assert.Equal(0.25, coupon.GetProperty("nullRate").GetDouble(), 2);

        // Profiles are kept: a second run profiles nothing new.
        var again = Cli(factory, "profile", "raw.sales", "--json").Json;
        Assert.Equal((0, 20), (again.GetProperty("profiled").GetInt32(), again.GetProperty("alreadyProfiled").GetInt32()));

        var suggest = Cli(factory, "suggest-checks", "raw.sales", "--json");
        Assert.True(suggest.ExitCode == 0, suggest.ToString());
        string[] expected =
        [
            """.Check(Check.NotNull("sale_id"))""",
            """.Check(Check.Unique("sale_id"))""",
            """.Check(Check.NotNull("store"))""",
            """.Check(Check.AcceptedValues("store", "east", "north", "south"))""",
            """.Check(Check.NotNull("amount"))""",
            """.Check(Check.Range("amount", min: 0, max: 480))""",
            """.Check(Check.NotNull("quantity"))""",
            """.Check(Check.Range("quantity", min: 0, max: 5))""",
            """.Check(Check.AcceptedValues("coupon", "C10"))""",
            """.Check(Check.NotNull("sold_at"))""",
            """.Check(Check.Freshness("sold_at", maxLag: TimeSpan.FromHours(2)))""",
            """.Check(Check.RowCount(min: 1))""",
            """.Check(Check.VolumeAnomaly(lookback: 14, maxDeviation: 0.5))""",
        ];
        Assert.Equal(expected, Codes(suggest.Json));
        Assert.Equal([""".Check(Check.Unique("sale_id"))"""], Codes(suggest.Json, declared: true));
        Assert.DoesNotContain(Codes(suggest.Json), c => c.Contains("NotNull(\"coupon\")", StringComparison.Ordinal));

        var evidence = suggest.Json.GetProperty("suggestions").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("evidence").GetString()!);
        Assert.StartsWith("values 0.5..475.7 over 20 box(es) 2026-01-01..2026-01-20, mean ", evidence["range(amount)"]);
        Assert.EndsWith("; never negative", evidence["range(amount)"]);
        Assert.StartsWith("no null in 2000 row(s) over 20 box(es) 2026-01-01..2026-01-20", evidence["not_null(amount)"]);
        Assert.StartsWith("the newest sold_at was at most 54 min before its box's end", evidence["freshness(sold_at)"]);

        // The human form shows the same checks with their evidence, and the new ones ready to paste.
        var human = Cli(factory, "suggest-checks", "raw.sales");
        Assert.True(human.ExitCode == 0, human.ToString());
        Assert.Contains("to add them, paste into the declaration of raw.sales:", human.Console);
        Assert.Contains("""    .Check(Check.Range("amount", min: 0, max: 480))""", human.Console);
        Assert.Contains("declared", human.Console);

        // Every suggested check compiles into the factory and passes on the history it was learned from.
        var suggested = Sales(
            Check.NotNull("sale_id"), Check.NotNull("store"), Check.AcceptedValues("store", "east", "north", "south"), Check.NotNull("amount"),
            Check.Range("amount", min: 0, max: 480), Check.NotNull("quantity"), Check.Range("quantity", min: 0, max: 5), Check.AcceptedValues("coupon", "C10"),
            Check.NotNull("sold_at"), Check.Freshness("sold_at", maxLag: TimeSpan.FromHours(2)), Check.RowCount(min: 1),
            Check.VolumeAnomaly(lookback: 14, maxDeviation: 0.5));
        Land(21, 100);
        var next = Cli(suggested, "build", "--json");
        Assert.True(next.ExitCode == 0, next.ToString());
        Assert.Equal(1, next.Json.GetProperty("summary").GetProperty("built").GetInt32());
        var nextSuggest = Cli(suggested, "suggest-checks", "raw.sales", "--json").Json;
        Assert.Equal(1, nextSuggest.GetProperty("unprofiledBoxes").GetInt32());
        Assert.All(nextSuggest.GetProperty("suggestions").EnumerateArray(), s => Assert.True(s.GetProperty("declared").GetBoolean()));
    }

    [Fact]
    public void An_injected_volume_drop_trips_volume_anomaly_and_a_stale_box_trips_freshness()
    {
        var factory = Sales(Check.VolumeAnomaly(lookback: 14, maxDeviation: 0.5), Check.Freshness("sold_at", TimeSpan.FromHours(2)));
        for (var day = 1; day <= 10; day++) Land(day, 100);
        var build = Cli(factory, "build", "--json");
        Assert.True(build.ExitCode == 0, build.ToString());

        Land(11, 30); // the checkout lost most of a day's orders
        Land(12, 100, lastHour: 18); // nothing after 18:00 arrived
        var stopped = Cli(factory, "build", "--json");
        Assert.True(stopped.ExitCode == ExitCodes.StoppedByCheck, stopped.ToString());
        var tasks = stopped.Json.GetProperty("tasks").EnumerateArray().ToDictionary(t => t.GetProperty("box").GetString()!);
        Assert.Equal("quarantined", tasks["2026-01-11"].GetProperty("status").GetString());
        var volume = tasks["2026-01-11"].GetProperty("failedChecks").EnumerateArray().Single();
        Assert.Equal("volume_anomaly", volume.GetProperty("name").GetString());
        Assert.Equal("30 rows, 70% below the median 100 of the 10 previous box(es) (at most 50% allowed)", volume.GetProperty("message").GetString());

        Assert.Equal("quarantined", tasks["2026-01-12"].GetProperty("status").GetString());
        var fresh = tasks["2026-01-12"].GetProperty("failedChecks").EnumerateArray().Single();
        Assert.Equal("freshness(sold_at)", fresh.GetProperty("name").GetString());
        Assert.Contains("before the box's end 2026-01-13T00:00:00Z (at most 2 h)", fresh.GetProperty("message").GetString());

        // The full day lands late: the box builds, judged against the same ten earlier boxes (the quarantined one is no history).
        Land(11, 101);
        var late = Cli(factory, "build", "raw.sales", "--from", "2026-01-11", "--to", "2026-01-11", "--json");
        var task = Assert.Single(late.Json.GetProperty("tasks").EnumerateArray());
        Assert.True(task.GetProperty("status").GetString() == "built", late.ToString());
        Assert.Equal(101, task.GetProperty("rows").GetInt64());
    }

    [Fact]
    public void The_first_boxes_pass_volume_anomaly_saying_there_is_too_little_history()
    {
        var factory = Sales(Check.VolumeAnomaly(lookback: 14, maxDeviation: 0.5));
        Land(1, 100);
        Assert.Equal(0, Cli(factory, "build").ExitCode);
        Land(2, 10); // judged against one earlier box only: not judged
        Assert.Equal(0, Cli(factory, "build").ExitCode);
        using var ws = WorkspaceBuilder.At(_home.Path).Open(factory());
        var box = ws.Ledger.Boxes("prod", "raw.sales", BoxRange.Single(First.AddDays(1).DayNumber)).Single();
        var result = ws.Ledger.CheckResults(box.CurrentVersion!).Single(c => c.Name == "volume_anomaly");
        Assert.True(result.Passed);
        Assert.Equal("10 rows; only 1 of the 14 previous box(es) have a version (needs 3): not judged", result.Message);
    }

    [Fact]
    public void Profile_validates_its_arguments()
    {
        var factory = Sales();
        Land(1, 10);
        Assert.Equal(0, Cli(factory, "build").ExitCode);
        foreach (var args in new[]
        {
            new[] { "profile", "Raw.Sales" },
            ["profile", "raw.nothing"],
            ["profile", "raw.sales", "--from", "2026-13-01"],
            ["profile", "raw.sales", "--from", "2026-01-05", "--to", "2026-01-01"],
            ["profile", "raw.sales@2026-01-01", "--from", "2026-01-01"],
            ["profile", "raw.sales@yesterday"],
            ["suggest-checks", "raw.sales", "--to", "tomorrow"],
            ["suggest-checks", "raw.sales", "--env", "Bad Env"],
        })
        {
            var result = Cli(factory, args);
            Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
            Assert.StartsWith("error: ", result.Stderr);
        }
        var one = Cli(factory, "profile", "raw.sales@2026-01-01", "--json");
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Equal(1, one.Json.GetProperty("boxes").GetInt32());
        var none = Cli(factory, "profile", "raw.sales", "--from", "2025-01-01", "--to", "2025-01-31");
        Assert.Equal(0, none.ExitCode);
        Assert.Contains("has no built box in 2025-01-01..2025-01-31", none.Console);
        var nothing = Cli(factory, "suggest-checks", "raw.sales", "--from", "2025-01-01", "--to", "2025-01-31");
        Assert.Equal(0, nothing.ExitCode);
        Assert.Contains("run `profile raw.sales` first", nothing.Console);
    }
}
