using Takt.Boxes;
using Takt.Composition;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Planning;
using Takt.Running;

namespace Takt.Tests.Unit;

/// <summary>
/// raw.src (source) -> core.a (same box) -> core.b (window of 3), planned over the ledger the composition root opens
/// (SQLite by default), whose state is written directly, so no landing files or lake are needed.
/// </summary>
public sealed class PlannerClosureTests : IDisposable
{
    private const string Env = "prod";
    private const int Days = 10;
    private static readonly DateOnly Day0 = new(2024, 5, 1);
    private static readonly long D0 = Day0.DayNumber;

    private readonly UnitTempDirectory _dir = new();
    private readonly Factory _factory;
    private readonly Workspace _ws;
    private readonly ILedger _ledger;

    public PlannerClosureTests()
    {
        _factory = BuildFactory(_dir.Path, "SELECT * FROM raw.src");
        _ws = WorkspaceBuilder.At(_dir.Path).Open(_factory);
        _ledger = _ws.Ledger;
    }

    public void Dispose()
    {
        _ws.Dispose();
        _dir.Dispose();
    }

    private static Factory BuildFactory(string directory, string aSql)
    {
        File.WriteAllText(Path.Combine(directory, "a.sql"), aSql);
        File.WriteAllText(Path.Combine(directory, "b.sql"), "SELECT * FROM core.a");
        return new FactoryBuilder("closure", directory)
            .Dataset("raw.src", d => d.Owner("t")
                .Schema(s => s.Required("id", ColumnType.Int64))
                .FromLanding("src/{box}.jsonl", LandingFormat.JsonLines))
            .Dataset("core.a", d => d.Owner("t").Input("raw.src").Sql("a.sql"))
            .Dataset("core.b", d => d.Owner("t").Input("core.a", PartitionMapping.Window(3)).Sql("b.sql"))
            .Build();
    }

    private static string Key(long box) => GrainMath.Format(Grain.Daily, box);
    private static long[] Boxes(int from, int to) => Enumerable.Range(from, to - from + 1).Select(i => D0 + i).ToArray();
    private static long[] Planned(Plan plan, string dataset) => plan.Tasks.Where(t => t.Dataset == dataset).Select(t => t.Box).ToArray();

    private Plan PlanOf(IReadOnlyCollection<string>? targets = null, DateOnly? from = null, DateOnly? to = null) =>
        new Planner(_factory, _ledger).Create(Env, targets ?? [], from, to);

    private void CommitSource(long box, VersionStatus status = VersionStatus.Committed, int generation = 0, string? id = null)
    {
        var version = new VersionRecord(id ?? $"src-{Key(box)}-g{generation}-{status}", "raw.src", box, Key(box), _factory.CodeHashOf("raw.src"),
            generation, status, 10, 100, "[]", 0, null);
        Assert.Equal(CommitOutcome.Committed, _ledger.Commit(new CommitRequest(Env, version, [], [], null)));
    }

    private void CommitSources(IEnumerable<long> boxes)
    {
        foreach (var box in boxes) CommitSource(box);
    }

    /// <summary>Commits the boxes of a transform as a build would: recipe over the current pointers of its inputs.</summary>
    private void CommitTransform(string dataset, IEnumerable<long> boxes, Factory? factory = null)
    {
        factory ??= _factory;
        var definition = factory[dataset];
        var dataExtent = new BoxRange(D0, D0 + Days - 1);
        foreach (var box in boxes)
        {
            var inputs = new List<LineageEdge>();
            foreach (var input in definition.Inputs)
            {
                var range = input.Mapping.InputsOf(BoxRange.Single(box), definition.Grain, Grain.Daily, dataExtent).Intersect(dataExtent);
                var states = _ledger.Boxes(Env, input.Dataset, range);
                Assert.Equal(range.Count, states.Count);
                inputs.AddRange(states.Select(s => new LineageEdge(input.Dataset, s.Box, s.CurrentVersion!)));
            }
            var codeHash = factory.CodeHashOf(dataset);
            var generation = _ledger.Generations(dataset, BoxRange.Single(box)).Of(box);
            var id = Recipe.ForTransform(dataset, box, codeHash, generation, inputs);
            var version = new VersionRecord(id, dataset, box, Key(box), codeHash, generation, VersionStatus.Committed, 10, 100, "[]", 0, null);
            Assert.Equal(CommitOutcome.Committed, _ledger.Commit(new CommitRequest(Env, version, inputs, [], null)));
        }
    }

    private void Invalidate(string dataset, long box) => _ledger.Invalidate(dataset, BoxRange.Single(box), Key(box), 1, "test");

    private void CommitEverything()
    {
        CommitSources(Boxes(0, Days - 1));
        CommitTransform("core.a", Boxes(0, Days - 1));
        CommitTransform("core.b", Boxes(0, Days - 1));
    }

    // ------------------------------------------------------------------ missing and fresh

    [Fact]
    public void Empty_ledger_plans_nothing()
    {
        var plan = PlanOf();
        Assert.Empty(plan.Tasks);
        Assert.True(plan.For("raw.src").Extent.IsEmpty);
        Assert.True(plan.For("core.b").Extent.IsEmpty);
    }

    [Fact]
    public void Plan_of_everything_lists_every_transform_box_as_missing_in_topological_order()
    {
        CommitSources(Boxes(0, Days - 1));

        var plan = PlanOf();

        Assert.Equal(Boxes(0, Days - 1), Planned(plan, "core.a"));
        Assert.Equal(Boxes(0, Days - 1), Planned(plan, "core.b"));
        Assert.Empty(Planned(plan, "raw.src"));
        Assert.Equal(2 * Days, plan.Tasks.Count);
        Assert.All(plan.Tasks, t => Assert.Equal("missing", t.Reason));
        Assert.All(plan.Tasks, t => Assert.Equal(Key(t.Box), t.BoxKey));

        var lastA = plan.Tasks.ToList().FindLastIndex(t => t.Dataset == "core.a");
        var firstB = plan.Tasks.ToList().FindIndex(t => t.Dataset == "core.b");
        Assert.True(lastA < firstB, "every core.a box comes before the core.b boxes that read it");

        Assert.Equal(new BoxRange(D0, D0 + Days - 1), plan.For("core.b").Extent);
        Assert.Equal(Days, plan.For("raw.src").Fresh);
        Assert.False(plan.LineStopped);
    }

    [Fact]
    public void After_committing_every_box_the_plan_is_empty_and_stays_empty()
    {
        CommitEverything();

        var plan = PlanOf();
        Assert.Empty(plan.Tasks);
        Assert.Equal(Days, plan.For("core.a").Fresh);
        Assert.Equal(Days, plan.For("core.b").Fresh);

        _ledger.SetStamps(Env, plan.Stamps); // as a build records them
        Assert.Empty(PlanOf().Tasks); // the second plan takes the freshness-stamp path
    }

    [Fact]
    public void Planning_writes_nothing_and_hands_back_the_freshness_stamps_it_found()
    {
        CommitEverything();
        var seq = _ledger.CurrentSeq();

        var plan = PlanOf();

        Assert.Equal(["core.a", "core.b", "raw.src"], plan.Stamps.Keys.Order(StringComparer.Ordinal));
        Assert.All(plan.Stamps.Values, s => Assert.Equal(seq, s.Seq));
        Assert.All(_factory.Datasets, d => Assert.Null(_ledger.Stamp(Env, d.Name)));
    }

    [Fact]
    public void A_partly_built_dataset_plans_only_its_missing_boxes()
    {
        CommitSources(Boxes(0, Days - 1));
        CommitTransform("core.a", Boxes(0, 5));

        var plan = PlanOf(["core.a"]);

        Assert.Equal(Boxes(6, Days - 1), Planned(plan, "core.a"));
        Assert.Equal(6, plan.For("core.a").Fresh);
    }

    // ------------------------------------------------------------------ invalidation: exactly the downstream

    [Fact]
    public void Invalidating_one_source_box_plans_it_one_reader_box_and_three_window_boxes()
    {
        CommitEverything();
        Assert.Empty(PlanOf().Tasks);
        var bad = D0 + 4;

        Invalidate("raw.src", bad);
        var plan = PlanOf();

        Assert.Equal([bad], Planned(plan, "raw.src"));
        Assert.Equal([bad], Planned(plan, "core.a"));
        Assert.Equal([bad, bad + 1, bad + 2], Planned(plan, "core.b"));
        Assert.Equal(5, plan.Tasks.Count);
        Assert.Equal("invalidated", plan.Tasks.Single(t => t.Dataset == "raw.src").Reason);
        Assert.Equal("upstream rebuilt: raw.src", plan.Tasks.Single(t => t.Dataset == "core.a").Reason);
        Assert.All(plan.Tasks.Where(t => t.Dataset == "core.b"), t => Assert.Equal("upstream rebuilt: core.a", t.Reason));
    }

    [Fact]
    public void After_rebuilding_the_invalidated_closure_the_plan_is_empty_again()
    {
        CommitEverything();
        var bad = D0 + 4;
        Invalidate("raw.src", bad);
        Assert.Equal(5, PlanOf().Tasks.Count);

        CommitSource(bad, generation: 1);
        var midway = PlanOf();
        Assert.Empty(Planned(midway, "raw.src"));
        Assert.Equal([bad], Planned(midway, "core.a"));
        Assert.All(midway.Tasks.Where(t => t.Dataset == "core.a"), t => Assert.Equal("input changed: raw.src", t.Reason));
        Assert.Equal([bad, bad + 1, bad + 2], Planned(midway, "core.b"));

        CommitTransform("core.a", [bad]);
        var almost = PlanOf();
        Assert.Empty(Planned(almost, "core.a"));
        Assert.Equal([bad, bad + 1, bad + 2], Planned(almost, "core.b"));
        Assert.All(almost.Tasks, t => Assert.Equal("input changed: core.a", t.Reason));

        CommitTransform("core.b", [bad, bad + 1, bad + 2]);
        Assert.Empty(PlanOf().Tasks);
    }

    [Fact]
    public void A_box_rebuilt_to_the_version_it_already_had_after_its_input_moved_away_and_back_is_fresh()
    {
        CommitEverything();
        var box = D0 + 4;
        var original = _ledger.Boxes(Env, "raw.src", BoxRange.Single(box)).Single().CurrentVersion!;
        CommitSource(box, id: "src-other-delivery");
        var back = _ledger.FindVersion(original)!;
        _ledger.Commit(new CommitRequest(Env, back, [], [], null)); // the first delivery lands again
        Assert.Equal([box], Planned(PlanOf(), "core.a"));

        // The build finds core.a's recipe already built and current: the box keeps its version and is fresh.
        CommitTransformAgain("core.a", box);
        Assert.Equal([box, box + 1, box + 2], Planned(PlanOf(), "core.b"));
        foreach (var b in new[] { box, box + 1, box + 2 }) CommitTransformAgain("core.b", b);
        Assert.Empty(PlanOf().Tasks);
    }

    /// <summary>Commits a box whose recipe was built before, as a build that reuses it would (the ledger answers "already current").</summary>
    private void CommitTransformAgain(string dataset, long box)
    {
        var current = _ledger.Boxes(Env, dataset, BoxRange.Single(box)).Single().CurrentVersion!;
        var version = _ledger.FindVersion(current)!;
        Assert.Equal(CommitOutcome.AlreadyCurrent, _ledger.Adopt(Env, version, _ledger.InputsOf(current)));
    }

    [Fact]
    public void A_window_is_shorter_at_the_end_of_the_data()
    {
        CommitEverything();
        var last = D0 + Days - 1;
        Invalidate("raw.src", last);

        var plan = PlanOf();

        Assert.Equal([last], Planned(plan, "core.a"));
        Assert.Equal([last], Planned(plan, "core.b"));
    }

    [Fact]
    public void Invalidating_a_transform_box_does_not_touch_its_inputs()
    {
        CommitEverything();
        var box = D0 + 2;
        Invalidate("core.a", box);

        var plan = PlanOf();

        Assert.Empty(Planned(plan, "raw.src"));
        Assert.Equal([box], Planned(plan, "core.a"));
        Assert.Equal([box, box + 1, box + 2], Planned(plan, "core.b"));
    }

    [Fact]
    public void Changing_the_sql_of_a_plans_all_of_a_as_code_changed_and_all_of_b()
    {
        CommitEverything();
        var v2 = _dir.Combine("v2");
        Directory.CreateDirectory(v2);
        var changed = BuildFactory(v2, "SELECT id * 2 AS id FROM raw.src");
        Assert.NotEqual(_factory.CodeHashOf("core.a"), changed.CodeHashOf("core.a"));
        Assert.Equal(_factory.CodeHashOf("core.b"), changed.CodeHashOf("core.b"));

        var plan = new Planner(changed, _ledger).Create(Env, []);

        Assert.Empty(Planned(plan, "raw.src"));
        Assert.Equal(Boxes(0, Days - 1), Planned(plan, "core.a"));
        Assert.All(plan.Tasks.Where(t => t.Dataset == "core.a"), t => Assert.Equal("code changed", t.Reason));
        Assert.Equal(Boxes(0, Days - 1), Planned(plan, "core.b"));
    }

    // ------------------------------------------------------------------ targets and box ranges

    [Fact]
    public void Targets_restrict_the_closure_to_what_they_need()
    {
        CommitSources(Boxes(0, Days - 1));

        var plan = PlanOf(["core.a"]);

        Assert.Equal(["raw.src", "core.a"], plan.Datasets.Select(d => d.Dataset));
        Assert.Equal(Boxes(0, Days - 1), Planned(plan, "core.a"));
        Assert.DoesNotContain(plan.Tasks, t => t.Dataset == "core.b");
    }

    [Fact]
    public void Planning_a_source_alone_never_plans_its_readers()
    {
        CommitEverything();
        Invalidate("raw.src", D0);

        var plan = PlanOf(["raw.src"]);

        Assert.Equal([D0], Planned(plan, "raw.src"));
        Assert.Single(plan.Tasks);
    }

    [Fact]
    public void From_and_to_restrict_the_target_boxes_and_pull_what_they_read()
    {
        CommitSources(Boxes(0, Days - 1));

        var plan = PlanOf(["core.b"], Day0.AddDays(3), Day0.AddDays(4));

        Assert.Equal(Boxes(3, 4), Planned(plan, "core.b"));
        Assert.Equal(Boxes(1, 4), Planned(plan, "core.a")); // window of 3: box 3 reads 1..3
        Assert.Equal(BoxSet.OfBoxes(Boxes(1, 4)).Ranges, plan.For("raw.src").Required.Ranges);
    }

    [Fact]
    public void From_and_to_on_a_same_box_target()
    {
        CommitSources(Boxes(0, Days - 1));

        var plan = PlanOf(["core.a"], Day0.AddDays(3), Day0.AddDays(4));

        Assert.Equal(Boxes(3, 4), Planned(plan, "core.a"));
        Assert.Equal(2, plan.Tasks.Count);
    }

    [Fact]
    public void From_alone_and_to_alone_are_open_ended()
    {
        CommitSources(Boxes(0, Days - 1));

        Assert.Equal(Boxes(7, Days - 1), Planned(PlanOf(["core.a"], from: Day0.AddDays(7)), "core.a"));
        Assert.Equal(Boxes(0, 2), Planned(PlanOf(["core.a"], to: Day0.AddDays(2)), "core.a"));
    }

    [Fact]
    public void From_alone_works_for_an_hourly_dataset()
    {
        var hourly = new FactoryBuilder("hourly", _dir.Path)
            .Dataset("raw.h", d => d.Owner("t").Hourly().Schema(s => s.Required("id", ColumnType.Int64)).FromLanding("h/{box}.jsonl", LandingFormat.JsonLines))
            .Dataset("core.h", d => d.Owner("t").Hourly().Input("raw.h").Sql("a.sql"))
            .Build();
        var firstHour = D0 * 24;
        for (var hour = firstHour; hour < firstHour + 48; hour++)
        {
            var key = GrainMath.Format(Grain.Hourly, hour);
            var version = new VersionRecord($"h-{key}", "raw.h", hour, key, hourly.CodeHashOf("raw.h"), 0, VersionStatus.Committed, 1, 1, "[]", 0, null);
            _ledger.Commit(new CommitRequest(Env, version, [], [], null));
        }

        var plan = new Planner(hourly, _ledger).Create(Env, ["core.h"], from: Day0.AddDays(1));

        Assert.Equal(Enumerable.Range(24, 24).Select(h => firstHour + h), plan.Tasks.Where(t => t.Dataset == "core.h").Select(t => t.Box));
    }

    [Fact]
    public void A_range_outside_the_data_plans_nothing()
    {
        CommitSources(Boxes(0, Days - 1));
        Assert.Empty(PlanOf([], Day0.AddDays(50), Day0.AddDays(60)).Tasks);
    }

    // ------------------------------------------------------------------ andon: blocked, not planned

    [Fact]
    public void A_quarantined_source_box_blocks_its_readers()
    {
        var stopped = D0 + 5;
        CommitSources(Boxes(0, Days - 1).Where(b => b != stopped));
        CommitSource(stopped, VersionStatus.Quarantined);

        var plan = PlanOf();

        Assert.Equal([stopped], plan.For("raw.src").Quarantined);
        Assert.Equal([stopped], plan.For("core.a").BlockedBoxes);
        Assert.Equal([stopped, stopped + 1, stopped + 2], plan.For("core.b").BlockedBoxes);
        Assert.Contains(plan.For("core.a").Blocked, h => h.Cause.Contains($"raw.src@{Key(stopped)}") && h.Cause.Contains("stopped by a check"));

        Assert.Equal(Boxes(0, Days - 1).Where(b => b != stopped), Planned(plan, "core.a"));
        Assert.Equal(Boxes(0, Days - 1).Where(b => b < stopped || b > stopped + 2), Planned(plan, "core.b"));
        Assert.True(plan.LineStopped);
    }

    [Fact]
    public void A_quarantined_head_over_a_good_version_still_blocks_its_readers()
    {
        CommitEverything();
        var stopped = D0 + 5;
        CommitSource(stopped, VersionStatus.Quarantined, id: "src-bad-delivery");

        var plan = PlanOf();

        Assert.Equal([stopped], plan.For("raw.src").Quarantined);
        Assert.Equal([stopped], plan.For("core.a").BlockedBoxes);
        Assert.Equal([stopped, stopped + 1, stopped + 2], plan.For("core.b").BlockedBoxes);
        Assert.Empty(plan.Tasks);
        Assert.True(plan.LineStopped);
    }

    [Fact]
    public void A_missing_source_box_makes_its_readers_wait()
    {
        var gap = D0 + 4;
        CommitSources(Boxes(0, Days - 1).Where(b => b != gap));

        var plan = PlanOf();

        Assert.Equal([gap], plan.For("core.a").WaitingBoxes);
        Assert.Contains(plan.For("core.a").Waiting, h => h.Cause == $"raw.src@{Key(gap)} has no landing data");
        Assert.Equal([gap, gap + 1, gap + 2], plan.For("core.b").WaitingBoxes);
        Assert.Contains(plan.For("core.b").Waiting, h => h.Cause == $"raw.src@{Key(gap)} has no landing data"); // what core.a waits for
        Assert.Equal(Days - 1, Planned(plan, "core.a").Length);
        Assert.Equal(Days - 3, Planned(plan, "core.b").Length);
        Assert.False(plan.LineStopped);
    }
}
