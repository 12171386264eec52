using System.Collections;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.Json.Nodes;
using Takt.Composition;
using Takt.Building;
using Takt.Engine;
using Takt.Lake;
using Takt.Landing;
using Takt.Ledger;
using Takt.Ledger.Sqlite;
using Takt.Running;
using Takt.Telemetry;

namespace Takt.Bench;

/// <summary>
/// <c>task-profile</c>: where the time of one trivial task goes. Builds the chain factory's transforms on one worker
/// (so that times add up), once plainly and once with every ledger, lake and lineage call timed, then runs the bare
/// engine steps of such a task (DuckDB views, COPY, the row count and schema of the result, fsync, rename) in a loop
/// for the floor.
/// </summary>
internal static class TaskProfile
{
    public static int Run(Options o)
    {
        var days = o.Quick ? 100 : Math.Min(o.Days, 400);
        var home = Path.Combine(Path.GetTempPath(), $"takt-profile-{Guid.NewGuid():N}"[..32]);
        try
        {
            var rig = TaktRig.Create(home, BenchFactory.Chain, 2, days);
            using (var ws = rig.Open()) new BuildService(ws).Ingest([]);
            rig.Build(ingest: false); // warm-up: JIT, file cache
            var tasks = 2 * days;
            var one = new RunOptions { Parallelism = 1 };

            foreach (var workers in new[] { 1, 1, Environment.ProcessorCount, Environment.ProcessorCount })
            {
                rig.Invalidate(ChainFactory.Step(1), rig.FirstBox, rig.LastBox);
                using var ws = rig.Open();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var (gcs, paused, allocated) = (GC.CollectionCount(0), GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes());
                var clock = Stopwatch.StartNew();
                var result = new BuildService(ws).Build([], ingest: false, publish: false, options: new RunOptions { Parallelism = workers });
                cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
                Console.WriteLine($"plain build, parallelism {workers}: {result.Summary.Built} tasks in {clock.Elapsed.TotalSeconds:0.00} s = {clock.Elapsed.TotalMilliseconds / tasks:0.00} ms per task, " +
                    $"{cpu.TotalMilliseconds / tasks:0.00} ms CPU per task; {(GC.GetTotalAllocatedBytes() - allocated) / tasks / 1024.0:0} KiB allocated per task, " +
                    $"{GC.CollectionCount(0) - gcs} GCs pausing {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:0} ms");
            }
            {
                rig.Invalidate(ChainFactory.Step(1), rig.FirstBox, rig.LastBox);
                var (ledger, ledgerTiming) = TimingProxy<ILedger>.Wrap(new SqliteLedger(Path.Combine(home, "ledger.db")));
                var (lake, lakeTiming) = TimingProxy<ILake>.Wrap(new LocalLake(Path.Combine(home, "lake")));
                var (sink, sinkTiming) = TimingProxy<ILineageSink>.Wrap(new FileLineageSink(Path.Combine(home, "openlineage", "events.jsonl")));
                using var ws = new Workspace(rig.Factory, ledger, lake, home, new LocalLandingZone(Path.Combine(home, "landing"))) { Lineage = sink };
                var clock = Stopwatch.StartNew();
                var result = new BuildService(ws).Build([], ingest: false, publish: false, options: one);
                var total = clock.Elapsed.TotalMilliseconds;
                Console.WriteLine($"timed build, parallelism 1: {result.Summary.Built} tasks in {total / 1000:0.00} s = {total / tasks:0.00} ms per task");
                Print("ledger", ledgerTiming.Stats, tasks);
                Print("lake", lakeTiming.Stats, tasks);
                Print("lineage sink", sinkTiming.Stats, tasks);
                var accounted = ledgerTiming.TotalMs + lakeTiming.TotalMs + sinkTiming.TotalMs;
                Console.WriteLine($"  rest (DuckDB work, recipe, JSON, planning logic): {(total - accounted) / tasks:0.00} ms per task");
                ledger.Dispose();
            }
            foreach (var (name, env) in new (string, (string, string)[])[]
            {
                ("CLI build (default runtime settings)", []),
                ("CLI build (default runtime settings)", []),
                ("CLI build, DOTNET_TieredPGO=0", [("DOTNET_TieredPGO", "0")]),
                ("CLI build, DOTNET_TieredCompilation=0", [("DOTNET_TieredCompilation", "0")]),
                ("CLI build, DOTNET_TC_QuickJitForLoops=0", [("DOTNET_TC_QuickJitForLoops", "0")]),
            })
            {
                rig.Invalidate(ChainFactory.Step(1), rig.FirstBox, rig.LastBox);
                var info = rig.CliStartInfo("build", "--no-ingest", "--no-publish", "--json");
                foreach (var (k, v) in env) info.Environment[k] = v;
                var clock = Stopwatch.StartNew();
                using var p = Process.Start(info)!;
                var so = p.StandardOutput.ReadToEndAsync();
                var se = p.StandardError.ReadToEndAsync();
                p.WaitForExit();
                Console.WriteLine($"{name}: exit {p.ExitCode}, {clock.Elapsed.TotalSeconds:0.00} s = {clock.Elapsed.TotalMilliseconds / tasks:0.00} ms per task");
            }
            {
                var clock = Stopwatch.StartNew();
                var run = rig.Cli(TimeSpan.FromMinutes(1), "plan", "--json");
                Console.WriteLine($"CLI plan (nothing to do): exit {run.ExitCode}, {clock.Elapsed.TotalSeconds:0.00} s");
            }
            Statements(home, rig);
            Floor(home, rig, Math.Min(days, 200), 1, null);
            Floor(home, rig, Math.Min(days, 200), Environment.ProcessorCount, null);
            Floor(home, rig, Math.Min(days, 200), Environment.ProcessorCount, 1);
            LeanFloor(home, rig, Math.Min(days, 200), 1);
            LeanFloor(home, rig, Math.Min(days, 200), Environment.ProcessorCount);
            return 0;
        }
        finally
        {
            if (o.Keep) Console.WriteLine($"(kept {home})");
            else
            {
                try { Directory.Delete(home, recursive: true); } catch (IOException) { }
            }
        }
    }

    /// <summary>
    /// <c>task-loop [--days 1000] [--repeat 5]</c>: benchmark 3's in-process build (2 x days trivial tasks, default
    /// parallelism) again and again in one process, printing wall, tasks/s and CPU per task of each round; a steady
    /// workload to attach a profiler to (<c>perf record -p</c>, <c>dotnet-trace</c>).
    /// </summary>
    public static int Loop(Options o)
    {
        var days = o.Quick ? 100 : Math.Min(o.Days, 1000);
        var home = Path.Combine(Path.GetTempPath(), $"takt-loop-{Guid.NewGuid():N}"[..32]);
        try
        {
            var rig = TaktRig.Create(home, BenchFactory.Chain, 2, days);
            using (var ws = rig.Open()) new BuildService(ws).Ingest([]);
            rig.Build(ingest: false);
            var tasks = 2 * days;
            for (var round = 0; round < o.Repeat; round++)
            {
                rig.Invalidate(ChainFactory.Step(1), rig.FirstBox, rig.LastBox);
                using var ws = rig.Open();
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var result = new BuildService(ws).Build([], ingest: false, publish: false);
                cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
                if (result.Summary.Built != tasks) throw new BenchFailure($"built {result.Summary.Built} tasks, expected {tasks}");
                Console.WriteLine($"round {round + 1}: {tasks} tasks in {clock.Elapsed.TotalSeconds:0.000} s = {tasks / clock.Elapsed.TotalSeconds:0} tasks/s, " +
                                  $"{cpu.TotalMilliseconds / tasks:0.000} ms CPU per task");
            }
            return 0;
        }
        finally
        {
            try { Directory.Delete(home, recursive: true); } catch (IOException) { }
        }
    }

    private static void Print(string what, IReadOnlyList<(string Method, int Calls, double Ms)> stats, int tasks)
    {
        Console.WriteLine($"  {what}: {stats.Sum(s => s.Ms) / tasks:0.00} ms per task");
        foreach (var (method, calls, ms) in stats.Where(s => s.Ms / tasks >= 0.01))
            Console.WriteLine($"    {method,-22} {calls / (double)tasks,6:0.00} calls/task {ms / tasks,8:0.000} ms/task");
    }

    /// <summary>
    /// The statements a trivial task needs at least: the input view (schema created once per session, no
    /// union_by_name for one file), the COPY (whose result is the row count), one DROP; plus fsync and rename.
    /// </summary>
    private static void LeanFloor(string home, TaktRig rig, int boxes, int workers)
    {
        using var ws = rig.Open();
        var inputs = ws.Ledger.Boxes("prod", ChainFactory.Source, new Boxes.BoxRange(rig.FirstBox, rig.FirstBox + boxes - 1))
            .Select(b => ws.Files.Paths(new VersionLocation(ChainFactory.Source, TaktRig.Day(b.Box), b.CurrentVersion!))[0]).ToArray();
        var dir = Path.Combine(home, $"lean-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var connections = new System.Collections.Concurrent.ConcurrentBag<DuckDB.NET.Data.DuckDBConnection>();
        var clock = Stopwatch.StartNew();
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = workers }, () =>
        {
            var c = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE SCHEMA raw";
            cmd.ExecuteNonQuery();
            connections.Add(c);
            return c;
        }, (i, _, c) =>
        {
            var staging = Path.Combine(dir, $"s{i}");
            Directory.CreateDirectory(staging);
            var output = Path.Combine(staging, "part-0.parquet");
            using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = $"CREATE OR REPLACE VIEW raw.src AS SELECT * FROM read_parquet({SqlText.Literal(inputs[i])})";
                cmd.ExecuteNonQuery();
                cmd.CommandText = $"COPY (SELECT CAST(sum(x) AS BIGINT) AS x FROM raw.src) TO {SqlText.Literal(output)} (FORMAT parquet, COMPRESSION zstd)";
                cmd.ExecuteNonQuery();
                cmd.CommandText = "DROP VIEW raw.src";
                cmd.ExecuteNonQuery();
            }
            using (var stream = new FileStream(output, FileMode.Open, FileAccess.ReadWrite)) stream.Flush(flushToDisk: true);
            Directory.Move(staging, Path.Combine(dir, $"v{i}"));
            return c;
        }, _ => { });
        var total = clock.Elapsed.TotalMilliseconds;
        foreach (var c in connections) c.Dispose();
        Console.WriteLine($"lean engine floor (3 statements + fsync + rename), {workers} worker(s): {total / inputs.Length:0.00} ms wall per task");
    }

    /// <summary>What single DuckDB statements of a trivial task cost, one after another on one session.</summary>
    /// <summary><c>task-statements</c>: only the single-statement costs of <see cref="Statements"/>.</summary>
    public static int StatementsOnly(Options o)
    {
        var home = Path.Combine(Path.GetTempPath(), $"takt-stmts-{Guid.NewGuid():N}"[..32]);
        try
        {
            var rig = TaktRig.Create(home, BenchFactory.Chain, 2, 100);
            using (var ws = rig.Open()) new BuildService(ws).Ingest([]);
            for (var round = 0; round < Math.Max(1, o.Repeat); round++) Statements(home, rig);
            return 0;
        }
        finally
        {
            try { Directory.Delete(home, recursive: true); } catch (IOException) { }
        }
    }

    private static void Statements(string home, TaktRig rig)
    {
        using var ws = rig.Open();
        var inputs = ws.Ledger.Boxes("prod", ChainFactory.Source, new Boxes.BoxRange(rig.FirstBox, rig.FirstBox + 99))
            .Select(b => ws.Files.Paths(new VersionLocation(ChainFactory.Source, TaktRig.Day(b.Box), b.CurrentVersion!))[0]).ToArray();
        var dir = Path.Combine(home, $"statements-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        using var pool = new DuckDbPool();
        using var lease = pool.Rent();
        var db = lease.Session;
        db.Execute("CREATE SCHEMA IF NOT EXISTS raw");
        var statements = new (string Name, Func<int, string> Sql)[]
        {
            ("SELECT 1", _ => "SELECT 1"),
            ("CREATE SCHEMA IF NOT EXISTS raw", _ => "CREATE SCHEMA IF NOT EXISTS raw"),
            ("CREATE OR REPLACE VIEW (union_by_name)", i => $"CREATE OR REPLACE VIEW raw.src AS SELECT * FROM read_parquet([{SqlText.Literal(inputs[i])}], union_by_name = true)"),
            ("SELECT count(*) FROM view", _ => "SELECT count(*) FROM raw.src"),
            ("DESCRIBE view", _ => "DESCRIBE raw.src"),
            ("DROP VIEW IF EXISTS", _ => "DROP VIEW IF EXISTS raw.src"),
            ("CREATE OR REPLACE VIEW (plain)", i => $"CREATE OR REPLACE VIEW raw.src AS SELECT * FROM read_parquet([{SqlText.Literal(inputs[i])}])"),
            ("COPY (sum) TO parquet zstd", i => $"COPY (SELECT CAST(sum(x) AS BIGINT) AS x FROM raw.src) TO {SqlText.Literal(Path.Combine(dir, $"o{i}.parquet"))} (FORMAT parquet, COMPRESSION zstd)"),
            ("COPY (sum) TO parquet snappy", i => $"COPY (SELECT CAST(sum(x) AS BIGINT) AS x FROM raw.src) TO {SqlText.Literal(Path.Combine(dir, $"p{i}.parquet"))} (FORMAT parquet, COMPRESSION snappy)"),
            ("COPY (sum) TO parquet uncompressed", i => $"COPY (SELECT CAST(sum(x) AS BIGINT) AS x FROM raw.src) TO {SqlText.Literal(Path.Combine(dir, $"q{i}.parquet"))} (FORMAT parquet, COMPRESSION uncompressed)"),
            ("COPY (SELECT 1) TO parquet zstd", i => $"COPY (SELECT 1 AS x) TO {SqlText.Literal(Path.Combine(dir, $"r{i}.parquet"))} (FORMAT parquet, COMPRESSION zstd)"),
            ("4 SET VARIABLE (a box)", _ => "SET VARIABLE box_start = CAST('2016-01-01 00:00:00' AS TIMESTAMP); SET VARIABLE box_end = CAST('2016-01-02 00:00:00' AS TIMESTAMP); SET VARIABLE box_key = '2016-01-01'; SET VARIABLE box_grain = 'daily'; SELECT 1"),
            ("4 RESET VARIABLE", _ => "RESET VARIABLE box_start; RESET VARIABLE box_end; RESET VARIABLE box_key; RESET VARIABLE box_grain; SELECT 1"),
            ("SELECT sum FROM view", _ => "SELECT CAST(sum(x) AS BIGINT) AS x FROM raw.src"),
            ("count(*) of read_parquet(file)", i => $"SELECT count(*) FROM read_parquet({SqlText.Literal(inputs[i])})"),
        };
        Console.WriteLine("DuckDB statements on one warm session (100 runs each):");
        foreach (var (name, sql) in statements)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < inputs.Length; i++)
            {
                if (name.StartsWith("SELECT count", StringComparison.Ordinal) || name.StartsWith("SELECT sum", StringComparison.Ordinal) || name.StartsWith("DESCRIBE", StringComparison.Ordinal) || name.StartsWith("COPY", StringComparison.Ordinal))
                    db.Execute($"CREATE OR REPLACE VIEW raw.src AS SELECT * FROM read_parquet([{SqlText.Literal(inputs[i])}])");
                if (name.StartsWith("DROP", StringComparison.Ordinal)) db.Execute($"CREATE OR REPLACE VIEW raw.src AS SELECT 1 AS x");
                using var cmd = db.Command(sql(i));
                using var reader = cmd.ExecuteReader();
                while (reader.Read()) { }
            }
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Console.WriteLine($"    {name,-40} {clock.Elapsed.TotalMilliseconds / inputs.Length,8:0.000} ms, CPU {cpu.TotalMilliseconds / inputs.Length,6:0.000} ms{(name.StartsWith("SELECT count", StringComparison.Ordinal) || name.StartsWith("SELECT sum", StringComparison.Ordinal) || name.StartsWith("DESCRIBE", StringComparison.Ordinal) || name.StartsWith("COPY", StringComparison.Ordinal) || name.StartsWith("DROP", StringComparison.Ordinal) ? " (incl. a CREATE VIEW before it)" : "")}");
        }
    }

    /// <summary>The engine steps of a trivial transform task, without Takt around them.</summary>
    private static void Floor(string home, TaktRig rig, int boxes, int workers, int? duckThreads)
    {
        using var ws = rig.Open();
        var inputs = ws.Ledger.Boxes("prod", ChainFactory.Source, new Boxes.BoxRange(rig.FirstBox, rig.FirstBox + boxes - 1))
            .Select(b => ws.Files.Paths(new VersionLocation(ChainFactory.Source, TaktRig.Day(b.Box), b.CurrentVersion!))[0]).ToArray();
        var dir = Path.Combine(home, $"floor-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        using var pool = new DuckDbPool();
        var steps = new Dictionary<string, double>();
        void Step(string name, Action action)
        {
            var t = Stopwatch.GetTimestamp();
            action();
            lock (steps) steps[name] = steps.GetValueOrDefault(name) + Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        var clock = Stopwatch.StartNew();
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = workers }, i =>
        {
            using var lease = pool.Rent();
            var db = lease.Session;
            if (duckThreads is { } n) db.Execute($"SET threads = {n}");
            var staging = Path.Combine(dir, $"s{i}");
            Step("mkdir staging", () => Directory.CreateDirectory(staging));
            Step("view + count(*) input", () =>
            {
                db.CreateDatasetView("raw.src", [inputs[i]], Definitions.Schema.Undeclared);
                db.Scalar<long>("SELECT count(*) FROM raw.src");
            });
            var output = Path.Combine(staging, "part-0.parquet");
            Step("COPY (sum) TO parquet", () => db.CopyToParquet("SELECT CAST(sum(x) AS BIGINT) AS x FROM raw.src", output));
            Step("view + count(*) + DESCRIBE output", () =>
            {
                db.CreateView("__data", [output], Definitions.Schema.Undeclared);
                db.Scalar<long>("SELECT count(*) FROM __data");
                db.Describe("__data");
            });
            Step("fsync output", () =>
            {
                using var stream = new FileStream(output, FileMode.Open, FileAccess.ReadWrite);
                stream.Flush(flushToDisk: true);
            });
            Step("rename into place", () => Directory.Move(staging, Path.Combine(dir, $"v{i}")));
            Step("lineage-sized JSON line append", () => { lock (steps) File.AppendAllText(Path.Combine(dir, "events.jsonl"), new JsonObject { ["x"] = new string('x', 1500) }.ToJsonString() + "\n"); });
        });
        var total = clock.Elapsed.TotalMilliseconds;
        Console.WriteLine($"engine floor (same steps without Takt), {workers} worker(s), DuckDB threads {duckThreads?.ToString() ?? "default"}: " +
                          $"{total / inputs.Length:0.00} ms wall per task; step times summed over workers:");
        foreach (var (name, ms) in steps.OrderByDescending(s => s.Value)) Console.WriteLine($"    {name,-36} {ms / inputs.Length,8:0.000} ms/task");
    }

    /// <summary><c>heavy-profile --home H</c> (a home kept by <c>all --only 4 --keep</c>): where Takt's time around the heavy box's COPY goes.</summary>
    public static int Heavy(Options o)
    {
        var home = o.Home ?? throw new UsageException("heavy-profile needs --home (e.g. the heavy/ directory of `all --only 4 --keep`).");
        var factory = HeavyRig.Declare(home);
        var day = HeavyRig.Day;
        for (var round = 0; round < 3; round++)
        {
            var (ledger, ledgerTiming) = TimingProxy<ILedger>.Wrap(new SqliteLedger(Path.Combine(home, "ledger.db")));
            var (lake, lakeTiming) = TimingProxy<ILake>.Wrap(new LocalLake(Path.Combine(home, "lake")));
            var (sink, sinkTiming) = TimingProxy<ILineageSink>.Wrap(new FileLineageSink(Path.Combine(home, "openlineage", "events.jsonl")));
            using var ws = new Workspace(factory, ledger, lake, home, new LocalLandingZone(Path.Combine(home, "landing"))) { Lineage = sink };
            var service = new BuildService(ws);
            service.Invalidate("mart.heavy", day, day, "profile");
            ledgerTiming.Reset();
            var clock = Stopwatch.StartNew();
            var planClock = Stopwatch.StartNew();
            service.Plan(["mart.heavy"]);
            var planMs = planClock.Elapsed.TotalMilliseconds;
            service.Invalidate("mart.heavy", day, day, "profile");
            ledgerTiming.Reset();
            clock.Restart();
            var result = service.Build(["mart.heavy"], ingest: false, publish: false);
            var total = clock.Elapsed.TotalMilliseconds;
            var log = ledger.TaskLog(ledger.Tasks(result.RunId).Single().Id);
            Console.WriteLine($"Takt build of the heavy box: {total:0.0} ms (one plan alone: {planMs:0.0} ms); task log: {string.Join(" | ", log)}");
            Console.WriteLine($"  ledger {ledgerTiming.TotalMs:0.0} ms: " + string.Join(", ", ledgerTiming.Stats.Take(8).Select(s => $"{s.Method} {s.Calls}x {s.Ms:0.0}")));
            Console.WriteLine($"  lake {lakeTiming.TotalMs:0.0} ms: " + string.Join(", ", lakeTiming.Stats.Select(s => $"{s.Method} {s.Calls}x {s.Ms:0.0}")));
            Console.WriteLine($"  lineage sink {sinkTiming.TotalMs:0.0} ms");
            ledger.Dispose();
        }
        using (var ws = WorkspaceBuilder.At(home).Open(factory))
        {
            var events = ws.Files.Paths(new VersionLocation("raw.events", "2026-01-01", ws.Ledger.Boxes("prod", "raw.events", Boxes.BoxRange.Single(day.DayNumber)).Single().CurrentVersion!));
            var dims = ws.Files.Paths(new VersionLocation("raw.dims", "2026-01-01", ws.Ledger.Boxes("prod", "raw.dims", Boxes.BoxRange.Single(day.DayNumber)).Single().CurrentVersion!));
            var output = Path.Combine(home, "profile-out.parquet");
            for (var round = 0; round < 3; round++)
            {
                var steps = new List<(string, double)>();
                void Step(string name, Action action)
                {
                    var t = Stopwatch.GetTimestamp();
                    action();
                    steps.Add((name, Stopwatch.GetElapsedTime(t).TotalMilliseconds));
                }
                DuckDbSession? db = null;
                using var pool = new DuckDbPool();
                Step("new DuckDB database (session)", () => db = pool.Rent().Session);
                Step("views (schema + union_by_name) x2", () =>
                {
                    db!.CreateDatasetView("raw.events", events, Definitions.Schema.Undeclared);
                    db.CreateDatasetView("raw.dims", dims, Definitions.Schema.Undeclared);
                });
                Step("count(*) of both inputs", () =>
                {
                    db!.Scalar<long>("SELECT count(*) FROM raw.events");
                    db.Scalar<long>("SELECT count(*) FROM raw.dims");
                });
                Step("COPY (query) TO parquet", () => db!.CopyToParquet(HeavyRig.Sql, output));
                Step("view + count(*) + DESCRIBE of the output", () =>
                {
                    db!.CreateView("__data", [output], Definitions.Schema.Undeclared);
                    db.Scalar<long>("SELECT count(*) FROM __data");
                    db.Describe("__data");
                });
                Step("fsync of the output", () =>
                {
                    using var stream = new FileStream(output, FileMode.Open, FileAccess.ReadWrite);
                    stream.Flush(flushToDisk: true);
                });
                Console.WriteLine("engine steps: " + string.Join(", ", steps.Select(s => $"{s.Item1} {s.Item2:0.0} ms")));
                File.Delete(output);
            }
        }
        return 0;
    }

    /// <summary><c>incremental-profile [--datasets 20] [--days 365]</c>: where the time of benchmark 2's incremental build goes.</summary>
    public static int Incremental(Options o)
    {
        var datasets = o.Datasets == 100 ? 20 : o.Datasets;
        var days = o.Days == 3650 ? 365 : o.Days;
        var home = Path.Combine(Path.GetTempPath(), $"takt-profile-{Guid.NewGuid():N}"[..32]);
        try
        {
            var rig = TaktRig.Create(home, BenchFactory.Synthetic, datasets, days);
            var clock = Stopwatch.StartNew();
            rig.Build();
            Console.WriteLine($"set-up build of {datasets} x {days}: {clock.Elapsed.TotalSeconds:0.0} s");
            var source = rig.Factory.Datasets.First(d => d.IsSource).Name;
            var middle = rig.FirstBox + days / 2;
            for (var round = 0; round < 3; round++)
            {
                rig.Invalidate(source, middle, middle + 2);
                var (ledger, ledgerTiming) = TimingProxy<ILedger>.Wrap(new SqliteLedger(Path.Combine(home, "ledger.db")));
                var (lake, lakeTiming) = TimingProxy<ILake>.Wrap(new LocalLake(Path.Combine(home, "lake")));
                var (sink, sinkTiming) = TimingProxy<ILineageSink>.Wrap(new FileLineageSink(Path.Combine(home, "openlineage", "events.jsonl")));
                using var ws = new Workspace(rig.Factory, ledger, lake, home, new LocalLandingZone(Path.Combine(home, "landing"))) { Lineage = sink };
                var service = new BuildService(ws);
                clock.Restart();
                var ingest = service.Ingest([]);
                var ingestMs = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                var plan = service.Plan([]);
                var planMs = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                var plan2 = service.Plan([]);
                var plan2Ms = clock.Elapsed.TotalMilliseconds;
                ledgerTiming.Reset();
                lakeTiming.Reset();
                sinkTiming.Reset();
                clock.Restart();
                var result = service.Build([], ingest: true, publish: false);
                var total = clock.Elapsed.TotalMilliseconds;
                var taskMs = result.Tasks.Sum(t => t.DurationMs);
                Console.WriteLine($"round {round + 1}: ingest scan alone {ingestMs:0} ms ({ingest.Tasks.Count} tasks); plan alone {planMs:0} ms ({plan.Tasks.Count} tasks), again {plan2Ms:0} ms; " +
                                  $"build {total:0} ms for {result.Summary.Built} built tasks = {total / Math.Max(1, result.Summary.Built):0.0} ms per task; " +
                                  $"sum of task durations {taskMs} ms ({taskMs / (double)Math.Max(1, result.Tasks.Count):0.0} ms per task, 2 workers)");
                Print("ledger", ledgerTiming.Stats, result.Tasks.Count);
                Print("lake", lakeTiming.Stats, result.Tasks.Count);
                Print("lineage sink", sinkTiming.Stats, result.Tasks.Count);
                ledger.Dispose();
            }
            return 0;
        }
        finally
        {
            if (o.Keep) Console.WriteLine($"(kept {home})");
            else
            {
                try { Directory.Delete(home, recursive: true); } catch (IOException) { }
            }
        }
    }
}
