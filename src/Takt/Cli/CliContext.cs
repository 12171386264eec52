using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using Takt.Composition;
using Takt.Definitions;
using Takt.Running;

namespace Takt.Cli;

/// <summary>Exit codes every Takt factory program uses.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int StoppedByCheck = 2;
    public const int ProcessingError = 3;
    public const int Usage = 64;
}

/// <summary>A mistake in how a command was called: printed as one line, exit code 64.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>The options every verb shares, and the workspace they select.</summary>
public sealed class CliContext
{
    internal CliContext(Func<Factory> factory, Func<IAnsiConsole> console, TextWriter stdout, TextWriter stderr, TaktSettings settings)
    {
        _factory = new Lazy<Factory>(factory);
        _console = new Lazy<IAnsiConsole>(console);
        Stdout = stdout;
        Stderr = stderr;
        Settings = settings;
    }

    private readonly Lazy<Factory> _factory;
    public Factory Factory => _factory.Value;
    private readonly Lazy<IAnsiConsole> _console;
    public IAnsiConsole Console => _console.Value;
    public TextWriter Stdout { get; }
    /// <summary>Where error lines go (<c>error: ...</c>), apart from what a verb prints.</summary>
    public TextWriter Stderr { get; }

    /// <summary>What the process environment configures (<c>TAKT_*</c>), read once; the command line's options go over it.</summary>
    public TaktSettings Settings { get; }

    /// <summary>
    /// How often a build whose output is not a terminal prints a progress line (<c>TAKT_PROGRESS_SECONDS</c>, 10 s by
    /// default); zero prints one at every finished task.
    /// </summary>
    public TimeSpan ProgressEvery
    {
        get => _progressEvery ??= ProgressEveryFromEnvironment();
        set => _progressEvery = value;
    }

    private TimeSpan? _progressEvery;

    private TimeSpan ProgressEveryFromEnvironment()
    {
        var text = Settings.ProgressSeconds;
        if (string.IsNullOrEmpty(text)) return TimeSpan.FromSeconds(10);
        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && seconds < 86400
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException($"TAKT_PROGRESS_SECONDS must be a number of seconds from 0 to 86400, not '{text}'.");
    }

    /// <summary>Lets a factory program register backends of its own (<see cref="WorkspaceBuilder.AddLedger"/>, <see cref="WorkspaceBuilder.AddLake"/>) for every verb.</summary>
    public Action<WorkspaceBuilder>? ConfigureWorkspaces { get; set; }

    /// <summary>Runs after a build's arguments are validated and before it starts (the example uses it to generate data on first run).</summary>
    public Action<ParseResult>? BeforeBuild { get; set; }

    public Option<string?> Home { get; } = new("--home") { Description = "Directory holding ledger, lake and landing zone (default: $TAKT_HOME or ./.takt)", Recursive = true };
    public Option<string?> Ledger { get; } = new("--ledger") { Description = "The ledger: sqlite:///PATH or a path (default: $TAKT_LEDGER or HOME/ledger.db)", Recursive = true };
    public Option<string?> Lake { get; } = new("--lake") { Description = "The lake: file:///PATH or a path (default: $TAKT_LAKE or HOME/lake)", Recursive = true };
    public Option<string?> Landing { get; } = new("--landing") { Description = "The landing zone: file:///PATH or a path (default: $TAKT_LANDING or HOME/landing)", Recursive = true };
    public Option<string?> Executor { get; } = new("--executor") { Description = "What runs tasks: local, threads of this process (default: $TAKT_EXECUTOR or local)", Recursive = true };
    public Option<bool> Json { get; } = new("--json") { Description = "Print JSON for scripts instead of human output", Recursive = true };
    public Option<string?> Env { get; } = new("--env") { Description = "Environment: a named set of pointers over the shared lake (default: $TAKT_ENV or prod)", Recursive = true };
    public Option<int?> Parallelism { get; } = new("--parallelism", "-j") { Description = "Tasks computing in DuckDB at once; twice as many are in flight (default: number of cores)", Recursive = true };

    /// <summary>
    /// The composition root of this command: the stores and the environment the process environment configures, with
    /// the command line's options over them.
    /// </summary>
    public WorkspaceBuilder Workspaces(ParseResult parse)
    {
        var builder = WorkspaceBuilder.FromEnvironment(Settings);
        ConfigureWorkspaces?.Invoke(builder);
        if (parse.GetValue(Home) is { } home) builder.Home(home);
        if (parse.GetValue(Ledger) is { } ledger) builder.Ledger(ledger);
        if (parse.GetValue(Lake) is { } lake) builder.Lake(lake);
        if (parse.GetValue(Landing) is { } landing) builder.Landing(landing);
        if (parse.GetValue(Executor) is { } executor) builder.Executor(executor);
        return builder.Environment(EnvironmentName(parse));
    }

    public string HomeDirectory(ParseResult parse) => Workspaces(parse).HomeDirectory;

    /// <summary>The landing zone's directory, for verbs that write into it (the example's <c>generate</c>).</summary>
    public string LandingDirectory(ParseResult parse) => Workspaces(parse).LandingAddress is { Scheme: "file" } landing
        ? landing.Path
        : throw new UsageException("--landing / TAKT_LANDING: this verb needs a local directory (file:///PATH or a path).");

    public string EnvironmentName(ParseResult parse)
    {
        var env = parse.GetValue(Env) ?? Settings.Env ?? "prod";
        return Names.IsEnvironmentName(env) ? env : throw new UsageException($"'{env}' is not an environment name ({Names.EnvironmentRule}).");
    }

    /// <summary>Whether <c>--env</c> or <c>TAKT_ENV</c> names an environment (rather than the default).</summary>
    public bool EnvironmentGiven(ParseResult parse) => parse.GetValue(Env) is not null || Settings.Env is not null;

    /// <param name="mustExist">False for verbs that create the environment (build, ingest) or only look ahead (plan).</param>
    public Workspace OpenWorkspace(ParseResult parse, bool mustExist = true)
    {
        var ws = Workspaces(parse).Open(Factory);
        var env = ws.Env;
        _ledgers.Add(ws.Ledger);
        if (mustExist && !ws.Ledger.EnvironmentExists(env))
        {
            var known = string.Join(", ", ws.Ledger.Environments());
            ws.Dispose();
            throw new UsageException($"unknown environment '{env}' (known: {known}); `build --env {env}` creates it.");
        }
        return ws;
    }

    private readonly List<Ledger.ILedger> _ledgers = [];

    /// <summary>The first write failure a ledger of this command reported in the background: the cause of whatever failed after it.</summary>
    internal Ledger.LedgerFaultException? LedgerFault => _ledgers.Select(l => l.Faults.First).FirstOrDefault(f => f is not null);

    public RunOptions RunOptions(ParseResult parse)
    {
        var parallelism = parse.GetValue(Parallelism);
        if (parallelism is < 1) throw new UsageException($"--parallelism must be at least 1, not {parallelism}.");
        return new RunOptions { Parallelism = parallelism ?? Environment.ProcessorCount };
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public void WriteJson(object value) => Stdout.WriteLine(JsonSerializer.Serialize(value, JsonOptions));
}
