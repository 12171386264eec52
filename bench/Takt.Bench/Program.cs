using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Takt.Bench;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

try
{
    if (args.Length > 0 && args[0] == FactoryCli.Command) return FactoryCli.Run(args);
    if (args.Length > 0 && args[0] == RealShapeBare.Command) return RealShapeBare.Run(args);
    var options = Options.Parse(args);
    return options.Command switch
    {
        "noop-plan" => NoopPlan.Run(options),
        Options.PlanOnly => NoopPlan.RunPlanOnly(options),
        "task-profile" => TaskProfile.Run(options),
        "task-loop" => TaskProfile.Loop(options),
        "task-statements" => TaskProfile.StatementsOnly(options),
        "heavy-profile" => TaskProfile.Heavy(options),
        "incremental-profile" => TaskProfile.Incremental(options),
        "hourly-profile" => HourlyProfile.Run(options),
        "all" => Suite.Run(new SuiteOptions(options.Quick, options.RepeatSet ? options.Repeat : null, options.Only, options.Report, options.Keep)
            { Rows = options.Rows, Formats = options.Formats, MaxBoxes = options.MaxBoxes }),
        _ => throw new UsageException($"Unknown command '{options.Command}'."),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Options.Usage);
    return 2;
}
catch (BenchFailure e)
{
    Console.Error.WriteLine($"BENCH FAILED: {e.Message}");
    return 1;
}

namespace Takt.Bench
{
    internal sealed class UsageException(string message) : Exception(message);

    internal sealed record Options(string Command, int Datasets, int Days, int Repeat, bool Quick, string Fill, bool VerifyFill, bool InProcess, bool Keep, string? Home)
    {
        public bool RepeatSet { get; init; }
        public IReadOnlySet<int> Only { get; init; } = new HashSet<int>();
        public string? Report { get; init; }
        public long? Rows { get; init; }
        public long? MaxBoxes { get; init; }
        public IReadOnlyList<RealShapeFormat> Formats { get; init; } = [];

        public const string PlanOnly = "plan-only";

        public const string Usage = """
            Usage: dotnet run -c Release --project bench/Takt.Bench -- all [--quick] [--report FILE] [--only 1,3] [--repeat N] [--keep]
                     every benchmark, Takt side by side with GNU make, Snakemake and bare DuckDB (see bench/Takt.Bench/README.md)
                     --quick          small sizes, fewer repeats: the CI smoke check (sanity checks, no timing asserts)
                     --report FILE    also write the results as Markdown to FILE
                     --max-boxes N    benchmark 1 leaves out its sizes of more than N boxes (the report says which)
                     --only LIST      only these benchmarks (1 no-op plan, 2 incremental, 3 per-task overhead, 4 heavy box,
                                      5 memory, 6 crash and resume, 7 real shape,
                                      8 many datasets, 9 hourly boxes), e.g. --only 1,5
                     --rows N         rows of benchmark 7's landing file (default 3,000,000, --quick 50,000)
                     --formats LIST   benchmark 7's landing formats: parquet,csv,jsonl (default all three)
                     --repeat N       repeats of every measurement (default 5 and 3, --quick 2 and 1)
                     --keep           keep the temporary directory
                   dotnet run -c Release --project bench/Takt.Bench -- noop-plan [options]
              --datasets N     datasets in the synthetic factory (default 100; ~10% sources)
              --days N         daily boxes per dataset (default 3650)
              --repeat N       warm plans after the cold one (default 5)
              --quick          10 datasets x 365 days
              --fill MODE      auto (default) | api (ILedger.Commit per box) | direct (one SQLite transaction)
                               auto = api up to 50,000 boxes, direct above
              --verify-fill    also fill a second ledger the other way and check both hold the same rows
              --in-process     plan in this process (default: a child process, so the peak working set is the planner's)
              --keep           keep the temporary directory (factory, ledger.db)
                   dotnet run -c Release --project bench/Takt.Bench -- task-loop [--days 1000] [--repeat 5]
                     benchmark 3's in-process build, round after round in one process (tasks/s, CPU per task): a profiler's workload
            """;

        /// <summary>The first box: 2016-01-01, so that ten years end in late 2025.</summary>
        public static readonly long FirstBox = new DateOnly(2016, 1, 1).DayNumber;

        public static Options Parse(string[] args)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help") throw new UsageException("No command given.");
            int datasets = 100, days = 3650, repeat = 5;
            bool quick = false, verify = false, inProcess = false, keep = false, datasetsSet = false, daysSet = false;
            var fill = "auto";
            string? home = null, report = null;
            var only = new HashSet<int>();
            long? rows = null, maxBoxes = null;
            var formats = new List<RealShapeFormat>();
            var repeatSet = false;
            for (var i = 1; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value.");
                int Number(int min)
                {
                    var name = args[i];
                    var text = Value();
                    return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min
                        ? n : throw new UsageException($"{name} needs a whole number >= {min}, not '{text}'.");
                }
                switch (args[i])
                {
                    case "--datasets": datasets = Number(2); datasetsSet = true; break;
                    case "--days": days = Number(1); daysSet = true; break;
                    case "--repeat": repeat = Number(1); repeatSet = true; break;
                    case "--report": report = Value(); break;
                    case "--only":
                        foreach (var part in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                            only.Add(int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 9
                                ? n : throw new UsageException($"--only takes benchmark numbers 1 to 9, not '{part}'."));
                        break;
                    case "--rows": rows = Number(1000); break;
                    case "--max-boxes": maxBoxes = Number(1); break;
                    case "--formats":
                        foreach (var part in Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                            formats.Add(part switch
                            {
                                "parquet" => RealShapeFormat.Parquet,
                                "csv" => RealShapeFormat.Csv,
                                "jsonl" => RealShapeFormat.JsonLines,
                                _ => throw new UsageException($"--formats takes parquet, csv and jsonl, not '{part}'."),
                            });
                        break;
                    case "--quick": quick = true; break;
                    case "--fill":
                        fill = Value();
                        if (fill is not ("auto" or "api" or "direct")) throw new UsageException($"--fill is auto, api or direct, not '{fill}'.");
                        break;
                    case "--verify-fill": verify = true; break;
                    case "--in-process": inProcess = true; break;
                    case "--keep": keep = true; break;
                    case "--home": home = Value(); break;
                    default: throw new UsageException($"Unknown option '{args[i]}'.");
                }
            }
            if (quick)
            {
                if (!datasetsSet) datasets = 10;
                if (!daysSet) days = 365;
            }
            if (args[0] == PlanOnly && home is null) throw new UsageException($"{PlanOnly} needs --home.");
            return new Options(args[0], datasets, days, repeat, quick, fill, verify, inProcess, keep, home)
            {
                RepeatSet = repeatSet,
                Only = only,
                Report = report,
                Rows = rows,
                MaxBoxes = maxBoxes,
                Formats = formats,
            };
        }

        public FillMode FillMode => Fill switch
        {
            "api" => Bench.FillMode.Api,
            "direct" => Bench.FillMode.Direct,
            _ => (long)Datasets * Days <= 50_000 ? Bench.FillMode.Api : Bench.FillMode.Direct,
        };

        public string[] ChildArguments(string home) =>
            [PlanOnly, "--home", home, "--datasets", Datasets.ToString(CultureInfo.InvariantCulture), "--days", Days.ToString(CultureInfo.InvariantCulture),
             "--repeat", Repeat.ToString(CultureInfo.InvariantCulture)];
    }

    internal static class NoopPlan
    {
        private const string ResultPrefix = "RESULT ";

        public static int Run(Options o)
        {
            var home = Path.Combine(Path.GetTempPath(), $"takt-bench-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
            Directory.CreateDirectory(home);
            try
            {
                Console.WriteLine($"Takt noop-plan bench: {o.Datasets} datasets x {o.Days} days in {home}");
                var (factory, shape) = SyntheticFactory.Create(FactoryDir(home), o.Datasets);
                Console.WriteLine($"  factory: {shape.Sources} sources, {shape.Transforms} transforms, {shape.Edges} input edges " +
                                  $"({shape.WindowEdges} windows of 7), {shape.FanIns} fan-in nodes (max {shape.MaxFanIn} inputs), depth {shape.Depth}");

                Console.WriteLine($"Filling the ledger ({o.FillMode}) ...");
                var fill = LedgerFill.Fill(factory, LedgerPath(home), Options.FirstBox, o.Days, o.FillMode, Console.WriteLine);
                Console.WriteLine($"  {fill.Boxes:N0} boxes, {fill.Edges:N0} lineage edges in {fill.Elapsed.TotalSeconds:N1} s " +
                                  $"({fill.Elapsed.TotalMicroseconds / fill.Boxes:N0} us per box), ledger {fill.DatabaseBytes / 1048576.0:N1} MB");

                string? verified = null;
                if (o.VerifyFill) verified = VerifyFill(o, factory, home, fill);

                using var self = Process.GetCurrentProcess();
                self.Refresh();
                var setupPeak = self.PeakWorkingSet64;

                Console.WriteLine($"Planning{(o.InProcess ? "" : " (child process)")} ...");
                var result = o.InProcess
                    ? PlanBench.Run(factory, LedgerPath(home), Options.FirstBox, o.Days, o.Repeat, Console.WriteLine)
                    : RunChild(o, home);
                if (result is null) return 1;

                Report.Print(o, shape, fill, verified, result, setupPeak);
                return 0;
            }
            finally
            {
                if (o.Keep) Console.WriteLine($"(kept {home})");
                else
                {
                    try { Directory.Delete(home, recursive: true); }
                    catch (IOException e) { Console.Error.WriteLine($"Could not delete {home}: {e.Message}"); }
                }
            }
        }

        /// <summary>In the child: rebuild the same factory, plan, print the result as one JSON line.</summary>
        public static int RunPlanOnly(Options o)
        {
            var home = o.Home!;
            var (factory, _) = SyntheticFactory.Create(FactoryDir(home), o.Datasets);
            var result = PlanBench.Run(factory, LedgerPath(home), Options.FirstBox, o.Days, o.Repeat, Console.WriteLine);
            Console.WriteLine(ResultPrefix + JsonSerializer.Serialize(result));
            return 0;
        }

        private static PlanResult? RunChild(Options o, string home)
        {
            var start = new ProcessStartInfo { RedirectStandardOutput = true, UseShellExecute = false };
            var host = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
            start.FileName = host;
            if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
            foreach (var arg in o.ChildArguments(home)) start.ArgumentList.Add(arg);
            using var child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {host}.");
            PlanResult? result = null;
            while (child.StandardOutput.ReadLine() is { } line)
            {
                if (line.StartsWith(ResultPrefix, StringComparison.Ordinal)) result = JsonSerializer.Deserialize<PlanResult>(line[ResultPrefix.Length..]);
                else Console.WriteLine(line);
            }
            child.WaitForExit();
            if (child.ExitCode != 0 || result is null)
            {
                Console.Error.WriteLine($"The planning process exited with code {child.ExitCode}{(result is null ? " and no result" : "")}.");
                return null;
            }
            return result;
        }

        private static string VerifyFill(Options o, Takt.Definitions.Factory factory, string home, FillResult fill)
        {
            var other = fill.Mode == FillMode.Api ? FillMode.Direct : FillMode.Api;
            var path = Path.Combine(home, "verify", "ledger.db");
            Console.WriteLine($"Verifying: filling a second ledger ({other}) ...");
            var second = LedgerFill.Fill(factory, path, Options.FirstBox, o.Days, other, null);
            Console.WriteLine($"  {second.Boxes:N0} boxes in {second.Elapsed.TotalSeconds:N1} s ({second.Elapsed.TotalMicroseconds / second.Boxes:N0} us per box)");
            long rows = 0;
            using var a = LedgerFill.Dump(LedgerPath(home)).GetEnumerator();
            using var b = LedgerFill.Dump(path).GetEnumerator();
            while (true)
            {
                var hasA = a.MoveNext();
                var hasB = b.MoveNext();
                if (!hasA && !hasB) break;
                if (hasA != hasB || a.Current != b.Current)
                    throw new BenchFailure($"The {fill.Mode} and {other} fills differ at row {rows}:\n  {fill.Mode}: {(hasA ? a.Current : "(end)")}\n  {other}: {(hasB ? b.Current : "(end)")}");
                rows++;
            }
            Console.WriteLine($"  identical: {rows:N0} rows (counters, boxes, versions, version_lineage, source_heads, deployments, events, ...)");
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
            return $"{fill.Mode} = {other}: {rows:N0} identical rows; {other} fill took {second.Elapsed.TotalSeconds:N1} s " +
                   $"({second.Elapsed.TotalMicroseconds / second.Boxes:N0} us/box)";
        }

        private static string FactoryDir(string home) => Path.Combine(home, "factory");
        private static string LedgerPath(string home) => Path.Combine(home, "ledger.db");
    }

    internal static class Report
    {
        public static void Print(Options o, FactoryShape shape, FillResult fill, string? verified, PlanResult r, long setupPeak)
        {
            var warm = r.Warm.Select(w => w.Ms).Order().ToArray();
            var median = warm.Length % 2 == 1 ? warm[warm.Length / 2] : (warm[warm.Length / 2 - 1] + warm[warm.Length / 2]) / 2;
            var rows = new List<(string, string)>
            {
                ("datasets", $"{shape.Datasets} ({shape.Sources} sources, {shape.Transforms} SQL transforms)"),
                ("DAG", $"{shape.Edges} input edges, {shape.WindowEdges} windows of 7, {shape.FanIns} fan-ins (max {shape.MaxFanIn} inputs), depth {shape.Depth}"),
                ("days per dataset", $"{o.Days:N0} ({Fmt(Options.FirstBox)} .. {Fmt(Options.FirstBox + o.Days - 1)})"),
                ("boxes (datasets x days)", $"{(long)shape.Datasets * o.Days:N0}"),
                ("ledger fill", $"{fill.Mode}: {fill.Elapsed.TotalSeconds:N1} s, {fill.Elapsed.TotalMicroseconds / fill.Boxes:N0} us/box, {fill.Edges:N0} lineage edges, {fill.DatabaseBytes / 1048576.0:N1} MB"),
            };
            if (verified is not null) rows.Add(("fill verified", verified));
            rows.AddRange(
            [
                ("", ""),
                ("cold plan (no stamps, 1st)", $"{r.Cold.Ms,10:N1} ms   alloc {Mb(r.Cold.AllocatedBytes)}"),
                ("cold plan (no stamps, JIT warm)", $"{r.ColdAgain.Ms,10:N1} ms"),
                ($"warm plan median (n={warm.Length})", $"{median,10:N1} ms   alloc {Mb((long)r.Warm.Select(w => (double)w.AllocatedBytes).Order().ElementAt(warm.Length / 2))}"),
                ("warm plan min", $"{warm[0],10:N1} ms"),
                ("warm plan max", $"{warm[^1],10:N1} ms"),
                ("tasks planned", "0 in every plan (verified; every box fresh, nothing held)"),
                ("freshness stamps after cold", $"{r.Stamps}"),
                ("peak working set (planning)", $"{r.PeakWorkingSetBytes / 1048576.0:N1} MB{(o.InProcess ? " (includes the fill: --in-process)" : "")}"),
                ("peak working set (set-up)", $"{setupPeak / 1048576.0:N1} MB"),
                ("", ""),
                (".NET", $"{RuntimeInformation.FrameworkDescription} ({RuntimeInformation.ProcessArchitecture}, {Environment.ProcessorCount} cpus, {Build})"),
                ("OS", RuntimeInformation.OSDescription),
                ("SQLite", r.SqliteVersion),
            ]);
            var width = rows.Max(x => x.Item1.Length);
            var line = new string('-', width + 3 + rows.Max(x => x.Item2.Length));
            Console.WriteLine();
            Console.WriteLine("noop-plan: Planner.Create(\"prod\", all targets) over a fully built ledger");
            Console.WriteLine(line);
            foreach (var (k, v) in rows) Console.WriteLine(k.Length == 0 ? line : $"{k.PadRight(width)} | {v}");
            Console.WriteLine(line);

            PrintCalls("ledger calls in a cold plan (JIT warm)", r.ColdAgain.Ms, r.ColdLedgerCalls);
            PrintCalls("ledger calls in a warm plan", null, r.WarmLedgerCalls);
        }

        private static void PrintCalls(string title, double? totalMs, IReadOnlyList<CallStats> calls)
        {
            var sum = calls.Sum(c => c.Ms);
            Console.WriteLine();
            Console.WriteLine($"{title}: {sum:N1} ms in the ledger" + (totalMs is { } t ? $", {t - sum:N1} ms in the planner itself" : ""));
            Console.WriteLine($"  {"method",-18} {"calls",7} {"ms",10} {"rows",12}");
            foreach (var c in calls) Console.WriteLine($"  {c.Method,-18} {c.Calls,7} {c.Ms,10:N1} {c.Rows,12:N0}");
        }

        private static string Fmt(long box) => Takt.Boxes.GrainMath.Format(Takt.Boxes.Grain.Daily, box);
        private static string Mb(long bytes) => $"{bytes / 1048576.0:N1} MB";

#if DEBUG
        private const string Build = "Debug build";
#else
        private const string Build = "Release build";
#endif
    }
}
