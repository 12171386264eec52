using System.Diagnostics;
using System.Text;
using Takt.Definitions;

namespace Takt.Bench;

/// <summary>The outcome of running a peer tool once: wall time, exit code, and how many recipes it ran.</summary>
internal sealed record PeerRun(double Seconds, int ExitCode, int RecipesRun, bool TimedOut);

/// <summary>
/// The same DAG as a Takt factory, as file-based workflows for GNU make and Snakemake: one file per dataset and box
/// (named by the box ordinal), each recipe appends its target to a log so the suite can count what ran.
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
    public long Targets => (long)_factory.Datasets.Count(d => !d.IsSource) * _days;

    private static string Folder(string dataset) => dataset.Replace('.', '_');

    /// <summary>Writes every file, sources first and each dataset after its inputs, so that everything is up to date.</summary>
    public void MaterializeUpToDate()
    {
        var time = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        foreach (var dataset in _factory.Datasets)
        {
            var dir = Path.Combine(Directory, "w", Folder(dataset.Name));
            System.IO.Directory.CreateDirectory(dir);
            time = time.AddMinutes(1);
            for (var b = _first; b < _first + _days; b++)
            {
                var path = Path.Combine(dir, b.ToString());
                File.WriteAllText(path, "1\n");
                File.SetLastWriteTimeUtc(path, time);
            }
        }
    }

    /// <summary>Makes a source's box newer than everything (what a re-landed file is to make and Snakemake).</summary>
    public void Touch(string source, long box) =>
        File.SetLastWriteTimeUtc(Path.Combine(Directory, "w", Folder(source), box.ToString()), DateTime.UtcNow);

    /// <param name="sql">The recipe's work: a tiny SQL query through the sqlite3 command line, like Takt's tiny SQL tasks.</param>
    public string WriteMakefile(bool sql)
    {
        var text = new StringBuilder();
        text.Append("all:");
        foreach (var d in _factory.Datasets.Where(d => !d.IsSource))
            text.Append($" $(addprefix w/{Folder(d.Name)}/,$(shell seq {_first} {_first + _days - 1}))");
        text.Append("\n\n");
        foreach (var d in _factory.Datasets.Where(d => !d.IsSource))
        {
            var folder = Folder(d.Name);
            for (var b = _first; b < _first + _days; b++)
            {
                text.Append($"w/{folder}/{b}:");
                foreach (var input in d.Inputs)
                {
                    var window = input.Mapping == PartitionMapping.SameBox ? 1 : 7;
                    for (var k = Math.Max(_first, b - window + 1); k <= b; k++) text.Append($" w/{Folder(input.Dataset)}/{k}");
                }
                text.Append('\n');
            }
        }
        var work = sql ? "sqlite3 :memory: 'SELECT 1 AS x' > $@" : "cat $^ > $@";
        text.Append($"\nw/%:\n\t@{work}; echo $@ >> ran.log\n");
        var path = Path.Combine(Directory, "Makefile");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    public string WriteSnakefile(bool sql)
    {
        var text = new StringBuilder();
        text.Append($"FIRST = {_first}\nLAST = {_first + _days - 1}\nBOXES = range(FIRST, LAST + 1)\n\n");
        text.Append("def window(folder, n):\n    return lambda w: [f\"w/{folder}/{k}\" for k in range(max(FIRST, int(w.box) - n + 1), int(w.box) + 1)]\n\n");
        text.Append("rule all:\n    input:\n");
        foreach (var d in _factory.Datasets.Where(d => !d.IsSource))
            text.Append($"        expand(\"w/{Folder(d.Name)}/{{box}}\", box=BOXES),\n");
        text.Append('\n');
        var work = sql ? "sqlite3 :memory: 'SELECT 1 AS x' > {output}" : "cat {input} > {output}";
        foreach (var d in _factory.Datasets.Where(d => !d.IsSource))
        {
            var folder = Folder(d.Name);
            text.Append($"rule {folder}:\n    input:\n");
            foreach (var input in d.Inputs)
            {
                var n = input.Mapping == PartitionMapping.SameBox ? 1 : 7;
                text.Append(n == 1 ? $"        \"w/{Folder(input.Dataset)}/{{box}}\",\n" : $"        window(\"{Folder(input.Dataset)}\", {n}),\n");
            }
            text.Append($"    output: \"w/{folder}/{{box}}\"\n    wildcard_constraints: box=\"[0-9]+\"\n    shell: \"{work}; echo {{output}} >> ran.log\"\n\n");
        }
        var path = Path.Combine(Directory, "Snakefile");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    public PeerRun Run(string tool, IReadOnlyList<string> arguments, TimeSpan cap)
    {
        if (File.Exists(Log)) File.Delete(Log);
        var info = new ProcessStartInfo(tool) { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var done = process.WaitForExit(cap);
        if (!done) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        var ran = File.Exists(Log) ? File.ReadAllLines(Log).Length : 0;
        return new PeerRun(clock.Elapsed.TotalSeconds, done ? process.ExitCode : -1, ran, !done);
    }

    public static string? Find(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
            if (File.Exists(Path.Combine(dir, tool))) return Path.Combine(dir, tool);
        return null;
    }

    public static string Version(string tool, string argument = "--version")
    {
        try
        {
            var info = new ProcessStartInfo(tool, argument) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(info)!;
            var text = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "?";
        }
        catch (System.ComponentModel.Win32Exception) { return "missing"; }
    }
}
