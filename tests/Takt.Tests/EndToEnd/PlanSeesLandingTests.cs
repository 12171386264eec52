using System.Text.Json;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// `plan` shows what `build` would run, landing zone included: source boxes whose landing files are new or changed,
/// and their downstream, with the file as the reason. Planning commits nothing: the ledger is the same before and after.
/// </summary>
public sealed class PlanSeesLandingTests : IDisposable
{
    private readonly E2EDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public void On_a_fresh_home_plan_lists_every_task_the_first_build_runs()
    {
        var home = _home.Path;
        E2E.Generate(home, new DateOnly(2026, 1, 1), new DateOnly(2026, 3, 1)); // the Shop's 60 days

        var plan = E2E.Cli(home, "plan", "--json");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        var planned = Tasks(plan.Json);
        Assert.Contains("raw.orders@2026-01-05: landing file new: orders/2026-01-05.jsonl", ReasonsOf(plan.Json));

        var before = LedgerContents.Read(home);
        Assert.Equal(0, E2E.Cli(home, "plan", "--json").ExitCode);
        Assert.Equal(0, E2E.Cli(home, "status", "--json").ExitCode);
        var after = LedgerContents.Read(home);
        Assert.True(LedgerContents.Differences(before, after) == "", $"plan or status wrote to the ledger: {LedgerContents.Differences(before, after)}");

        var build = E2E.Cli(home, "build", "--json");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Equal(480, planned.Length);
        Assert.Equal(planned, Tasks(build.Json));
    }

    [Fact]
    public void After_a_late_and_a_changed_file_land_plan_lists_what_the_build_runs_and_writes_nothing()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(14));
        Assert.Equal(0, E2E.Cli(home, "build").ExitCode);

        // A late order for day 5 is appended to its file, and day 15 lands.
        var day5 = Path.Combine(E2E.Landing(home), "orders", "2026-01-05.jsonl");
        var late = File.ReadLines(day5).First().Replace("o-20260105-00001", "o-20260105-late1", StringComparison.Ordinal);
        File.AppendAllText(day5, late + "\n");
        E2E.Generate(home, E2E.Day(15), E2E.Day(15));

        var before = LedgerContents.Read(home);
        var plan = E2E.Cli(home, "plan", "--json");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Equal(0, E2E.Cli(home, "status", "--json").ExitCode);
        var after = LedgerContents.Read(home);
        Assert.True(LedgerContents.Differences(before, after) == "", $"plan or status wrote to the ledger: {LedgerContents.Differences(before, after)}");

        var reasons = ReasonsOf(plan.Json);
        Assert.Contains("raw.orders@2026-01-05: landing file changed: orders/2026-01-05.jsonl", reasons);
        Assert.Contains("raw.orders@2026-01-15: landing file new: orders/2026-01-15.jsonl", reasons);
        Assert.Contains("raw.users@2026-01-15: landing file new: users/2026-01-15.csv", reasons);

        var build = E2E.Cli(home, "build", "--json");
        Assert.True(build.ExitCode == 0, build.ToString());
        // Day 5 of the orders side and what reads it (user features and fraud scores for 5..11), and day 15 of every dataset.
        Assert.Equal(3 + 7 + 7 + 8, Tasks(build.Json).Length);
        Assert.Equal(Tasks(plan.Json), Tasks(build.Json));
        Assert.Equal(0, E2E.Cli(home, "plan", "--json").Json.GetProperty("tasks").GetArrayLength());
    }

    [Fact]
    public void Source_boxes_another_environment_ingested_are_planned_and_run_as_tasks_with_that_reason()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(3));
        Assert.Equal(0, E2E.Cli(home, "build", "--env", "dev-alice").ExitCode); // dev's ingest takes the landing files first

        var plan = E2E.Cli(home, "plan", "--json");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Contains("raw.orders@2026-01-02: landed in another environment's build", ReasonsOf(plan.Json));

        var build = E2E.Cli(home, "build", "--json");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.NotEmpty(Tasks(build.Json));
        Assert.Equal(Tasks(plan.Json), Tasks(build.Json));
        Assert.Equal(0, E2E.Cli(home, "plan", "--json").Json.GetProperty("tasks").GetArrayLength());
        Assert.Equal(0, E2E.Cli(home, "plan", "--env", "dev-alice", "--json").Json.GetProperty("tasks").GetArrayLength());
    }

    [Fact]
    public void A_landing_file_changed_back_to_what_this_environment_has_is_planned_alone_without_its_downstream()
    {
        var home = _home.Path;
        E2E.Generate(home, E2E.Day(1), E2E.Day(3));
        Assert.Equal(0, E2E.Cli(home, "build").ExitCode);
        var day2 = Path.Combine(E2E.Landing(home), "orders", "2026-01-02.jsonl");
        var original = File.ReadAllText(day2);
        File.AppendAllText(day2, File.ReadLines(day2).First().Replace("o-20260102-00001", "o-20260102-late1", StringComparison.Ordinal) + "\n");
        Assert.Equal(0, E2E.Cli(home, "build", "--env", "dev-alice").ExitCode); // dev's ingest takes the changed file
        File.WriteAllText(day2, original); // and it changes back to what prod ingested

        var plan = E2E.Cli(home, "plan", "--json");
        Assert.True(plan.ExitCode == 0, plan.ToString());
        Assert.Equal(["raw.orders@2026-01-02"], Tasks(plan.Json));

        var build = E2E.Cli(home, "build", "--json");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Equal(Tasks(plan.Json), Tasks(build.Json));
    }

    private static string[] Tasks(JsonElement json) => json.GetProperty("tasks").EnumerateArray()
        .Select(t => $"{t.GetProperty("dataset").GetString()}@{t.GetProperty("box").GetString()}").Order(StringComparer.Ordinal).ToArray();

    private static string[] ReasonsOf(JsonElement plan) => plan.GetProperty("tasks").EnumerateArray()
        .Select(t => $"{t.GetProperty("dataset").GetString()}@{t.GetProperty("box").GetString()}: {t.GetProperty("reason").GetString()}").ToArray();
}
