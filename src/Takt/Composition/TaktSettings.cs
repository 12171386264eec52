namespace Takt.Composition;

/// <summary>
/// The configuration a Takt process reads from its environment, in one place: what the command line does not say comes
/// from these variables, and what they do not say from the defaults. Nothing else in Takt reads environment variables
/// for configuration (test hooks such as <c>TAKT_CRASH_AT</c> aside).
/// </summary>
public sealed record TaktSettings
{
    /// <summary><c>TAKT_HOME</c>: the directory holding ledger, lake and landing zone by default.</summary>
    public string? Home { get; init; }
    /// <summary><c>TAKT_LEDGER</c>: a URI (<c>sqlite:///path</c>) or a path; default <c>HOME/ledger.db</c>.</summary>
    public string? Ledger { get; init; }
    /// <summary><c>TAKT_LAKE</c>: a URI (<c>file:///path</c>) or a path; default <c>HOME/lake</c>.</summary>
    public string? Lake { get; init; }
    /// <summary><c>TAKT_LANDING</c>: a URI (<c>file:///path</c>) or a path; default <c>HOME/landing</c>.</summary>
    public string? Landing { get; init; }
    /// <summary><c>TAKT_EXECUTOR</c>: what runs tasks; default <c>local</c> (threads of this process).</summary>
    public string? Executor { get; init; }
    /// <summary><c>TAKT_ENV</c>: the environment; default <c>prod</c>.</summary>
    public string? Env { get; init; }
    /// <summary><c>TAKT_OPENLINEAGE_URL</c>: where OpenLineage events are posted; default the file <c>HOME/openlineage/events.jsonl</c>.</summary>
    public string? OpenLineageUrl { get; init; }
    /// <summary><c>TAKT_OTEL_EXPORTER</c>: <c>otlp</c>, <c>console</c> or <c>none</c> (default).</summary>
    public string? OtelExporter { get; init; }
    /// <summary><c>TAKT_PROGRESS_SECONDS</c>: how often a build not on a terminal prints a progress line (checked by the CLI).</summary>
    public string? ProgressSeconds { get; init; }
    /// <summary><c>TAKT_TOKEN</c>: the token every request to <c>serve</c> must carry.</summary>
    public string? ServeToken { get; init; }
    /// <summary>Variables the factory names itself, e.g. the one holding a PostgreSQL publish target's connection string.</summary>
    public Func<string, string?> Variable { get; init; } = _ => null;

    /// <summary>Reads the process environment (or <paramref name="variables"/>, for tests and embedding programs).</summary>
    public static TaktSettings FromEnvironment(Func<string, string?>? variables = null)
    {
        var get = variables ?? Environment.GetEnvironmentVariable;
        string? Read(string name) => get(name) is { Length: > 0 } value ? value : null;
        return new TaktSettings
        {
            Home = Read("TAKT_HOME"),
            Ledger = Read("TAKT_LEDGER"),
            Lake = Read("TAKT_LAKE"),
            Landing = Read("TAKT_LANDING"),
            Executor = Read("TAKT_EXECUTOR"),
            Env = Read("TAKT_ENV"),
            OpenLineageUrl = Read("TAKT_OPENLINEAGE_URL"),
            OtelExporter = Read("TAKT_OTEL_EXPORTER"),
            ServeToken = Read("TAKT_TOKEN"),
            ProgressSeconds = Read("TAKT_PROGRESS_SECONDS"),
            Variable = get,
        };
    }
}
