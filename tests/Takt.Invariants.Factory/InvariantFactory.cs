using Takt.Checks;
using Takt.Definitions;
using Takt.Publishing;

namespace Takt.Invariants.Factory;

/// <summary>
/// A small factory made for the invariant harness: every partition mapping (same box, window, all up to, latest,
/// daily to monthly, an unpartitioned input), a C# transform and a publish target, over two sources whose landing
/// files <see cref="InvariantLanding"/> writes deterministically.
/// </summary>
public static class InvariantFactory
{
    /// <summary>
    /// Selects the code variant, so that code changes without recompiling: "b" changes the SQL of <c>mart.rolling</c>,
    /// "c" the C# function of <c>serving.scores</c> (without bumping its declared version).
    /// </summary>
    public const string VariantVariable = "TAKT_INVARIANT_SQL";

    public const string Published = "serving.scores";
    public const string PublishedDatabase = "published/invariants.db";
    public const string PublishedTable = "scores";

    public static string VariantFromEnvironment() => Environment.GetEnvironmentVariable(VariantVariable) ?? "";

    public static Takt.Definitions.Factory Build(string baseDirectory, string variant) => new FactoryBuilder("invariants", baseDirectory)
        .Dataset("raw.events", d => d
            .Owner("harness")
            .Description("Events as JSON lines, one file per day.")
            .Daily()
            .Schema(s => s
                .Required("event_id", ColumnType.String)
                .Required("user_id", ColumnType.String)
                .Column("amount", ColumnType.Int64))
            .FromLanding("events/{box}.jsonl", LandingFormat.JsonLines))
        .Dataset("raw.users", d => d
            .Owner("harness")
            .Description("Every user and its segment: one CSV file, no partitions.")
            .Unpartitioned()
            .Schema(s => s
                .Required("user_id", ColumnType.String)
                .Column("segment", ColumnType.String))
            .FromLanding(InvariantLanding.UsersPath, LandingFormat.Csv)
            .Check(Check.Unique("user_id"))
            .Check(Check.AcceptedValues("segment", "a", "b", "c")))
        .Dataset("core.events", d => d
            .Owner("harness")
            .Description("The day's events with their user's segment (same box, and the unpartitioned users).")
            .Input("raw.events")
            .Input("raw.users")
            .Sql("invariant-sql/core/events.sql")
            .Schema(s => s
                .Column("event_id", ColumnType.String)
                .Column("user_id", ColumnType.String)
                .Column("segment", ColumnType.String)
                .Column("amount", ColumnType.Int64))
            .Check(Check.Unique("event_id"))
            .Check(Check.Range("amount", min: 0))
            .Check(Check.NotNull("segment")))
        .Dataset("mart.rolling", d => d
            .Owner("harness")
            .Description("Per user over a window of 3 days.")
            .Input("core.events", PartitionMapping.Window(3))
            .Sql(variant.Contains('b') ? "invariant-sql/mart/rolling.b.sql" : "invariant-sql/mart/rolling.sql"))
        .Dataset("mart.to_date", d => d
            .Owner("harness")
            .Description("Per segment over every day up to this one.")
            .Input("core.events", PartitionMapping.AllUpTo)
            .Sql("invariant-sql/mart/to_date.sql"))
        .Dataset("mart.monthly", d => d
            .Owner("harness")
            .Description("Per segment and month, from the days of the month.")
            .Monthly()
            .Input("core.events")
            .Sql("invariant-sql/mart/monthly.sql"))
        .Dataset("mart.latest", d => d
            .Owner("harness")
            .Description("The latest day there is, in one unpartitioned box.")
            .Unpartitioned()
            .Input("core.events", PartitionMapping.Latest)
            .Sql("invariant-sql/mart/latest.sql"))
        .Dataset(Published, d => d
            .Owner("harness")
            .Description("A score per user and day, by a C# function, handed over to readers in SQLite.")
            .Input("mart.rolling")
            .Rows(Scoring.Version, variant.Contains('c') ? Scoring.ScoreSteeper : Scoring.Score)
            .PublishTo(PublishTarget.Sqlite(PublishedDatabase, PublishedTable))
            .Schema(s => s
                .Required("user_id", ColumnType.String)
                .Required("day", ColumnType.String)
                .Required("events_3d", ColumnType.Int64)
                .Required("score", ColumnType.Double)
                .Required("band", ColumnType.String))
            .Check(Check.Range("score", min: 0, max: 1))
            .Check(Check.AcceptedValues("band", "low", "high")))
        .Build();
}

/// <summary>The C# transform: a logistic score of a user's 3-day amount.</summary>
public static class Scoring
{
    public const string Version = "1";

    public static IEnumerable<object?[]> Score(RowTransformContext context)
    {
        foreach (var row in context.Rows("mart.rolling"))
        {
            var amount = row.GetOrDefault<long>("amount_3d") ?? 0;
            var score = Math.Round(1 / (1 + Math.Exp(-amount / 500.0)), 6);
            yield return [row.Get<string>("user_id"), context.Box, row.Get<long>("events_3d"), score, score >= 0.75 ? "high" : "low"];
        }
    }

    /// <summary>The change a developer makes to the C# transform and forgets to declare by bumping <see cref="Version"/>.</summary>
    public static IEnumerable<object?[]> ScoreSteeper(RowTransformContext context)
    {
        foreach (var row in context.Rows("mart.rolling"))
        {
            var amount = row.GetOrDefault<long>("amount_3d") ?? 0;
            var score = Math.Round(1 / (1 + Math.Exp(-amount / 250.0)), 6);
            yield return [row.Get<string>("user_id"), context.Box, row.Get<long>("events_3d"), score, score >= 0.75 ? "high" : "low"];
        }
    }
}
