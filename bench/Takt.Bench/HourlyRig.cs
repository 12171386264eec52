using Takt.Boxes;
using Takt.Composition;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Bench;

/// <summary>What the ledger of <see cref="HourlyRig"/> holds, by construction: every box's status.</summary>
internal sealed record HourlyTruth(long FirstBox, int Boxes, IReadOnlySet<long> Quarantined, IReadOnlySet<long> Stale)
{
    public long LastBox => FirstBox + Boxes - 1;
    public long Fresh => Boxes - Quarantined.Count - Stale.Count;
    public string FirstKey => GrainMath.Format(Grain.Hourly, FirstBox);
    public string LastKey => GrainMath.Format(Grain.Hourly, LastBox);
    public DateOnly FirstDay => DateOnly.FromDayNumber((int)(FirstBox / 24));
    public DateOnly LastDay => DateOnly.FromDayNumber((int)(LastBox / 24));

    public char StatusOf(long box) => Quarantined.Contains(box) ? 'q' : Stale.Contains(box) ? 's' : 'f';
}

/// <summary>
/// One hourly source <c>raw.events</c> of N boxes from 2015-01-01T00 (100,000 boxes: about 11.4 years), its ledger
/// left as a complete build leaves it (filled directly, as benchmark 1's), then a few boxes stopped by a check (a
/// quarantined head version over the fresh one) and two days invalidated (48 stale boxes), so that every view of it
/// has something to show and to get right.
/// </summary>
internal static class HourlyRig
{
    public const string Dataset = "raw.events";
    public static readonly long FirstBox = new DateOnly(2015, 1, 1).DayNumber * 24L;

    public static Factory Declare(string home) =>
        new FactoryBuilder("hourly", Path.Combine(home, "factory"))
            .Dataset(Dataset, d => d.Owner("bench").Hourly().Schema(s => s.Required("x", ColumnType.Int64)).FromLanding("events/{box}.csv", LandingFormat.Csv))
            .Build();

    public static HourlyTruth Create(string home, int boxes)
    {
        var factory = Declare(home);
        LedgerFill.Fill(factory, Path.Combine(home, "ledger.db"), FirstBox, boxes, FillMode.Direct);
        // One stopped box in about 1,000, spread over the whole range.
        var quarantined = new HashSet<long>();
        for (var b = FirstBox + 500; b < FirstBox + boxes; b += 997) quarantined.Add(b);
        var stale = new HashSet<long>();
        using var ws = WorkspaceBuilder.At(home).Open(factory);
        var codeHash = factory.CodeHashOf(Dataset);
        foreach (var b in quarantined)
        {
            var key = GrainMath.Format(Grain.Hourly, b);
            var id = Recipe.ForSource(Dataset, b, codeHash, 0, [($"events/{key}.csv", Hashing.Hex("defect " + key))]);
            var version = new VersionRecord(id, Dataset, b, key, codeHash, 0, VersionStatus.Quarantined, 100, 512, """[{"name":"x","type":"BIGINT"}]""",
                1_735_689_600_000, LedgerFill.RunId);
            var outcome = ws.Ledger.Commit(new CommitRequest(LedgerFill.Env, version, [], [new CheckResult("range(x)", "range", "block", false, 3, "3 rows out of range")], null));
            if (outcome != CommitOutcome.Committed) throw new BenchFailure($"quarantining {Dataset}@{key} returned {outcome}");
            ws.Ledger.SetSourceHead(Dataset, b, id); // as an ingest does: what landed last for the box
        }
        // Two whole days two thirds into the range: invalidated, so 48 boxes are stale (rebuilt by the next build).
        var day = DateOnly.FromDayNumber((int)((FirstBox + boxes * 2L / 3) / 24));
        var result = new Building.BuildService(ws).Invalidate(Dataset, day, day.AddDays(1), "bench");
        for (var b = day.DayNumber * 24L; b < day.AddDays(2).DayNumber * 24L; b++)
            if (b >= FirstBox && b < FirstBox + boxes && !quarantined.Contains(b)) stale.Add(b);
        if (result.Boxes == 0) throw new BenchFailure($"invalidating {day:yyyy-MM-dd} of {Dataset} changed no box");
        return new HourlyTruth(FirstBox, boxes, quarantined, stale);
    }
}
