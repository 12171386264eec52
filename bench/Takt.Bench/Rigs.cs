using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Takt.Composition;
using Takt.Building;
using Takt.Cli;
using Takt.Definitions;
using Takt.Engine;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Bench;

/// <summary>The factories the suite builds, so that a child process can declare exactly the factory its parent set up.</summary>
internal enum BenchFactory
{
    /// <summary><see cref="SyntheticFactory"/>: sources, same-box transforms, 7-day windows, fan-in (size = datasets).</summary>
    Synthetic,
    /// <summary><see cref="ChainFactory"/>: one source and a chain of tiny sum transforms (size = transforms).</summary>
    Chain,
    /// <summary><see cref="HeavyRig"/>: two Parquet sources and one GROUP BY + join (size unused).</summary>
    Heavy,
    /// <summary><see cref="RealShape"/> over one Parquet, CSV or JSON lines file of trips (size unused).</summary>
    RealShapeParquet,
    RealShapeCsv,
    RealShapeJsonLines,
    /// <summary><see cref="HourlyRig"/>: one hourly source (size = boxes; declared alike at any size).</summary>
    Hourly,
}

internal static class BenchFactories
{
    public static Factory Create(BenchFactory kind, string home, int size) => kind switch
    {
        BenchFactory.Synthetic => SyntheticFactory.Create(Path.Combine(home, "factory"), size).Factory,
        BenchFactory.Chain => ChainFactory.Create(Path.Combine(home, "factory"), size),
        BenchFactory.Heavy => HeavyRig.Declare(home),
        BenchFactory.RealShapeParquet => RealShape.Declare(home, RealShapeFormat.Parquet),
        BenchFactory.RealShapeCsv => RealShape.Declare(home, RealShapeFormat.Csv),
        BenchFactory.RealShapeJsonLines => RealShape.Declare(home, RealShapeFormat.JsonLines),
        BenchFactory.Hourly => HourlyRig.Declare(home),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

/// <summary>
/// One daily CSV source <c>raw.src</c> (column <c>x</c>) and a chain <c>stg.step_1</c> .. <c>stg.step_n</c>, each box
/// the sum of the same box of the previous step: the smallest real SQL task (read a Parquet file, aggregate, write one).
/// </summary>
internal static class ChainFactory
{
    public const string Source = "raw.src";
    public static string Step(int i) => $"stg.step_{i}";

    public static Factory Create(string baseDirectory, int length)
    {
        Directory.CreateDirectory(Path.Combine(baseDirectory, "sql"));
        var builder = new FactoryBuilder("chain", baseDirectory)
            .Dataset(Source, d => d.Owner("bench").Daily().Schema(s => s.Required("x", ColumnType.Int64)).FromLanding("src/{box}.csv", LandingFormat.Csv));
        for (var i = 1; i <= length; i++)
        {
            var input = i == 1 ? Source : Step(i - 1);
            var file = $"sql/step_{i}.sql";
            WriteIfChanged(Path.Combine(baseDirectory, file), $"SELECT CAST(sum(x) AS BIGINT) AS x FROM {input}\n");
            builder.Dataset(Step(i), d => d.Owner("bench").Daily().Input(input).Sql(file));
        }
        return builder.Build();
    }

    internal static void WriteIfChanged(string path, string text)
    {
        if (!File.Exists(path) || File.ReadAllText(path) != text) File.WriteAllText(path, text);
    }
}

/// <summary>A real Takt home for a bench factory: landing CSV files for its sources, a real lake, real builds.</summary>
internal sealed class TaktRig
{
    private TaktRig(string home, BenchFactory kind, int size, int days, Factory factory)
    {
        Home = home;
        Kind = kind;
        Size = size;
        Days = days;
        Factory = factory;
    }

    public string Home { get; }
    public BenchFactory Kind { get; }
    public int Size { get; }
    public int Days { get; }
    public Factory Factory { get; }
    public long FirstBox => Options.FirstBox;
    public long LastBox => Options.FirstBox + Days - 1;

    /// <summary>Declares the factory and lands one CSV file per source box (<c>x</c> = the box number).</summary>
    public static TaktRig Create(string home, BenchFactory kind, int size, int days)
    {
        var factory = BenchFactories.Create(kind, home, size);
        foreach (var source in factory.Datasets.Where(d => d.IsSource))
        {
            for (var b = Options.FirstBox; b < Options.FirstBox + days; b++)
            {
                var path = Path.Combine(home, "landing", source.Source!.Pattern.Replace(LandingSource.BoxPlaceholder, source.BoxKey(b)));
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $"x\n{b}\n"));
            }
        }
        return new TaktRig(home, kind, size, days, factory);
    }

    public Workspace Open() => WorkspaceBuilder.At(Home).Open(Factory);

    public BuildResult Build(bool ingest = true)
    {
        using var ws = Open();
        return new BuildService(ws).Build([], ingest: ingest, publish: false);
    }

    public void Invalidate(string dataset, long from, long to)
    {
        using var ws = Open();
        new BuildService(ws).Invalidate(dataset, DateOnly.FromDayNumber((int)from), DateOnly.FromDayNumber((int)to), "bench");
    }

    /// <summary>Runs the factory's own command line (<c>TaktCli.Run</c>) in a fresh process: what a user types.</summary>
    public ChildRun Cli(TimeSpan cap, params string[] taktArgs) => ChildProcess.Run(FactoryCli.Arguments(Kind, Home, Size, ["--home", Home, .. taktArgs]), cap);

    public ProcessStartInfo CliStartInfo(params string[] taktArgs) => ChildProcess.StartInfo(FactoryCli.Arguments(Kind, Home, Size, ["--home", Home, .. taktArgs]));

    public static string Day(long box) => DateOnly.FromDayNumber((int)box).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>
/// <c>factory-cli</c>: this program acting as the factory program of a bench factory, i.e. <c>TaktCli.Run</c> over
/// the declared factory with the remaining arguments. At exit it prints its peak resident set (VmHWM) to stderr.
/// </summary>
internal static class FactoryCli
{
    public const string Command = "factory-cli";
    private const string PeakPrefix = "VMHWM ";

    public static string[] Arguments(BenchFactory kind, string home, int size, IEnumerable<string> taktArgs) =>
        [Command, kind.ToString().ToLowerInvariant(), home, size.ToString(CultureInfo.InvariantCulture), "--", .. taktArgs];

    public static int Run(string[] args)
    {
        if (args.Length < 5 || args[4] != "--" || !Enum.TryParse<BenchFactory>(args[1], ignoreCase: true, out var kind)
            || !int.TryParse(args[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var size))
            throw new UsageException($"usage: {Command} synthetic|chain|heavy|realshapeparquet|realshapecsv|realshapejsonlines|hourly HOME SIZE -- <takt verb and options>");
        var home = args[2];
        var code = TaktCli.Run(() => BenchFactories.Create(kind, home, size), args[5..]);
        Console.Out.Flush();
        Console.Error.WriteLine(PeakPrefix + PeakResidentBytes().ToString(CultureInfo.InvariantCulture));
        return code;
    }

    public static long? ParsePeak(string stderr) =>
        stderr.Split('\n').Where(l => l.StartsWith(PeakPrefix, StringComparison.Ordinal))
            .Select(l => (long?)long.Parse(l[PeakPrefix.Length..].Trim(), CultureInfo.InvariantCulture)).LastOrDefault();

    /// <summary>Peak resident set of this process, from /proc (bytes).</summary>
    public static long PeakResidentBytes() =>
        File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024).Single();
}

/// <summary>A finished child process: wall time from start to exit, exit code, output, and its own peak RSS report.</summary>
internal sealed record ChildRun(double Seconds, int ExitCode, bool TimedOut, string Stdout, string Stderr)
{
    public long? PeakRssBytes => FactoryCli.ParsePeak(Stderr);
    public string Describe => $"exit {ExitCode}{(TimedOut ? " (timed out)" : "")}: {Tail(Stderr.Trim().Length > 0 ? Stderr : Stdout)}";
    private static string Tail(string text) => text.Length <= 600 ? text.Trim() : "..." + text[^600..].Trim();
}

internal static class ChildProcess
{
    /// <summary>How to run this benchmark program again as a child process with the given arguments.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
        var start = new ProcessStartInfo { FileName = host, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return start;
    }

    public static ChildRun Run(IEnumerable<string> args, TimeSpan cap)
    {
        var info = StartInfo(args);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var done = process.WaitForExit(cap);
        if (!done) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        return new ChildRun(clock.Elapsed.TotalSeconds, done ? process.ExitCode : -1, !done, stdout.Result, stderr.Result);
    }
}

/// <summary>Read-only questions to a home's ledger, asked over a separate connection (as an operator would).</summary>
internal static class LedgerQuery
{
    public sealed record TaskRow(string Dataset, long Box, string Status, string? VersionId, long DurationMs);

    private static SqliteConnection Open(string home)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            { DataSource = Path.Combine(home, "ledger.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        return connection;
    }

    private static List<object[]> Rows(string home, string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open(home);
        return Rows(connection, sql, parameters);
    }

    /// <summary>Every row of a query, as its values.</summary>
    public static List<object[]> Rows(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        using var r = cmd.ExecuteReader();
        var rows = new List<object[]>();
        while (r.Read())
        {
            var values = new object[r.FieldCount];
            r.GetValues(values);
            rows.Add(values);
        }
        return rows;
    }

    public static long CommittedVersions(string home) => (long)Rows(home, "SELECT count(*) FROM versions WHERE status = 'committed'")[0][0];

    /// <summary>Every (dataset, box) of prod with a current version, and that version.</summary>
    public static Dictionary<(string Dataset, long Box), string> Pointers(string home) =>
        Rows(home, "SELECT dataset, box, current_version FROM boxes WHERE env = 'prod' AND current_version IS NOT NULL")
            .ToDictionary(r => ((string)r[0], (long)r[1]), r => (string)r[2]);

    /// <summary>The id of the newest run of a command, or null.</summary>
    public static string? LatestRun(string home, string command = "build") =>
        Rows(home, "SELECT id FROM runs WHERE command = $c ORDER BY rowid DESC LIMIT 1", ("$c", command)).Select(r => (string)r[0]).FirstOrDefault();

    public static List<TaskRow> Tasks(string home, string runId) =>
        Rows(home, "SELECT dataset, box, status, version_id, duration_ms FROM tasks WHERE run_id = $run ORDER BY id", ("$run", runId))
            .Select(r => new TaskRow((string)r[0], (long)r[1], (string)r[2], r[3] is DBNull ? null : (string)r[3], (long)r[4])).ToList();
}

/// <summary>One heavy box: a GROUP BY + join over many generated rows, through Takt and through bare DuckDB.</summary>
internal sealed class HeavyRig
{
    public const string Sql = """
        SELECT d.name, count(*) AS n, sum(e.v) AS total, avg(e.v) AS mean, max(e.v) AS top
        FROM raw.events AS e JOIN raw.dims AS d ON e.g = d.g
        GROUP BY d.name
        """;

    public static readonly DateOnly Day = new(2026, 1, 1);
    private readonly string _home;
    private readonly Factory _factory;

    private HeavyRig(string home, Factory factory)
    {
        _home = home;
        _factory = factory;
    }

    public string Home => _home;

    /// <summary>Generates the two landing files (Parquet) and ingests them; set-up, not measured.</summary>
    public static HeavyRig Create(string home, int rows)
    {
        var rig = new HeavyRig(home, Declare(home));
        var landing = Path.Combine(home, "landing");
        Directory.CreateDirectory(Path.Combine(landing, "events"));
        Directory.CreateDirectory(Path.Combine(landing, "dims"));
        using (var pool = new DuckDbPool())
        using (var lease = pool.Rent())
        {
            lease.Session.CopyToParquet($"SELECT i AS k, i % 1000 AS g, ((i * 7919) % 100000) / 100.0 AS v FROM range({rows}) t(i)",
                Path.Combine(landing, "events", "2026-01-01.parquet"));
            lease.Session.CopyToParquet("SELECT i AS g, 'segment_' || (i % 37) AS name FROM range(1000) t(i)", Path.Combine(landing, "dims", "2026-01-01.parquet"));
        }
        using var ws = rig.Open();
        new BuildService(ws).Build([], publish: false); // ingest and a first build: set-up, not measured
        return rig;
    }

    public static Factory Declare(string home)
    {
        Directory.CreateDirectory(Path.Combine(home, "factory", "sql"));
        ChainFactory.WriteIfChanged(Path.Combine(home, "factory", "sql", "heavy.sql"), Sql);
        return new FactoryBuilder("heavy", Path.Combine(home, "factory"))
            .Dataset("raw.events", d => d.Owner("bench").Schema(s => s.Required("k", ColumnType.Int64).Required("g", ColumnType.Int64).Required("v", ColumnType.Double))
                .FromLanding("events/{box}.parquet", LandingFormat.Parquet))
            .Dataset("raw.dims", d => d.Owner("bench").Schema(s => s.Required("g", ColumnType.Int64).Required("name", ColumnType.String))
                .FromLanding("dims/{box}.parquet", LandingFormat.Parquet))
            .Dataset("mart.heavy", d => d.Owner("bench").Input("raw.events").Input("raw.dims").Sql("sql/heavy.sql"))
            .Build();
    }

    public Workspace Open() => WorkspaceBuilder.At(_home).Open(_factory);

    /// <summary>Invalidates the box (so that the work is really done again), then times <c>BuildService.Build</c> of it.</summary>
    public (double Seconds, double CpuSeconds, long Rows, string VersionId) BuildOnce()
    {
        using var ws = Open();
        var service = new BuildService(ws);
        service.Invalidate("mart.heavy", Day, Day, "bench");
        var cpu = CpuSeconds();
        var clock = Stopwatch.StartNew();
        var result = service.Build(["mart.heavy"], ingest: false, publish: false);
        var seconds = clock.Elapsed.TotalSeconds;
        cpu = CpuSeconds() - cpu;
        var task = result.Tasks.Single(t => t.Dataset == "mart.heavy");
        if (task.Outcome.Status != BuildStatus.Built) throw new BenchFailure($"the heavy box was {task.Outcome.Status.ToText()}: {task.Outcome.Message}");
        return (seconds, cpu, task.Outcome.RowsOut, task.Outcome.VersionId!);
    }

    /// <summary>CPU time of this whole process (every thread, DuckDB's included), in seconds.</summary>
    private static double CpuSeconds()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>The same SQL over the same input files through DuckDB.NET in a fresh in-memory database: views, then COPY TO Parquet.</summary>
    public (double Seconds, double CpuSeconds, long Rows) BareOnce(string? keep = null)
    {
        IReadOnlyList<string> events, dims;
        using (var ws = Open())
        {
            events = Files(ws, "raw.events");
            dims = Files(ws, "raw.dims");
        }
        var output = keep ?? Path.Combine(_home, $"bare-{Guid.NewGuid():N}.parquet");
        var cpu = CpuSeconds();
        var clock = Stopwatch.StartNew();
        long rows;
        using (var connection = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"""
                CREATE SCHEMA raw;
                CREATE VIEW raw.events AS SELECT * FROM read_parquet({SqlText.FileList(events)});
                CREATE VIEW raw.dims AS SELECT * FROM read_parquet({SqlText.FileList(dims)});
                """;
            cmd.ExecuteNonQuery();
            cmd.CommandText = $"COPY ({Sql}) TO {SqlText.Literal(output)} (FORMAT parquet, COMPRESSION zstd)";
            rows = cmd.ExecuteNonQuery();
        }
        var seconds = clock.Elapsed.TotalSeconds;
        cpu = CpuSeconds() - cpu;
        if (keep is null) File.Delete(output);
        return (seconds, cpu, rows);
    }

    private static IReadOnlyList<string> Files(Workspace ws, string dataset)
    {
        var box = ws.Ledger.Boxes("prod", dataset, new Boxes.BoxRange(Day.DayNumber, Day.DayNumber)).Single();
        return ws.Files.Paths(new Lake.VersionLocation(dataset, box.Box == Day.DayNumber ? "2026-01-01" : throw new BenchFailure("heavy box key"), box.CurrentVersion!));
    }

    /// <summary>True when Takt's version of the box holds exactly the rows bare DuckDB computes.</summary>
    public bool SameRowsAsBare(string versionId)
    {
        var bare = Path.Combine(_home, "bare-check.parquet");
        BareOnce(bare);
        using var ws = Open();
        var takt = ws.Files.Paths(new Lake.VersionLocation("mart.heavy", "2026-01-01", versionId));
        using var connection = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var cmd = connection.CreateCommand();
        // Same groups and counts; sums and means equal up to the order floating-point additions ran in (parallel aggregation).
        cmd.CommandText = $"""
            SELECT count(*) FROM read_parquet({SqlText.FileList(takt)}) t FULL OUTER JOIN read_parquet({SqlText.Literal(bare)}) b ON t.name = b.name
            WHERE t.name IS NULL OR b.name IS NULL OR t.n <> b.n OR t.top <> b.top
               OR abs(t.total - b.total) > 1e-9 * abs(b.total) OR abs(t.mean - b.mean) > 1e-9 * abs(b.mean)
            """;
        var differing = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        File.Delete(bare);
        return differing == 0;
    }
}
