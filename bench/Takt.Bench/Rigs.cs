using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Takt.Definitions;
using Takt.Engine;
using Takt.Running;

namespace Takt.Bench;

/// <summary>A real Takt home for the synthetic factory: landing CSV files for its sources, a real lake, real builds.</summary>
internal sealed class TaktRig
{
    private TaktRig(string home, int datasets, int days, Factory factory)
    {
        Home = home;
        Datasets = datasets;
        Days = days;
        Factory = factory;
    }

    public string Home { get; }
    public int Datasets { get; }
    public int Days { get; }
    public Factory Factory { get; }

    public static TaktRig Create(string home, int datasets, int days)
    {
        var (factory, _) = SyntheticFactory.Create(Path.Combine(home, "factory"), datasets);
        foreach (var source in factory.Datasets.Where(d => d.IsSource))
        {
            var dir = Path.Combine(home, "landing", source.Name[(source.Name.IndexOf('.') + 1)..]);
            Directory.CreateDirectory(dir);
            for (var b = Options.FirstBox; b < Options.FirstBox + days; b++)
                File.WriteAllText(Path.Combine(dir, source.BoxKey(b) + ".csv"), $"x\n{b}\n");
        }
        return new TaktRig(home, datasets, days, factory);
    }

    /// <summary>The same rig in another process (for crash tests): same seed, same factory.</summary>
    public static TaktRig Attach(string home, int datasets, int days) =>
        new(home, datasets, days, SyntheticFactory.Create(Path.Combine(home, "factory"), datasets).Factory);

    public Workspace Open() => Workspace.OpenLocal(Factory, Home);

    public BuildResult Build()
    {
        using var ws = Open();
        return new BuildService(ws).Build([], publish: false);
    }

    /// <summary>Starts a build in a child process, kills it (SIGKILL) once about half the versions exist, then resumes here.</summary>
    public (long CommittedBefore, long Lost, long ResumedTasks) KillHalfwayAndResume(long killAfterVersions)
    {
        using (Open()) { } // create the ledger so the parent can watch it
        using var child = ChildProcess.Start("build-child", "--home", Home, "--datasets", Datasets.ToString(CultureInfo.InvariantCulture),
            "--days", Days.ToString(CultureInfo.InvariantCulture));
        var deadline = Stopwatch.StartNew();
        while (VersionIds().Count < killAfterVersions && !child.HasExited && deadline.Elapsed < TimeSpan.FromMinutes(5)) Thread.Sleep(20);
        if (child.HasExited) throw new BenchFailure("the build finished before it could be killed; raise the task count");
        child.Kill(entireProcessTree: true);
        child.WaitForExit();
        var before = VersionIds();

        using var ws = Open();
        var resumed = new BuildService(ws).Build([], publish: false);
        var built = resumed.Tasks.Where(t => t.Outcome.Status == BuildStatus.Built).ToList();
        return (before.Count, built.Count(t => t.Outcome.VersionId is { } id && before.Contains(id)), built.Count);
    }

    private HashSet<string> VersionIds()
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            { DataSource = Path.Combine(Home, "ledger.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id FROM versions WHERE status = 'committed'";
        using var r = cmd.ExecuteReader();
        var ids = new HashSet<string>();
        while (r.Read()) ids.Add(r.GetString(0));
        return ids;
    }
}

/// <summary>One heavy box: a GROUP BY + join over many generated rows, through Takt and through bare DuckDB.</summary>
internal sealed class HeavyRig
{
    private const string Sql = """
        SELECT d.name, count(*) AS n, sum(e.v) AS total, avg(e.v) AS mean, max(e.v) AS top
        FROM raw.events AS e JOIN raw.dims AS d ON e.g = d.g
        GROUP BY d.name
        """;

    private static readonly DateOnly Day = new(2026, 1, 1);
    private readonly string _home;
    private readonly Factory _factory;

    private HeavyRig(string home, Factory factory)
    {
        _home = home;
        _factory = factory;
    }

    public static HeavyRig Create(string home, int rows)
    {
        var rig = Attach(home);
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

    public static HeavyRig Attach(string home)
    {
        Directory.CreateDirectory(Path.Combine(home, "factory", "sql"));
        File.WriteAllText(Path.Combine(home, "factory", "sql", "heavy.sql"), Sql);
        var factory = new FactoryBuilder("heavy", Path.Combine(home, "factory"))
            .Dataset("raw.events", d => d.Owner("bench").Schema(s => s.Required("k", ColumnType.Int64).Required("g", ColumnType.Int64).Required("v", ColumnType.Double))
                .FromLanding("events/{box}.parquet", LandingFormat.Parquet))
            .Dataset("raw.dims", d => d.Owner("bench").Schema(s => s.Required("g", ColumnType.Int64).Required("name", ColumnType.String))
                .FromLanding("dims/{box}.parquet", LandingFormat.Parquet))
            .Dataset("mart.heavy", d => d.Owner("bench").Input("raw.events").Input("raw.dims").Sql("sql/heavy.sql"))
            .Build();
        return new HeavyRig(home, factory);
    }

    public Workspace Open() => Workspace.OpenLocal(_factory, _home);

    /// <summary>Rebuilds the box (after invalidating it, so that the work is really done) and returns the seconds and rows.</summary>
    public (double Seconds, long Rows) BuildOnce()
    {
        using var ws = Open();
        var service = new BuildService(ws);
        service.Invalidate("mart.heavy", Day, Day, "bench");
        var clock = Stopwatch.StartNew();
        var result = service.Build(["mart.heavy"], ingest: false, publish: false);
        var seconds = clock.Elapsed.TotalSeconds;
        var task = result.Tasks.Single(t => t.Dataset == "mart.heavy");
        if (task.Outcome.Status != BuildStatus.Built) throw new BenchFailure($"the heavy box was {task.Outcome.Status}: {task.Outcome.Message}");
        return (seconds, task.Outcome.RowsOut);
    }

    public (double Seconds, long Rows) BareOnce()
    {
        using var ws = Open();
        var events = ws.Ledger.Boxes("prod", "raw.events", new Boxes.BoxRange(Day.DayNumber, Day.DayNumber)).Single().CurrentVersion!;
        var dims = ws.Ledger.Boxes("prod", "raw.dims", new Boxes.BoxRange(Day.DayNumber, Day.DayNumber)).Single().CurrentVersion!;
        var output = Path.Combine(_home, $"bare-{Guid.NewGuid():N}.parquet");
        using var pool = new DuckDbPool();
        using var lease = pool.Rent();
        var db = lease.Session;
        var clock = Stopwatch.StartNew();
        db.CreateDatasetView("raw.events", ws.Lake.Files(new Lake.VersionLocation("raw.events", "2026-01-01", events)), Schema.Undeclared);
        db.CreateDatasetView("raw.dims", ws.Lake.Files(new Lake.VersionLocation("raw.dims", "2026-01-01", dims)), Schema.Undeclared);
        var rows = db.CopyToParquet(Sql, output);
        var seconds = clock.Elapsed.TotalSeconds;
        File.Delete(output);
        return (seconds, rows);
    }

    public (Measure Takt, Measure Bare, (long Takt, long Bare) Rows) Measure(int repeat)
    {
        BareOnce(); // warm the file cache for both
        var takt = new List<double>();
        var bare = new List<double>();
        (long, long) rows = default;
        for (var i = 0; i < repeat; i++)
        {
            var t = BuildOnce();
            var b = BareOnce();
            takt.Add(t.Seconds);
            bare.Add(b.Seconds);
            rows = (t.Rows, b.Rows);
        }
        return (new Measure("takt", takt, 1), new Measure("bare", bare, 1), rows);
    }

    /// <summary>Builds the box once in a child process and returns that process's peak resident set (VmHWM).</summary>
    public long PeakInChild()
    {
        using var child = ChildProcess.Start("heavy-child", "--home", _home);
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("VMHWM ", StringComparison.Ordinal))
            ?? throw new BenchFailure($"the heavy-box child printed no peak memory: {output}");
        return long.Parse(line[6..], CultureInfo.InvariantCulture);
    }

    /// <summary>Peak resident set of this process, from /proc (bytes).</summary>
    public static long PeakResidentBytes() =>
        File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024).Single();
}

internal static class ChildProcess
{
    /// <summary>Runs this benchmark program again as a child process with the given arguments.</summary>
    public static Process Start(params string[] args)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
        var start = new ProcessStartInfo { FileName = host, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
    }
}
