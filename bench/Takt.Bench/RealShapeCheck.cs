using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Takt.Composition;
using Takt.Boxes;
using Takt.Engine;
using Takt.Running;

namespace Takt.Bench;

/// <summary>The real-shape benchmark's checks: Takt's tables against bare DuckDB's by content, the late build's exact boxes, and where Takt's time went.</summary>
internal static class RealShapeCheck
{
    private static long FirstBox => RealShape.FirstDay.DayNumber;
    private static long LastBox => FirstBox + RealShape.Days - 1;

    /// <summary>Trips per day of the landing file (the data's shape, for the report).</summary>
    public static Dictionary<long, long> RowsPerDay(string file, RealShapeFormat format)
    {
        using var connection = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT CAST(CAST(pickup_at AS DATE) - DATE '0001-01-01' AS BIGINT), count(*) FROM {RealShape.ReadTrips([file], format)} GROUP BY 1";
        using var reader = cmd.ExecuteReader();
        var days = new Dictionary<long, long>();
        while (reader.Read()) days[reader.GetInt64(0)] = reader.GetInt64(1);
        if (days.Count != RealShape.Days || days.Keys.Min() != FirstBox)
            throw new BenchFailure($"the generated file has trips on {days.Count} days from {DateOnly.FromDayNumber((int)days.Keys.Min())}, expected {RealShape.Days} from {RealShape.FirstDay}");
        return days;
    }

    /// <summary>The boxes a late file with rows on <paramref name="days"/> must rebuild: those source and daily boxes, and every 7-day box whose window holds one.</summary>
    public static HashSet<(string, long)> ExpectedLate(IReadOnlyList<long> days, long lastBox)
    {
        var expected = new HashSet<(string, long)>();
        foreach (var day in days)
        {
            expected.Add((RealShape.Trips, day));
            expected.Add((RealShape.Daily, day));
            for (var d = day; d <= Math.Min(day + 6, lastBox); d++) expected.Add((RealShape.Weekly, d));
        }
        return expected;
    }

    /// <summary>
    /// True when each output table of Takt (every current version of the dataset's boxes in prod) holds the same rows as
    /// bare DuckDB's (after the late recompute: its full tables with the recomputed days replaced). Reports each difference.
    /// </summary>
    public static bool Same(string what, BenchFactory kind, string home, string bareOutput, bool late, Action<string> fail)
    {
        var ok = true;
        using var ws = WorkspaceBuilder.At(home).Open(BenchFactories.Create(kind, home, 0));
        using var connection = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        connection.Open();
        foreach (var (dataset, full, recomputed) in new[]
        {
            (RealShape.Daily, RealShapeBare.DailyFile(bareOutput), RealShapeBare.DailyFile(bareOutput, late: true)),
            (RealShape.Weekly, RealShapeBare.WeeklyFile(bareOutput), RealShapeBare.WeeklyFile(bareOutput, late: true)),
        })
        {
            var boxes = ws.Ledger.Boxes("prod", dataset, new BoxRange(FirstBox, LastBox));
            var files = ws.Files.Paths(boxes.Where(b => b.CurrentVersion is not null)
                .Select(b => new Lake.VersionLocation(dataset, ws.Factory[dataset].BoxKey(b.Box), b.CurrentVersion!)).ToList());
            var takt = $"SELECT * FROM read_parquet({SqlText.FileList(files)})";
            var bare = late
                ? $"SELECT * FROM read_parquet({SqlText.Literal(full)}) WHERE day NOT IN (SELECT day FROM read_parquet({SqlText.Literal(recomputed)})) " +
                  $"UNION ALL SELECT * FROM read_parquet({SqlText.Literal(recomputed)})"
                : $"SELECT * FROM read_parquet({SqlText.Literal(full)})";
            var columns = RealShape.HashColumns[dataset];
            var (taktRows, taktHash) = Hash(connection, takt, columns);
            var (bareRows, bareHash) = Hash(connection, bare, columns);
            Console.WriteLine($"[7] {what}: {dataset}: Takt {taktRows} rows (hash {taktHash}) from {boxes.Count} boxes; bare {bareRows} rows (hash {bareHash})");
            if (taktRows == bareRows && taktHash == bareHash && boxes.Count == RealShape.Days) continue;
            ok = false;
            fail($"real shape, {what}: {dataset} differs from bare DuckDB's: Takt {taktRows} rows in {boxes.Count} boxes (hash {taktHash}), " +
                 $"bare {bareRows} rows (hash {bareHash}); only in Takt: {Sample(connection, takt, bare, columns)}; only in bare: {Sample(connection, bare, takt, columns)}");
        }
        return ok;
    }

    private static (long Rows, string Hash) Hash(DuckDB.NET.Data.DuckDBConnection connection, string table, string columns)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT count(*), CAST(coalesce(sum(hash({columns})), 0) AS VARCHAR) FROM ({table})";
        using var reader = cmd.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetString(1));
    }

    private static string Sample(DuckDB.NET.Data.DuckDBConnection connection, string a, string b, string columns)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT CAST(row({columns}) AS VARCHAR) FROM ({a}) EXCEPT ALL SELECT CAST(row({columns}) AS VARCHAR) FROM ({b}) ORDER BY 1 LIMIT 5";
        using var reader = cmd.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read()) rows.Add(reader.GetString(0));
        return rows.Count == 0 ? "none" : string.Join("; ", rows);
    }

    /// <summary>Each build run of the home: its wall time in the ledger, and per dataset the tasks, their summed time and the span they ran in.</summary>
    public static string Profile(string home)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            { DataSource = Path.Combine(home, "ledger.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var text = new StringBuilder();
        var runs = LedgerQuery.Rows(connection, "SELECT id, started_at_ms, coalesce(finished_at_ms, started_at_ms) FROM runs WHERE command = 'build' ORDER BY rowid");
        foreach (var (run, index) in runs.Select((r, i) => (r, i)))
        {
            var (id, start, end) = ((string)run[0], (long)run[1], (long)run[2]);
            text.Append(CultureInfo.InvariantCulture, $"{(index == 0 ? "full build" : "late build")}: run {(end - start) / 1000.0:0.00} s in the ledger (");
            var datasets = LedgerQuery.Rows(connection, """
                SELECT dataset, count(*), sum(duration_ms), min(started_at_ms), max(started_at_ms + duration_ms), max(duration_ms)
                FROM tasks WHERE run_id = $run GROUP BY dataset ORDER BY min(started_at_ms)
                """, ("$run", id));
            text.Append(string.Join("; ", datasets.Select(d => string.Create(CultureInfo.InvariantCulture,
                $"{d[0]}: {d[1]} tasks, {(long)d[2] / 1000.0:0.00} s summed, longest {(long)d[5] / 1000.0:0.00} s, from +{((long)d[3] - start) / 1000.0:0.00} s to +{((long)d[4] - start) / 1000.0:0.00} s"))));
            var log = LedgerQuery.Rows(connection, """
                SELECT DISTINCT l.message FROM task_logs l JOIN tasks t ON t.id = l.task_id
                WHERE t.run_id = $run AND t.dataset = $ds AND l.message LIKE 'shared read%' ORDER BY 1
                """, ("$run", id), ("$ds", RealShape.Trips));
            text.Append(")");
            if (log.Count > 0) text.Append(CultureInfo.InvariantCulture, $"; {RealShape.Trips}'s task logs: {string.Join("; ", log.Select(l => $"\"{l[0]}\""))}");
            text.Append(". ");
        }
        return text.ToString().TrimEnd();
    }
}
