using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Spectre.Console;
using Takt.Cli;

namespace Takt.Tests.Invariants;

/// <summary>What one CLI invocation printed and returned.</summary>
internal sealed record CliRun(string Command, int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json
    {
        get
        {
            try { return JsonDocument.Parse(Stdout).RootElement.Clone(); }
            catch (JsonException e) { throw new HarnessException($"stdout of `{Command}` is not JSON ({e.Message}):\n{this}"); }
        }
    }

    public override string ToString() => $"`{Command}` -> exit {ExitCode}\nstdout: {Clip(Stdout)}\nstderr: {Clip(Stderr)}";

    private static string Clip(string text) => text.Length <= 3000 ? text : text[..3000] + $"... ({text.Length} chars)";
}

/// <summary>A problem of the harness itself (not of Takt): it stops the history without claiming a violation.</summary>
internal sealed class HarnessException(string message) : Exception(message);

/// <summary>A child process running a subject's factory program; killed with SIGKILL, as <c>kill -9</c> would.</summary>
internal sealed class ChildRun : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    public ChildRun(ChildProgram program, string variant, IReadOnlyList<string> args)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(program.Dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var name in new[] { "TAKT_CRASH_AT", "TAKT_CRASH_AFTER", "TAKT_HOME", "TAKT_ENV" }) info.Environment.Remove(name);
        info.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["COLUMNS"] = "250";
        foreach (var (name, value) in program.Environment) info.Environment[name] = value;
        Command = $"{string.Join(' ', program.Environment.Select(e => $"{e.Key}={e.Value}"))} dotnet {Path.GetFileName(program.Dll)} {string.Join(' ', args)}".Trim();
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_stdout) _stdout.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Command { get; }

    /// <summary>Waits at most <paramref name="delay"/>, then kills the process if it still runs; returns whether it was killed.</summary>
    public bool KillAfter(TimeSpan delay)
    {
        if (_process.WaitForExit(delay)) return false;
        try { _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { return false; }
        _process.WaitForExit();
        return true;
    }

    public CliRun Wait(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            KillAfter(TimeSpan.Zero);
            throw new HarnessException($"`{Command}` did not finish within {timeout.TotalSeconds:0} s:\n{Output()}");
        }
        _process.WaitForExit(); // drains the redirected output
        lock (_stdout) lock (_stderr) return new CliRun(Command, _process.ExitCode, _stdout.ToString(), _stderr.ToString());
    }

    public string Output()
    {
        lock (_stdout) lock (_stderr) return _stdout + "\n" + _stderr;
    }

    public void Dispose()
    {
        if (!_process.HasExited) KillAfter(TimeSpan.Zero);
        _process.Dispose();
    }

    private static string DotnetHost()
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

/// <summary>A home of the system under test (or of the oracle): its CLI in process or as child processes, and its ledger read directly.</summary>
internal sealed class SutHome(ISubject subject, string home)
{
    public ISubject Subject { get; } = subject;
    public string Home { get; } = home;
    public string Landing => Path.Combine(Home, "landing");
    public string LedgerPath => Path.Combine(Home, "ledger.db");
    public string Staging => Path.Combine(Home, "lake", "_staging");
    public string PublishedPath => Path.Combine(Home, Subject.PublishedDatabase);

    /// <summary>The exit code reported for an in-process run that threw out of TaktCli.Run (a crash with a stack trace).</summary>
    public const int CrashedExitCode = -1;

    public CliRun Cli(string variant, params string[] args)
    {
        string[] all = [.. args, "--home", Home];
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(new StringWriter()),
            Interactive = InteractionSupport.No,
            Ansi = AnsiSupport.No,
        });
        console.Profile.Width = 250;
        var factory = Subject.Factory(variant);
        int exit;
        try { exit = TaktCli.Run(() => factory, all, null, console, stdout, stderr); }
        catch (Exception e)
        {
            // A factory program would die here with a stack trace and no documented exit code: report it as such.
            return new CliRun(Describe(variant, all), CrashedExitCode, stdout.ToString(), $"{stderr}\nunhandled {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
        return new CliRun(Describe(variant, all), exit, stdout.ToString(), stderr.ToString());
    }

    public ChildRun Start(string variant, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var program = Subject.Child(variant) ?? throw new HarnessException($"{Subject.Name} cannot run variant '{variant}' as a child process");
        if (environment is not null) program = program with { Environment = program.Environment.Concat(environment).ToDictionary() };
        return new ChildRun(program, variant, [.. args, "--home", Home]);
    }

    private string Describe(string variant, string[] args) =>
        $"{(variant == "" ? "" : $"[code variant {variant}] ")}{Subject.Name} {string.Join(' ', args)}";

    public SqliteConnection OpenLedger()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = LedgerPath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = 60,
        }.ToString());
        connection.Open();
        return connection;
    }

    public bool HasLedger()
    {
        if (!File.Exists(LedgerPath)) return false;
        using var connection = OpenLedger();
        return Query(connection, "SELECT count(*) FROM sqlite_master WHERE name = 'boxes'", r => r.GetInt64(0))[0] > 0;
    }

    public static List<T> Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> read, params (string Name, object Value)[] parameters)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        using var reader = cmd.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }

    public LedgerState ReadLedger()
    {
        if (!HasLedger()) return LedgerState.Empty;
        using var c = OpenLedger();
        return new LedgerState(
            Query(c, "SELECT env, dataset, box, current_version, head_version, head_status FROM boxes",
                r => new BoxRow(r.GetString(0), r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), r.GetString(5))),
            Query(c, "SELECT id, dataset, box, box_key, status, rows, collected_at_ms IS NOT NULL, lost_at_ms IS NOT NULL, collecting_run IS NOT NULL FROM versions",
                r => new VersionRow(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4), r.GetInt64(5), r.GetBoolean(6), r.GetBoolean(7), r.GetBoolean(8)))
                .ToDictionary(v => v.Id),
            Support.LineageRows.Read(c),
            Query(c, "SELECT dataset, target, copy, env, versions_json, live, dropped_at_ms IS NOT NULL FROM publications",
                r => new PublicationRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
                    JsonSerializer.Deserialize<string[]>(r.GetString(4))!, r.GetInt64(5) != 0, r.GetBoolean(6))),
            Query(c, "SELECT name FROM environments", r => r.GetString(0)));
    }
}

internal sealed record BoxRow(string Env, string Dataset, long Box, string? Current, string Head, string HeadStatus);

/// <param name="Lost">The ledger knows its files are missing or damaged (verify or a reader found it).</param>
/// <param name="Collecting">A gc run is deleting its files (a killed gc leaves it so until the next finishes it).</param>
internal sealed record VersionRow(string Id, string Dataset, long Box, string BoxKey, string Status, long Rows, bool Collected, bool Lost = false, bool Collecting = false)
{
    /// <summary>Whether the ledger says the version's files are all there.</summary>
    public bool Intact => !Collected && !Lost && !Collecting;
}

internal sealed record PublicationRow(string Dataset, string Target, string Copy, string Env, IReadOnlyList<string> Versions, bool Live, bool Dropped);

/// <summary>The ledger rows the invariants are checked against.</summary>
internal sealed record LedgerState(
    IReadOnlyList<BoxRow> Boxes,
    IReadOnlyDictionary<string, VersionRow> Versions,
    IReadOnlyList<(string Version, string Input)> Lineage,
    IReadOnlyList<PublicationRow> Publications,
    IReadOnlyList<string> Environments)
{
    public static LedgerState Empty { get; } = new([], new Dictionary<string, VersionRow>(), [], [], []);

    /// <summary>(dataset, box) -> current version id of an environment.</summary>
    public Dictionary<(string Dataset, long Box), string> Pointers(string env) =>
        Boxes.Where(b => b.Env == env && b.Current is not null).ToDictionary(b => (b.Dataset, b.Box), b => b.Current!);

    public PublicationRow? Live(string dataset) => Publications.FirstOrDefault(p => p.Dataset == dataset && p.Live);
}
