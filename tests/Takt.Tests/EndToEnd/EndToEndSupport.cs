using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;
using Shop;
using Shop.Generator;
using Spectre.Console;
using Takt.Cli;
using Takt.Definitions;

namespace Takt.Tests.EndToEnd;

/// <summary>A fresh directory <c>$TMP/takt-e2e-&lt;guid&gt;</c>, removed on dispose.</summary>
internal sealed class E2EDirectory : IDisposable
{
    public E2EDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "takt-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
                return;
            }
            catch (IOException) { Thread.Sleep(200); }
            catch (UnauthorizedAccessException) { Thread.Sleep(200); }
        }
    }
}

/// <summary>What one in-process CLI invocation printed and returned.</summary>
internal sealed record CliResult(string[] Args, int ExitCode, string Stdout, string Stderr, string Console)
{
    public JsonElement Json
    {
        get
        {
            try { return JsonDocument.Parse(Stdout).RootElement.Clone(); }
            catch (JsonException e) { throw new InvalidOperationException($"stdout of `{string.Join(' ', Args)}` is not JSON ({e.Message}):\n{this}", e); }
        }
    }

    public override string ToString() =>
        $"takt {string.Join(' ', Args)} -> exit {ExitCode}\n--- console ---\n{Console}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Shared plumbing of the end-to-end tests: the Shop factory, its CLI, its landing data and its ledger.</summary>
internal static class E2E
{
    public static readonly string[] Datasets =
        ["raw.orders", "raw.users", "core.users", "core.orders", "mart.daily_revenue", "mart.signups_by_country", "mart.user_features", "serving.fraud_scores"];

    public static DateOnly Day(int day) => new(2026, 1, day);

    public static string Key(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static Factory ShopFactoryAt(string? baseDirectory = null) => ShopFactory.Build(baseDirectory ?? AppContext.BaseDirectory);

    public static string Landing(string home) => Path.Combine(home, "landing");

    /// <summary>Copies the Shop's SQL files under <paramref name="baseDirectory"/>, so a test can edit them like a developer.</summary>
    public static void CopySql(string baseDirectory)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "sql");
        foreach (var file in Directory.GetFiles(source, "*.sql", SearchOption.AllDirectories))
        {
            var target = Path.Combine(baseDirectory, "sql", Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>Writes deterministic Shop landing data for the days into <c>HOME/landing</c>.</summary>
    public static GenerateResult Generate(string home, DateOnly from, DateOnly to, string defects = "") =>
        LandingGenerator.Generate(Landing(home), from, to, DefectNames.ParseList(defects));

    /// <summary>Runs the Shop CLI in process with <c>--home HOME</c> appended.</summary>
    public static CliResult Cli(string home, params string[] args) => Cli(() => ShopFactoryAt(), home, args);

    public static CliResult Cli(Func<Factory> factory, string home, params string[] args) => Cli(factory, home, configure: null, args);

    /// <summary>Runs the Shop CLI in process with its context set up by <paramref name="configure"/> first.</summary>
    public static CliResult Cli(string home, Action<CliContext> configure, params string[] args) => Cli(() => ShopFactoryAt(), home, configure, args);

    private static CliResult Cli(Func<Factory> factory, string home, Action<CliContext>? configure, string[] args)
    {
        string[] all = [.. args, "--home", home];
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var consoleText = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(consoleText),
            Interactive = InteractionSupport.No,
            Ansi = AnsiSupport.No,
        });
        console.Profile.Width = 250;
        var exit = TaktCli.Run(factory, all, (root, context) =>
        {
            ShopCommands.Add(root, context);
            configure?.Invoke(context);
        }, console, stdout, stderr);
        return new CliResult(all, exit, stdout.ToString(), stderr.ToString(), consoleText.ToString());
    }

    /// <summary>Per dataset, how many entries of a JSON <c>tasks</c> array there are (optionally only with one status).</summary>
    public static SortedDictionary<string, int> CountByDataset(JsonElement tasks, string? status = null)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var task in tasks.EnumerateArray())
        {
            if (status is not null && task.GetProperty("status").GetString() != status) continue;
            var dataset = task.GetProperty("dataset").GetString()!;
            counts[dataset] = counts.GetValueOrDefault(dataset) + 1;
        }
        return counts;
    }

    public static SortedDictionary<string, int> Counts(params (string Dataset, int Count)[] counts) =>
        new(counts.ToDictionary(c => c.Dataset, c => c.Count), StringComparer.Ordinal);

    public static string Show(IReadOnlyDictionary<string, int> counts) =>
        "{" + string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value}")) + "}";
}

/// <summary>The rows of the ledger that the end-to-end tests check, read straight from <c>HOME/ledger.db</c>.</summary>
internal sealed class LedgerSnapshot
{
    public sealed record Box(string Env, string Dataset, long BoxNumber, string? CurrentVersion, string HeadVersion, string HeadStatus);

    /// <param name="Collected">gc freed its files.</param>
    public sealed record Version(string Id, string Dataset, long BoxNumber, string BoxKey, string Status, long Rows, bool Collected);

    public sealed record Task(string RunId, string Dataset, long BoxNumber, string BoxKey, string Status);

    public required IReadOnlyList<Box> Boxes { get; init; }
    public required IReadOnlyDictionary<string, Version> Versions { get; init; }
    public required IReadOnlyList<(string VersionId, string InputVersionId)> Lineage { get; init; }
    public required IReadOnlyList<Task> Tasks { get; init; }

    public static string PathOf(string home) => Path.Combine(home, "ledger.db");

    public static LedgerSnapshot Read(string home)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = PathOf(home),
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 60,
        }.ToString());
        connection.Open();
        List<T> Query<T>(string sql, Func<SqliteDataReader, T> read)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = sql;
            using var r = cmd.ExecuteReader();
            var rows = new List<T>();
            while (r.Read()) rows.Add(read(r));
            return rows;
        }

        return new LedgerSnapshot
        {
            Boxes = Query("SELECT env, dataset, box, current_version, head_version, head_status FROM boxes ORDER BY env, dataset, box",
                r => new Box(r.GetString(0), r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), r.GetString(5))),
            Versions = Query("SELECT id, dataset, box, box_key, status, rows, collected_at_ms IS NOT NULL FROM versions",
                r => new Version(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetInt64(5), r.GetBoolean(6))).ToDictionary(v => v.Id),
            Lineage = Support.LineageRows.Read(connection),
            Tasks = Query("SELECT run_id, dataset, box, box_key, status FROM tasks ORDER BY id",
                r => new Task(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4))),
        };
    }

    private static bool HasSchema(string home)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = PathOf(home), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'boxes'";
        return (long)cmd.ExecuteScalar()! > 0;
    }

    public Box? Find(string dataset, DateOnly day, string env = "prod") =>
        Boxes.FirstOrDefault(b => b.Env == env && b.Dataset == dataset && b.BoxNumber == day.DayNumber);

    /// <summary>(dataset, box key) -> current version id of every box of an environment that has one.</summary>
    public SortedDictionary<string, string> CurrentVersions(string env = "prod") => new(
        Boxes.Where(b => b.Env == env && b.CurrentVersion is not null)
            .ToDictionary(b => $"{b.Dataset}@{Versions.GetValueOrDefault(b.CurrentVersion!)?.BoxKey ?? b.BoxNumber.ToString()}", b => b.CurrentVersion!),
        StringComparer.Ordinal);

    /// <summary>
    /// The atomic-commit contract, checked from the outside: every version the ledger knows (and gc has not freed) has
    /// its Parquet file in the lake with the recorded row count, every pointer and head names a version that exists, and lineage names only
    /// versions that exist. A home without a ledger (killed before it was created) is trivially consistent.
    /// </summary>
    public static void AssertConsistent(string home, string context)
    {
        if (!File.Exists(PathOf(home)) || !HasSchema(home)) return; // killed before the first migration committed
        var ledger = Read(home);
        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        foreach (var version in ledger.Versions.Values.Where(v => !v.Collected))
        {
            var file = Path.Combine(home, "lake", version.Dataset, version.BoxKey, version.Id, "part-0.parquet");
            Assert.True(File.Exists(file), $"{context}: version {version.Id} of {version.Dataset}@{version.BoxKey} is in the ledger but {file} does not exist");
            using var cmd = duck.CreateCommand();
            cmd.CommandText = $"SELECT count(*) FROM read_parquet('{file.Replace("'", "''")}')";
            long rows;
            try { rows = Convert.ToInt64(cmd.ExecuteScalar()); }
            catch (DuckDBException e) { throw new Xunit.Sdk.XunitException($"{context}: {file} of version {version.Id} is not readable Parquet: {e.Message}"); }
            Assert.True(rows == version.Rows, $"{context}: {file} has {rows} rows, the ledger says {version.Rows}");
        }
        foreach (var box in ledger.Boxes)
        {
            var where = $"{context}: box {box.Env}/{box.Dataset}/{box.BoxNumber}";
            Assert.True(ledger.Versions.ContainsKey(box.HeadVersion), $"{where} has head version {box.HeadVersion}, which is not in the versions table");
            if (box.CurrentVersion is null)
            {
                Assert.True(box.HeadStatus == "quarantined", $"{where} has no current version but its head is '{box.HeadStatus}'");
                continue;
            }
            Assert.True(ledger.Versions.TryGetValue(box.CurrentVersion, out var current), $"{where} points at version {box.CurrentVersion}, which is not in the versions table");
            Assert.True(current!.Dataset == box.Dataset && current.BoxNumber == box.BoxNumber, $"{where} points at version {current.Id} of {current.Dataset}@{current.BoxKey}");
            Assert.True(current.Status is "committed" or "overridden", $"{where} points at version {current.Id} with status {current.Status}");
            Assert.False(current.Collected, $"{where} points at version {current.Id}, whose files gc freed");
        }
        foreach (var (versionId, input) in ledger.Lineage)
        {
            Assert.True(ledger.Versions.ContainsKey(versionId), $"{context}: lineage of unknown version {versionId}");
            Assert.True(ledger.Versions.ContainsKey(input), $"{context}: version {versionId} was made from {input}, which is not in the versions table");
        }
    }
}

/// <summary>The Shop program run as a child process: <c>dotnet Shop.dll ARGS</c>.</summary>
internal sealed class ShopProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ShopProcess(Process process) => _process = process;

    public static string ShopDll => Path.Combine(AppContext.BaseDirectory, "Shop.dll");

    public string Description { get; private init; } = "";

    public static ShopProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        Assert.True(File.Exists(ShopDll), $"{ShopDll} is missing: the test project must reference examples/Shop");
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(ShopDll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var name in new[] { "TAKT_CRASH_AT", "TAKT_CRASH_AFTER", "TAKT_HOME" }) info.Environment.Remove(name);
        info.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (environment is not null)
            foreach (var (name, value) in environment) info.Environment[name] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var shop = new ShopProcess(process)
        {
            Description = $"{(environment is null ? "" : string.Join(' ', environment.Select(e => $"{e.Key}={e.Value}")) + " ")}dotnet Shop.dll {string.Join(' ', args)}",
        };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (shop._output) shop._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (shop._output) shop._output.AppendLine("stderr: " + e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return shop;
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Waits for the exit code; fails the test (after killing the process) when it takes longer than <paramref name="timeout"/>.</summary>
    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new Xunit.Sdk.XunitException($"`{Description}` did not finish within {timeout.TotalSeconds:0} s. Output so far:\n{Output}");
        }
        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    /// <summary>SIGKILL to the process and its children, as <c>kill -9</c> would.</summary>
    public void Kill()
    {
        try { _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { /* already exited */ }
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }

    public static string DotnetHost()
    {
        var candidates = new[]
        {
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"),
            Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : null,
            Environment.GetEnvironmentVariable("DOTNET_ROOT") is { } root ? Path.Combine(root, "dotnet") : null,
        };
        return candidates.FirstOrDefault(c => c is not null && File.Exists(c)) ?? "dotnet";
    }
}
