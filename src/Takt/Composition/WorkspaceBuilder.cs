using Takt.Definitions;
using Takt.Lake;
using Takt.Landing;
using Takt.Ledger;
using Takt.Ledger.Sqlite;
using Takt.Running;
using Takt.Storage;
using Takt.Telemetry;

namespace Takt.Composition;

/// <summary>
/// The one place where Takt's backends are chosen: ledger, lake and landing zone from their addresses (a URI or a
/// path), with the embedded defaults under the home directory: a SQLite ledger at <c>HOME/ledger.db</c>, a local lake
/// at <c>HOME/lake</c> and a landing directory at <c>HOME/landing</c>; and the executor that runs tasks (<c>local</c>:
/// threads of this process). The CLI, the server and the tests open their workspaces here.
/// <code>
/// using var ws = WorkspaceBuilder.At(home).Ledger("sqlite:///var/takt/ledger.db").Environment("dev-alice").Open(factory);
/// </code>
/// A second backend is one more scheme: <see cref="AddLedger"/>, <see cref="AddLake"/> or <see cref="AddLanding"/> with
/// how to open it and which of its exceptions are storage errors.
/// </summary>
public sealed class WorkspaceBuilder
{
    private readonly Dictionary<string, Backend<ILedger>> _ledgers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Backend<ILake>> _lakes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Backend<ILandingZone>> _landings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ITaskExecutor> _executors = new(StringComparer.Ordinal) { [LocalExecutor.Instance.Name] = LocalExecutor.Instance };
    private string? _home, _ledger, _lake, _landing, _executor, _lineageUrl;
    private string _env = "prod";
    private TimeProvider _clock = TimeProvider.System;
    private Func<string, string?> _variable = System.Environment.GetEnvironmentVariable;

    /// <summary>How to open a store of one scheme, and which exceptions of its are storage errors (named by the store then).</summary>
    private sealed record Backend<T>(Func<StoreAddress, TimeProvider, T> Open, Func<Exception, string?> StorageError);

    public WorkspaceBuilder()
    {
        AddLedger("sqlite", (address, clock) => new SqliteLedger(address.Path, clock),
            e => e is Microsoft.Data.Sqlite.SqliteException ? LedgerFaults.Cause(e) : null);
        AddLake("file", address => new LocalLake(address.Path), _ => null);
        AddLanding("file", address => new LocalLandingZone(address.Path), _ => null);
    }

    /// <summary>A builder for the home directory <paramref name="home"/>, with every other store at its default.</summary>
    public static WorkspaceBuilder At(string home) => new WorkspaceBuilder().Home(home);

    /// <summary>The defaults of a process: its environment variables (<see cref="TaktSettings"/>), home <c>./.takt</c> unless they name one.</summary>
    public static WorkspaceBuilder FromEnvironment(TaktSettings? settings = null) =>
        new WorkspaceBuilder().Home(Path.Combine(System.Environment.CurrentDirectory, ".takt")).With(settings ?? TaktSettings.FromEnvironment());

    /// <summary>Takes what <paramref name="settings"/> says; what they leave unsaid stays as it is.</summary>
    public WorkspaceBuilder With(TaktSettings settings)
    {
        if (settings.Home is { } home) Home(home);
        if (settings.Ledger is { } ledger) Ledger(ledger);
        if (settings.Lake is { } lake) Lake(lake);
        if (settings.Landing is { } landing) Landing(landing);
        if (settings.Executor is { } executor) Executor(executor);
        if (settings.Env is { } env) Environment(env);
        if (settings.OpenLineageUrl is { } url) Lineage(url);
        _variable = settings.Variable;
        return this;
    }

    public string HomeDirectory => _home ?? throw new InvalidOperationException("The workspace has no home directory: call Home(...) first.");
    public string EnvironmentName => _env;

    public WorkspaceBuilder Home(string directory) { _home = Path.GetFullPath(directory); return this; }
    /// <summary><c>--ledger</c> / <c>TAKT_LEDGER</c>: <c>sqlite:///path</c> or a path (SQLite).</summary>
    public WorkspaceBuilder Ledger(string? address) { _ledger = address; return this; }
    /// <summary><c>--lake</c> / <c>TAKT_LAKE</c>: <c>file:///path</c> or a path (a local directory).</summary>
    public WorkspaceBuilder Lake(string? address) { _lake = address; return this; }
    /// <summary><c>--landing</c> / <c>TAKT_LANDING</c>: <c>file:///path</c> or a path (a local directory).</summary>
    public WorkspaceBuilder Landing(string? address) { _landing = address; return this; }
    /// <summary><c>--executor</c> / <c>TAKT_EXECUTOR</c>: what runs tasks; <c>local</c> (the default) runs them on threads of this process.</summary>
    public WorkspaceBuilder Executor(string? name) { _executor = name; return this; }
    public WorkspaceBuilder Environment(string env) { _env = env; return this; }
    public WorkspaceBuilder Clock(TimeProvider? clock) { _clock = clock ?? TimeProvider.System; return this; }
    /// <summary>Where OpenLineage events go: an http(s) endpoint, or (null) the file <c>HOME/openlineage/events.jsonl</c>.</summary>
    public WorkspaceBuilder Lineage(string? url) { _lineageUrl = url; return this; }

    public WorkspaceBuilder AddLedger(string scheme, Func<StoreAddress, TimeProvider, ILedger> open, Func<Exception, string?> storageError)
    {
        _ledgers[scheme] = new Backend<ILedger>(open, storageError);
        return this;
    }

    public WorkspaceBuilder AddLake(string scheme, Func<StoreAddress, ILake> open, Func<Exception, string?> storageError)
    {
        _lakes[scheme] = new Backend<ILake>((address, _) => open(address), storageError);
        return this;
    }

    public WorkspaceBuilder AddLanding(string scheme, Func<StoreAddress, ILandingZone> open, Func<Exception, string?> storageError)
    {
        _landings[scheme] = new Backend<ILandingZone>((address, _) => open(address), storageError);
        return this;
    }

    /// <summary>The ledger's address as given or by default; throws for a scheme no backend is registered for.</summary>
    public StoreAddress LedgerAddress => Resolve("--ledger", "TAKT_LEDGER", _ledger, "ledger.db", "sqlite", _ledgers.Keys);
    public StoreAddress LakeAddress => Resolve("--lake", "TAKT_LAKE", _lake, "lake", "file", _lakes.Keys);
    public StoreAddress LandingAddress => Resolve("--landing", "TAKT_LANDING", _landing, "landing", "file", _landings.Keys);

    /// <summary>The executor's name as given (<c>local</c> or <c>local:</c>) or by default; throws for one this builder does not know.</summary>
    public string ExecutorName => ResolveExecutor().Name;

    private ITaskExecutor ResolveExecutor()
    {
        var name = (_executor ?? LocalExecutor.Instance.Name).Split(':', 2)[0].Trim().ToLowerInvariant();
        return _executors.GetValueOrDefault(name) ?? throw new ArgumentException(
            $"--executor / TAKT_EXECUTOR: unknown executor '{_executor}' (known: {string.Join(", ", _executors.Keys.Order(StringComparer.Ordinal))}).");
    }

    /// <summary>Opens the stores (creating the home directory and empty stores where there are none).</summary>
    /// <exception cref="ArgumentException">An address has a scheme no backend is registered for (a usage error).</exception>
    /// <exception cref="StorageException">A store cannot be opened.</exception>
    public Workspace Open(Factory factory)
    {
        var (ledgerAddress, lakeAddress, landingAddress, executor) = (LedgerAddress, LakeAddress, LandingAddress, ResolveExecutor());
        Open("home", HomeDirectory, () => Directory.CreateDirectory(HomeDirectory), _ => null);
        var landingBackend = _landings[landingAddress.Scheme];
        var landing = Open("landing zone", landingAddress.ToString(), landingBackend, landingAddress);
        var ledgerBackend = _ledgers[ledgerAddress.Scheme];
        var ledger = Open(StorageException.Ledger, ledgerAddress.ToString(), ledgerBackend, ledgerAddress);
        try
        {
            var lakeBackend = _lakes[lakeAddress.Scheme];
            var lake = Open("lake", lakeAddress.ToString(), lakeBackend, lakeAddress);
            return new Workspace(factory, ledger, lake, HomeDirectory, landing, _env, _clock)
            {
                Executor = executor,
                Lineage = Uri.TryCreate(_lineageUrl, UriKind.Absolute, out var url)
                    ? new HttpLineageSink(url)
                    : new FileLineageSink(Path.Combine(HomeDirectory, "openlineage", "events.jsonl")),
                Variable = _variable,
            };
        }
        catch
        {
            ledger.Dispose();
            throw;
        }
    }

    /// <summary>Opens a store, behind its interface such that the errors its backend declares leave it as <see cref="StorageException"/>.</summary>
    private T Open<T>(string store, string where, Backend<T> backend, StoreAddress address) where T : class =>
        StorageErrors<T>.Wrap(Open(store, where, () => backend.Open(address, _clock), backend.StorageError), store, where, backend.StorageError);

    private static T Open<T>(string store, string where, Func<T> open, Func<Exception, string?> storageError)
    {
        try { return open(); }
        catch (Exception e) when (e is StorageException or LedgerFaultException) { throw; }
        catch (Exception e) when (storageError(e) is { } cause) { throw new StorageException(store, $"cannot open the {store} {where}: {cause}", e); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException(store, $"cannot open the {store} {where}: {LedgerFaults.Cause(e)}", e);
        }
    }

    private StoreAddress Resolve(string option, string variable, string? given, string defaultName, string defaultScheme, IEnumerable<string> known)
    {
        var address = given is null
            ? new StoreAddress(defaultScheme, Path.Combine(HomeDirectory, defaultName), Path.Combine(HomeDirectory, defaultName))
            : StoreAddress.Parse(given, defaultScheme);
        if (!known.Contains(address.Scheme))
            throw new ArgumentException($"{option} / {variable}: unknown scheme '{address.Scheme}' in '{address.Text}' (known: {string.Join(", ", known.Order(StringComparer.Ordinal))}; or a plain path).");
        return address;
    }
}
