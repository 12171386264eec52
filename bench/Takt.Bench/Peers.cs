using System.Diagnostics;
using System.Globalization;
using System.Text;
using Takt.Definitions;

namespace Takt.Bench;

/// <summary>The outcome of running a peer tool once: wall time, exit code, recipes it ran, its peak RSS and its output.</summary>
internal sealed record PeerRun(double Seconds, int ExitCode, int RecipesRun, bool TimedOut, long PeakRssBytes, string Output);

/// <summary>What each recipe of a peer workflow does.</summary>
internal enum PeerWork
{
    /// <summary><c>cat</c> the inputs into the target (only used where the recipe never runs: the no-op plans).</summary>
    Concat,
    /// <summary>A tiny SQL query through the <c>sqlite3</c> command line, like Takt's <c>SELECT 1 AS x</c> transforms.</summary>
    SelectOne,
    /// <summary><c>sqlite3</c> imports the first input (CSV) and writes <c>SELECT sum(x) AS x</c> of it, like Takt's sum transforms.</summary>
    SumFirstInput,
}

/// <summary>
/// The same DAG as a Takt factory, as file-based workflows for GNU make and Snakemake: one file per dataset and box
/// (named by the box's day number) under <c>w/&lt;dataset&gt;/</c>. Source boxes are plain files with no rule; every
/// transform box is a target whose prerequisites are the files of the input boxes it reads (the same box, or the
/// 7-day window clipped at the first box), exactly as the Takt factory maps them. Each recipe appends its target to
/// <c>ran.log</c>, so the suite counts what ran.
/// </summary>
internal sealed class PeerWorkflow
{
    private readonly Factory _factory;
    private readonly long _first;
    private readonly int _days;

    public PeerWorkflow(Factory factory, string directory, long firstBox, int days)
    {
        _factory = factory;
        _first = firstBox;
        _days = days;
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
    }

    public string Directory { get; }
    public string Log => Path.Combine(Directory, "ran.log");
    public long TransformTargets => (long)_factory.Datasets.Count(d => !d.IsSource) * _days;

    private static string Folder(string dataset) => dataset.Replace('.', '_');

    private string BoxPath(string dataset, long box) => Path.Combine(Directory, "w", Folder(dataset), box.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Writes every file (a one-column CSV, <c>x</c> = 1), each dataset one minute after its inputs, so that every
    /// target exists and is newer than everything it reads.
    /// </summary>
    public void MaterializeUpToDate()
    {
        var time = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        foreach (var dataset in _factory.Datasets)
        {
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, "w", Folder(dataset.Name)));
            time = time.AddMinutes(1);
            for (var b = _first; b < _first + _days; b++)
            {
                var path = BoxPath(dataset.Name, b);
                File.WriteAllText(path, "x\n1\n");
                File.SetLastWriteTimeUtc(path, time);
            }
        }
    }

    /// <summary>Removes every transform's files: the next run builds all of them.</summary>
    public void DeleteTransformOutputs()
    {
        foreach (var d in _factory.Datasets.Where(d => !d.IsSource))
        {
            var dir = Path.Combine(Directory, "w", Folder(d.Name));
            if (System.IO.Directory.Exists(dir)) System.IO.Directory.Delete(dir, recursive: true);
            System.IO.Directory.CreateDirectory(dir);
        }
    }

    private int _relanded;

    /// <summary>
    /// Re-lands a source's box: new content, newer than everything. (A bare <c>touch</c> is not enough for Snakemake 7,
    /// which keeps the checksum of small inputs in its metadata and does not rerun a job whose input only got newer.)
    /// </summary>
    public void Reland(string source, long box)
    {
        var path = BoxPath(source, box);
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $"x\n{++_relanded}\n"));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
    }

    /// <summary>Content of a transform's box file (for checking the peers computed what Takt computes).</summary>
    public string Read(string dataset, long box) => File.ReadAllText(BoxPath(dataset, box));

    private static int WindowOf(Input input) =>
        input.Mapping == PartitionMapping.SameBox ? 1
        : input.Mapping == PartitionMapping.Window(7) ? 7
        : throw new NotSupportedException($"The peer workflows know same-box and 7-day windows, not {input.Mapping.Describe()}.");

    private static string Recipe(PeerWork work, string output, string firstInput) => work switch
    {
        PeerWork.Concat => $"cat {firstInput} > {output}",
        PeerWork.SelectOne => $"sqlite3 -csv -header :memory: 'SELECT 1 AS x' > {output}",
        PeerWork.SumFirstInput => $"sqlite3 -csv -header :memory: -cmd '.import --csv {firstInput} t' 'SELECT sum(x) AS x FROM t' > {output}",
        _ => throw new ArgumentOutOfRangeException(nameof(work)),
    };

    /// <summary>
    /// A Makefile with one explicit rule per transform box (its exact prerequisites) and one pattern recipe. Built-in
    /// implicit rules are switched off (<c>-rR</c>), as anyone tuning a large Makefile would.
    /// </summary>
    public string WriteMakefile(PeerWork work)
    {
        var text = new StringBuilder();
        text.Append("MAKEFLAGS += -rR\n.SUFFIXES:\n\nall:");
        foreach (var d in _factory.Datasets.Where(d => !d.IsSource))
            text.Append(CultureInfo.InvariantCulture, $" $(addprefix w/{Folder(d.Name)}/,$(shell seq {_first} {_first + _days - 1}))");
        text.Append("\n\n");
        foreach (var d in _factory.Datasets.Where(d => !d.IsSource))
        {
            var folder = Folder(d.Name);
            for (var b = _first; b < _first + _days; b++)
            {
                text.Append(CultureInfo.InvariantCulture, $"w/{folder}/{b}:");
                foreach (var input in d.Inputs)
                    for (var k = Math.Max(_first, b - WindowOf(input) + 1); k <= b; k++) text.Append(CultureInfo.InvariantCulture, $" w/{Folder(input.Dataset)}/{k}");
                text.Append('\n');
            }
        }
        // $< is the first prerequisite: the same box (or the window's first box) of the first input.
        text.Append(CultureInfo.InvariantCulture, $"\nw/%:\n\t@{Recipe(work, "$@", "$<")}; echo $@ >> ran.log\n");
        var path = Path.Combine(Directory, "Makefile");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>A Snakefile with one rule per transform dataset, its inputs as functions of the box wildcard.</summary>
    public string WriteSnakefile(PeerWork work)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"FIRST = {_first}\nLAST = {_first + _days - 1}\nBOXES = range(FIRST, LAST + 1)\n\n");
        text.Append("def window(folder, n):\n    return lambda w: [f\"w/{folder}/{k}\" for k in range(max(FIRST, int(w.box) - n + 1), int(w.box) + 1)]\n\n");
        text.Append("rule all:\n    input:\n");
        foreach (var d in _factory.Datasets.Where(d => !d.IsSource))
            text.Append(CultureInfo.InvariantCulture, $"        expand(\"w/{Folder(d.Name)}/{{box}}\", box=BOXES),\n");
        text.Append('\n');
        foreach (var d in _factory.Datasets.Where(d => !d.IsSource))
        {
            var folder = Folder(d.Name);
            text.Append(CultureInfo.InvariantCulture, $"rule {folder}:\n    input:\n");
            foreach (var input in d.Inputs)
            {
                var n = WindowOf(input);
                text.Append(n == 1
                    ? $"        \"w/{Folder(input.Dataset)}/{{box}}\",\n"
                    : string.Create(CultureInfo.InvariantCulture, $"        window(\"{Folder(input.Dataset)}\", {n}),\n"));
            }
            var recipe = Recipe(work, "{output}", "{input[0]}").Replace("\"", "\\\"");
            text.Append(CultureInfo.InvariantCulture,
                $"    output: \"w/{folder}/{{box}}\"\n    wildcard_constraints: box=\"[0-9]+\"\n    shell: \"{recipe}; echo {{output}} >> ran.log\"\n\n");
        }
        var path = Path.Combine(Directory, "Snakefile");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    /// <summary>Runs a peer in the workflow directory (under <c>/usr/bin/time</c> when present, for its peak RSS), capped.</summary>
    public PeerRun Run(string tool, IReadOnlyList<string> arguments, TimeSpan cap)
    {
        if (File.Exists(Log)) File.Delete(Log);
        var rss = Path.Combine(Directory, "peak-rss.txt");
        if (File.Exists(rss)) File.Delete(rss);
        var time = Tools.Time;
        var info = new ProcessStartInfo(time ?? tool) { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (time is not null)
            foreach (var a in new[] { "-f", "%M", "-o", rss, tool }) info.ArgumentList.Add(a);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var done = process.WaitForExit(cap);
        var seconds = clock.Elapsed.TotalSeconds;
        long peakAtKill = 0;
        if (!done)
        {
            peakAtKill = ProcessTree.PeakResidentBytes(process.Id);
            process.Kill(entireProcessTree: true);
        }
        process.WaitForExit();
        var ran = File.Exists(Log) ? File.ReadAllLines(Log).Length : 0;
        var peak = peakAtKill;
        if (done && File.Exists(rss))
        {
            // GNU time writes "Command exited with non-zero status N" first when the command failed.
            var last = File.ReadAllLines(rss).LastOrDefault(l => l.Trim().Length > 0)?.Trim();
            if (long.TryParse(last, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb)) peak = kb * 1024;
        }
        return new PeerRun(seconds, done ? process.ExitCode : -1, ran, !done, peak, stdout.Result + stderr.Result);
    }
}

/// <summary>Peak resident sets of running processes, from /proc.</summary>
internal static class ProcessTree
{
    /// <summary>The largest VmHWM among a process and its descendants (bytes), e.g. a peer about to be killed at the cap.</summary>
    public static long PeakResidentBytes(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        var tree = new HashSet<int> { root };
        bool grew;
        do
        {
            grew = false;
            foreach (var (pid, parent) in parents)
                if (tree.Contains(parent) && tree.Add(pid)) grew = true;
        } while (grew);
        long peak = 0;
        foreach (var pid in tree)
        {
            try
            {
                var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (line is not null) peak = Math.Max(peak, long.Parse(line.Split(' ', '\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return peak;
    }
}

/// <summary>Finds the peer tools, installs the missing ones with apt-get where that is possible, and reports versions.</summary>
internal static class Tools
{
    public static string? Make { get; private set; }
    public static string? Snakemake { get; private set; }
    public static string? Sqlite3 { get; private set; }
    public static string? Time { get; private set; }

    public const string SnakemakeHint = "apt-get install -y snakemake";

    /// <param name="install">Install missing Debian packages (snakemake, sqlite3, time) when running as root with apt-get.</param>
    public static void Detect(bool install, Action<string> log)
    {
        var missing = new List<string>();
        if (Find("snakemake") is null) missing.Add("snakemake");
        if (Find("sqlite3") is null) missing.Add("sqlite3");
        if (!File.Exists("/usr/bin/time")) missing.Add("time");
        if (missing.Count > 0 && install)
        {
            if (!IsRoot() || Find("apt-get") is null)
                log($"missing: {string.Join(", ", missing)}; install them with `apt-get install -y {string.Join(' ', missing)}` (not root or no apt-get here)");
            else
            {
                log($"installing {string.Join(", ", missing)} with apt-get ...");
                var update = Shell("apt-get", ["update", "-qq"], TimeSpan.FromMinutes(10));
                var add = Shell("apt-get", ["install", "-y", "-qq", .. missing], TimeSpan.FromMinutes(20));
                if (update.Code != 0 || add.Code != 0)
                    log($"apt-get failed (exit {update.Code}/{add.Code}): {Tail(update.Output + add.Output, 800)}");
            }
        }
        Make = Find("make");
        Snakemake = Find("snakemake");
        Sqlite3 = Find("sqlite3");
        Time = File.Exists("/usr/bin/time") ? "/usr/bin/time" : null;
    }

    public static string? Find(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, tool))) return Path.Combine(dir, tool);
        return null;
    }

    public static string Version(string? tool, string argument = "--version")
    {
        if (tool is null) return "missing";
        var (code, output) = Shell(tool, [argument], TimeSpan.FromMinutes(1));
        return code == 0 ? output.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "?" : "?";
    }

    public static (int Code, string Output) Shell(string tool, IReadOnlyList<string> arguments, TimeSpan cap)
    {
        try
        {
            var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.Environment["DEBIAN_FRONTEND"] = "noninteractive";
            foreach (var a in arguments) info.ArgumentList.Add(a);
            using var p = Process.Start(info)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(cap)) { p.Kill(entireProcessTree: true); p.WaitForExit(); return (-1, "timed out"); }
            return (p.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e) { return (-1, e.Message); }
    }

    private static bool IsRoot() =>
        File.Exists("/proc/self/status") &&
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1) == "0";

    private static string Tail(string text, int chars) => text.Length <= chars ? text : text[^chars..];
}
