using System.Globalization;
using Takt.Definitions;
using Takt.Engine;

namespace Takt.Bench;

/// <summary>The landing formats the real-shape benchmark generates its one big file in.</summary>
internal enum RealShapeFormat
{
    Parquet,
    Csv,
    JsonLines,
}

/// <summary>
/// Real-shape data: trips over 182 days in ONE landing file (a timestamp, ids, a categorical, decimal amounts; counts
/// per day skewed by weekday, a trend and spike days; riders and zones skewed), a 265-row zone table (unpartitioned),
/// and a late file of rows for 3 days mid-range. The Takt factory splits the file into daily boxes by
/// <c>pickup_at</c> at ingest, joins the zones, aggregates per day and over a 7-day window.
/// </summary>
internal static class RealShape
{
    public const int Days = 182;
    public static readonly DateOnly FirstDay = new(2026, 1, 1);
    /// <summary>The late file holds rows of these 3 days (day offsets from <see cref="FirstDay"/>).</summary>
    public const int LateFirstOffset = 100, LateDays = 3;
    public const int Zones = 265;

    public const string Trips = "raw.trips", ZonesDataset = "raw.zones", Daily = "mart.daily_borough", Weekly = "mart.weekly_borough";

    /// <summary>The trips' columns and types, as declared in Takt and given to DuckDB's CSV and JSON readers.</summary>
    public static readonly (string Name, ColumnType Type)[] TripColumns =
    [
        ("trip_id", ColumnType.Int64), ("pickup_at", ColumnType.Timestamp), ("rider_id", ColumnType.Int64), ("zone_id", ColumnType.Int32),
        ("payment", ColumnType.String), ("fare", ColumnType.Decimal(10, 2)), ("tip", ColumnType.Decimal(10, 2)),
    ];

    /// <summary>One day's trips, joined with the zones: per borough and payment type.</summary>
    public const string DailySql = """
        -- Box D reads raw.trips of D (cut from the landing file by pickup_at) and all of raw.zones.
        SELECT CAST(getvariable('box_start') AS DATE) AS day, z.borough, t.payment,
               count(*) AS trips, count(DISTINCT t.rider_id) AS riders, sum(t.fare) AS fare, sum(t.tip) AS tips
        FROM raw.trips AS t JOIN raw.zones AS z ON t.zone_id = z.zone_id
        GROUP BY ALL
        """;

    /// <summary>Seven days of trips ending with the box (fewer at the start of the data), per borough: distinct riders need the rows.</summary>
    public const string WeeklySql = """
        -- Box D reads raw.trips of D-6..D; its rows are labelled with D whichever days had trips.
        SELECT CAST(getvariable('box_start') AS DATE) AS day, z.borough,
               count(*) AS trips, count(DISTINCT t.rider_id) AS riders, sum(t.fare) AS fare
        FROM raw.trips AS t JOIN raw.zones AS z ON t.zone_id = z.zone_id
        GROUP BY ALL
        """;

    /// <summary>Canonical columns of each output table, for the order-insensitive content hash.</summary>
    public static readonly IReadOnlyDictionary<string, string> HashColumns = new Dictionary<string, string>
    {
        [Daily] = "CAST(day AS DATE), CAST(borough AS VARCHAR), CAST(payment AS VARCHAR), CAST(trips AS BIGINT), CAST(riders AS BIGINT), CAST(fare AS DECIMAL(38,2)), CAST(tips AS DECIMAL(38,2))",
        [Weekly] = "CAST(day AS DATE), CAST(borough AS VARCHAR), CAST(trips AS BIGINT), CAST(riders AS BIGINT), CAST(fare AS DECIMAL(38,2))",
    };

    public static string Extension(RealShapeFormat format) => format switch
    {
        RealShapeFormat.Parquet => "parquet",
        RealShapeFormat.Csv => "csv",
        RealShapeFormat.JsonLines => "jsonl",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    public static string MainFile(RealShapeFormat format) => $"trips/trips-2026H1.{Extension(format)}";
    public static string LateFile(RealShapeFormat format) => $"trips/late-2026-04-11.{Extension(format)}";
    public const string ZonesFile = "zones.parquet";

    public static long LateRows(long rows) => Math.Max(30, rows / 600);

    public static Factory Declare(string home, RealShapeFormat format)
    {
        var dir = Path.Combine(home, "factory");
        Directory.CreateDirectory(Path.Combine(dir, "sql"));
        ChainFactory.WriteIfChanged(Path.Combine(dir, "sql", "daily_borough.sql"), DailySql);
        ChainFactory.WriteIfChanged(Path.Combine(dir, "sql", "weekly_borough.sql"), WeeklySql);
        var landing = format switch
        {
            RealShapeFormat.Parquet => LandingFormat.Parquet,
            RealShapeFormat.Csv => LandingFormat.Csv,
            _ => LandingFormat.JsonLines,
        };
        return new FactoryBuilder("trips", dir)
            .Dataset(Trips, d => d.Owner("bench").Daily()
                .Schema(s =>
                {
                    foreach (var (name, type) in TripColumns) s.Required(name, type);
                })
                .FromLandingSplitBy($"trips/*.{Extension(format)}", landing, "pickup_at"))
            .Dataset(ZonesDataset, d => d.Owner("bench").Unpartitioned()
                .Schema(s => s.Required("zone_id", ColumnType.Int32).Required("borough", ColumnType.String).Required("zone", ColumnType.String))
                .FromLanding(ZonesFile, LandingFormat.Parquet))
            .Dataset(Daily, d => d.Owner("bench").Input(Trips).Input(ZonesDataset).Sql("sql/daily_borough.sql"))
            .Dataset(Weekly, d => d.Owner("bench").Input(Trips, PartitionMapping.Window(7)).Input(ZonesDataset).Sql("sql/weekly_borough.sql"))
            .Build();
    }

    /// <summary>Writes the main file and the zones under <paramref name="landing"/>, the late file under <paramref name="lateFolder"/> (landed later).</summary>
    public static void Generate(string landing, string lateFolder, RealShapeFormat format, long rows)
    {
        Directory.CreateDirectory(Path.Combine(landing, "trips"));
        Directory.CreateDirectory(Path.Combine(lateFolder, "trips"));
        using var connection = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"{Copy(TripsQuery(0, rows, 0, Days, seed: 0), Path.Combine(landing, MainFile(format)), format)};\n" +
                          $"{Copy(TripsQuery(rows, LateRows(rows), LateFirstOffset, LateDays, seed: 1), Path.Combine(lateFolder, LateFile(format)), format)};\n" +
                          $"{Copy(ZonesQuery, Path.Combine(landing, ZonesFile), RealShapeFormat.Parquet)};";
        cmd.ExecuteNonQuery();
    }

    private static string Copy(string query, string path, RealShapeFormat format) => format switch
    {
        RealShapeFormat.Parquet => $"COPY ({query}) TO {SqlText.Literal(path)} (FORMAT parquet, COMPRESSION zstd)",
        RealShapeFormat.Csv => $"COPY ({query}) TO {SqlText.Literal(path)} (FORMAT csv, HEADER, TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')",
        _ => $"COPY ({query}) TO {SqlText.Literal(path)} (FORMAT json)",
    };

    /// <summary>
    /// <paramref name="count"/> trips over <paramref name="days"/> days from day <paramref name="firstOffset"/>; per-day
    /// counts follow a weekly cycle, a growth trend, spike days and quiet days. Deterministic (hashes of the row number).
    /// </summary>
    private static string TripsQuery(long firstId, long count, int firstOffset, int days, int seed)
    {
        string U(int k) => $"((hash(i * 16 + {k + seed * 8}) % 1000003) / 1000003.0)"; // uniform [0, 1)
        return string.Create(CultureInfo.InvariantCulture, $"""
            WITH w AS (
                SELECT d, (1 + 0.45 * sin(2 * pi() * d / 7.0)) * (0.7 + 0.6 * d / 181.0)
                          * CASE WHEN d % 29 = 11 THEN 2.5 WHEN d % 53 = 7 THEN 0.3 ELSE 1 END AS w
                FROM range({firstOffset}, {firstOffset + days}) r(d)),
            b AS (
                SELECT d, CASE WHEN d = {firstOffset + days - 1} THEN {count}
                               ELSE CAST(floor(sum(w) OVER (ORDER BY d) / sum(w) OVER () * {count}) AS BIGINT) END AS hi FROM w),
            bounds AS (SELECT d, coalesce(lag(hi) OVER (ORDER BY d), 0) AS lo, hi FROM b),
            rows AS (SELECT d, unnest(range(lo, hi)) + {firstId} AS i FROM bounds)
            SELECT
                i + 1 AS trip_id,
                CAST(DATE '{FirstDay:yyyy-MM-dd}' + CAST(d AS INTEGER) AS TIMESTAMP)
                    + to_seconds(CAST(floor(({U(1)} + {U(2)}) / 2 * 86400) AS BIGINT)) AS pickup_at,
                CAST(floor(pow({U(3)}, 3) * 200000) AS BIGINT) + 1 AS rider_id,
                CAST(1 + floor(pow({U(4)}, 2) * {Zones}) AS INTEGER) AS zone_id,
                CASE WHEN {U(5)} < 0.70 THEN 'card' WHEN {U(5)} < 0.92 THEN 'cash' WHEN {U(5)} < 0.98 THEN 'app' ELSE 'dispute' END AS payment,
                CAST(2.5 + pow({U(6)}, 2) * 80 AS DECIMAL(10,2)) AS fare,
                CAST(CASE WHEN {U(5)} < 0.70 THEN (2.5 + pow({U(6)}, 2) * 80) * (0.10 + 0.15 * {U(7)}) ELSE 0 END AS DECIMAL(10,2)) AS tip
            FROM rows
            ORDER BY d, i
            """);
    }

    private static readonly string ZonesQuery = $"""
        SELECT CAST(i AS INTEGER) AS zone_id,
               CASE WHEN i <= 69 THEN 'Manhattan' WHEN i <= 130 THEN 'Brooklyn' WHEN i <= 190 THEN 'Queens'
                    WHEN i <= 233 THEN 'Bronx' WHEN i <= 253 THEN 'Staten Island' ELSE 'EWR' END AS borough,
               'zone ' || i AS zone
        FROM range(1, {Zones + 1}) r(i)
        """;

    /// <summary>A DuckDB table expression reading a trips file of the given format with the declared types.</summary>
    public static string ReadTrips(IEnumerable<string> files, RealShapeFormat format)
    {
        var list = SqlText.FileList(files);
        var columns = "{" + string.Join(", ", TripColumns.Select(c => $"{SqlText.Literal(c.Name)}: {SqlText.Literal(c.Type.SqlName)}")) + "}";
        return format switch
        {
            RealShapeFormat.Parquet => $"read_parquet({list})",
            RealShapeFormat.Csv => $"read_csv({list}, header = true, columns = {columns})",
            _ => $"read_json({list}, format = 'newline_delimited', columns = {columns})",
        };
    }

    public static string Day(int offset) => FirstDay.AddDays(offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
