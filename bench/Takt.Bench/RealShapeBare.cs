using System.Diagnostics;
using System.Globalization;
using Takt.Engine;

namespace Takt.Bench;

/// <summary>
/// <c>real-shape-bare full|late FORMAT LANDING LATE_FILE OUT</c>: the real-shape job by hand in DuckDB (DuckDB.NET, in
/// process, one in-memory database with its default threads), what a user without Takt would write, run as a child
/// process so that its wall time includes a runtime start like Takt's CLI and its peak RSS is its own.
/// <para>full: split the landing file into one Parquet folder per day (<c>PARTITION_BY</c>), then the daily and the
/// 7-day aggregates, joined with the zones, each to one Parquet file. late: append the late file's rows to the split
/// (new files in the days they fall in), then recompute just the affected days: the daily aggregate of those days and
/// the 7-day aggregate of every day whose window holds one of them.</para>
/// Prints <c>PHASE name seconds</c> per statement, <c>ELAPSED seconds</c> (in DuckDB, without the runtime start) and <c>VMHWM bytes</c> on stderr.
/// </summary>
internal static class RealShapeBare
{
    public const string Command = "real-shape-bare";
    private const string ElapsedPrefix = "ELAPSED ", PhasePrefix = "PHASE ";

    public static string[] Arguments(string mode, RealShapeFormat format, string landing, string lateFile, string output) =>
        [Command, mode, format.ToString(), landing, lateFile, output];

    public static string Split(string output) => Path.Combine(output, "split");
    public static string DailyFile(string output, bool late = false) => Path.Combine(output, late ? "daily-late.parquet" : "daily.parquet");
    public static string WeeklyFile(string output, bool late = false) => Path.Combine(output, late ? "weekly-late.parquet" : "weekly.parquet");

    public static int Run(string[] args)
    {
        if (args.Length != 6 || args[1] is not ("full" or "late") || !Enum.TryParse<RealShapeFormat>(args[2], out var format))
            throw new UsageException($"usage: {Command} full|late parquet|csv|jsonlines LANDING LATE_FILE OUT");
        var (landing, lateFile, output) = (args[3], args[4], args[5]);
        var clock = Stopwatch.StartNew();
        using (var connection = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            if (args[1] == "full")
            {
                Directory.CreateDirectory(output);
                Phase(cmd, "split", $"""
                    COPY (SELECT *, CAST(pickup_at AS DATE) AS day FROM {RealShape.ReadTrips([Path.Combine(landing, RealShape.MainFile(format))], format)})
                      TO {SqlText.Literal(Split(output))} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day))
                    """);
                Phase(cmd, "views", Views(landing, output));
                Phase(cmd, "daily", $"COPY ({DailyQuery("true")}) TO {SqlText.Literal(DailyFile(output))} (FORMAT parquet, COMPRESSION zstd)");
                Phase(cmd, "weekly", $"COPY ({WeeklyQuery("true", "true")}) TO {SqlText.Literal(WeeklyFile(output))} (FORMAT parquet, COMPRESSION zstd)");
            }
            else
            {
                var read = RealShape.ReadTrips([lateFile], format);
                cmd.CommandText = $"SELECT CAST(min(CAST(pickup_at AS DATE)) AS VARCHAR), CAST(max(CAST(pickup_at AS DATE)) AS VARCHAR) FROM {read}";
                string first, last;
                using (var reader = cmd.ExecuteReader())
                {
                    reader.Read();
                    (first, last) = (reader.GetString(0), reader.GetString(1));
                }
                var (lo, hi) = ($"DATE {SqlText.Literal(first)}", $"DATE {SqlText.Literal(last)}");
                Phase(cmd, "split", $"""
                    COPY (SELECT *, CAST(pickup_at AS DATE) AS day FROM {read})
                      TO {SqlText.Literal(Split(output))} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (day), APPEND)
                    """);
                Phase(cmd, "views", Views(landing, output));
                Phase(cmd, "daily", $"COPY ({DailyQuery($"t.day BETWEEN {lo} AND {hi}")}) TO {SqlText.Literal(DailyFile(output, late: true))} (FORMAT parquet, COMPRESSION zstd)");
                Phase(cmd, "weekly", $"""
                    COPY ({WeeklyQuery($"t.day BETWEEN {lo} - 6 AND {hi} + 6", $"t.day + k.o BETWEEN {lo} AND {hi} + 6")})
                      TO {SqlText.Literal(WeeklyFile(output, late: true))} (FORMAT parquet, COMPRESSION zstd)
                    """);
            }
        }
        Console.Error.WriteLine(ElapsedPrefix + clock.Elapsed.TotalSeconds.ToString("R", CultureInfo.InvariantCulture));
        Console.Error.WriteLine("VMHWM " + FactoryCli.PeakResidentBytes().ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    private static void Phase(System.Data.Common.DbCommand cmd, string name, string sql)
    {
        var clock = Stopwatch.StartNew();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
        Console.Error.WriteLine($"{PhasePrefix}{name} {clock.Elapsed.TotalSeconds.ToString("R", CultureInfo.InvariantCulture)}");
    }

    /// <summary>Seconds per phase (split, views, daily, weekly) of a bare run, from its stderr.</summary>
    public static IReadOnlyList<(string Phase, double Seconds)> ParsePhases(string stderr) =>
        stderr.Split('\n').Where(l => l.StartsWith(PhasePrefix, StringComparison.Ordinal))
            .Select(l => l[PhasePrefix.Length..].Trim().Split(' '))
            .Select(p => (p[0], double.Parse(p[1], CultureInfo.InvariantCulture))).ToList();

    public static double? ParseElapsed(string stderr) =>
        stderr.Split('\n').Where(l => l.StartsWith(ElapsedPrefix, StringComparison.Ordinal))
            .Select(l => (double?)double.Parse(l[ElapsedPrefix.Length..].Trim(), CultureInfo.InvariantCulture)).LastOrDefault();

    private const string DayType = "{'day': DATE}";

    private static string Views(string landing, string output) => $"""
        CREATE VIEW trips AS SELECT * FROM read_parquet({SqlText.Literal(Path.Combine(Split(output), "*", "*.parquet"))}, hive_partitioning = true, hive_types = {DayType});
        CREATE VIEW zones AS SELECT * FROM read_parquet({SqlText.Literal(Path.Combine(landing, RealShape.ZonesFile))});
        CREATE TEMP TABLE last_day AS SELECT max(day) AS day FROM trips;
        """;

    /// <summary>The daily aggregate of every day (or those <paramref name="days"/> selects): Takt's daily SQL, grouped by day.</summary>
    private static string DailyQuery(string days) => $"""
        SELECT t.day, z.borough, t.payment,
               count(*) AS trips, count(DISTINCT t.rider_id) AS riders, sum(t.fare) AS fare, sum(t.tip) AS tips
        FROM trips AS t JOIN zones AS z ON t.zone_id = z.zone_id
        WHERE {days}
        GROUP BY ALL
        """;

    /// <summary>
    /// The 7-day aggregate: each trip counts for its day and the 6 after it (up to the last day of the data), as
    /// Takt's window boxes read D-6..D. <paramref name="input"/> limits the rows read, <paramref name="output"/> the days made.
    /// </summary>
    private static string WeeklyQuery(string input, string output) => $"""
        SELECT CAST(t.day + k.o AS DATE) AS day, z.borough,
               count(*) AS trips, count(DISTINCT t.rider_id) AS riders, sum(t.fare) AS fare
        FROM trips AS t JOIN zones AS z ON t.zone_id = z.zone_id CROSS JOIN (SELECT CAST(o AS INTEGER) AS o FROM range(7) r(o)) AS k
        WHERE {input} AND {output} AND t.day + k.o <= (SELECT day FROM last_day)
        GROUP BY ALL
        """;
}
