using DuckDB.NET.Data;
using DuckDB.NET.Native;
using Takt.Boxes;
using Takt.Definitions;

namespace Takt.Engine;

/// <summary>A statement DuckDB refused or failed; the message is DuckDB's, <see cref="Kind"/> its class of error (binder, parser, I/O, ...).</summary>
public sealed class EngineException(string message, DuckDBErrorType kind, Exception? inner = null) : Exception(message, inner)
{
    public DuckDBErrorType Kind { get; } = kind;
}

/// <summary>
/// One in-process DuckDB database used by one task at a time. Views made for a task are dropped before the next
/// statement that is not itself a view of the next task (in the same round trip as that view), and the box variables a
/// task set are reset the same way, so a task's SQL never sees another task's inputs or box. A statement that fails
/// throws <see cref="EngineException"/>.
/// </summary>
public sealed class DuckDbSession : IDisposable
{
    private readonly DuckDBConnection _connection;
    private readonly List<string> _views = [];
    private readonly HashSet<string> _staleViews = [];
    private readonly HashSet<string> _schemas = [];
    private string _boxSettings = ""; // this task's box, set before its first statement that reads a variable
    private bool _boxLive; // a task's box values are in the session's variables
    private bool _boxStale; // ... and they are a finished task's: reset them before a statement that reads a variable
    private readonly int _allThreads;
    private int _threads;

    internal DuckDbSession()
    {
        _connection = new DuckDBConnection("DataSource=:memory:");
        _connection.Open();
        // Lake files never change once written, so their Parquet footers can be cached: a task's views, its COPY and
        // the read-back of its output then parse each footer once instead of once per statement.
        Execute("SET TimeZone = 'UTC'; SET parquet_metadata_cache = true");
        _allThreads = _threads = Scalar<int>("SELECT current_setting('threads')");
    }

    private DuckDbSession(DuckDBConnection connection)
    {
        _connection = connection;
        if (_connection.State != System.Data.ConnectionState.Open) _connection.Open();
        Execute("SET TimeZone = 'UTC'");
        _allThreads = _threads = Scalar<int>("SELECT current_setting('threads')");
    }

    /// <summary>
    /// Another connection to this session's database, for statements run beside this one's on another thread: it sees
    /// the database's tables (not this connection's temporary ones). The caller disposes it.
    /// </summary>
    internal DuckDbSession Beside() => new(_connection.Duplicate());

    /// <summary>
    /// Small work runs on the calling thread alone: DuckDB otherwise hands even a one-row query to its worker threads,
    /// and waking them costs a trivial task more than the query. Other work gets every thread DuckDB would use.
    /// </summary>
    internal void SizeFor(bool smallWork)
    {
        var threads = smallWork ? 1 : _allThreads;
        if (threads == _threads) return;
        Execute($"SET threads = {threads}");
        _threads = threads;
    }

    internal DuckDBConnection Connection => _connection;

    /// <summary>Runs statements that return no rows; returns the rows the last one changed.</summary>
    public long Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        if (parameters.Length == 0) return Run(sql);
        return Guarded(() =>
        {
            using var cmd = Command(sql, parameters);
            return cmd.ExecuteNonQuery();
        });
    }

    public T? Scalar<T>(string sql, params (string Name, object? Value)[] parameters) => Guarded(() =>
    {
        using var cmd = Command(sql, parameters);
        var value = cmd.ExecuteScalar();
        if (value is null or DBNull) return default;
        if (value is System.Numerics.BigInteger big) value = (decimal)big;
        return (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    });

    public List<object?[]> Rows(string sql, params (string Name, object? Value)[] parameters) => Guarded(() =>
    {
        using var cmd = Command(sql, parameters);
        using var reader = cmd.ExecuteReader();
        return reader.ReadAll();
    });

    /// <summary>
    /// Runs statements without a prepared statement, after dropping the last task's views (and setting or resetting box
    /// variables, when the statements read one) in the same round trip.
    /// DuckDB.NET prepares every statement and DuckDB then binds a prepared view or COPY a second time when it executes
    /// it; for a small task, binding (which opens the Parquet files) is most of the work.
    /// </summary>
    private long Run(string sql)
    {
        var prelude = Prelude(sql);
        try { return Query(prelude + sql); }
        catch (EngineException) when (prelude.Length > 0)
        {
            // DuckDB parses a round trip whole before it runs any of it: SQL that does not parse takes the prelude down
            // with it, and what the last task left must still go.
            Query(prelude);
            throw;
        }
    }

    private long Query(string sql)
    {
        var state = NativeMethods.Query.DuckDBQuery(_connection.NativeConnection, sql, out var result);
        try
        {
            if (state != DuckDBState.Success)
                throw new EngineException(NativeMethods.Query.DuckDBResultError(ref result), NativeMethods.Query.DuckDBResultErrorType(ref result));
            return NativeMethods.Query.DuckDBRowsChanged(ref result);
        }
        finally
        {
            NativeMethods.Query.DuckDBDestroyResult(ref result);
        }
    }

    private static T Guarded<T>(Func<T> statement)
    {
        try { return statement(); }
        catch (DuckDBException e) { throw new EngineException(e.Message, e.ErrorType, e); }
    }

    /// <summary>A command for streaming a result; it runs and fails as DuckDB.NET does (<see cref="DuckDBException"/>).</summary>
    internal DuckDBCommand Command(string sql, params (string Name, object? Value)[] parameters)
    {
        if (Prelude(sql) is { Length: > 0 } prelude) Query(prelude);
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters) cmd.Parameters.Add(new DuckDBParameter(name, value ?? DBNull.Value));
        return cmd;
    }

    /// <summary>
    /// The box the next statements compute, as DuckDB variables a transform's SQL reads with <c>getvariable</c>
    /// (see <see cref="BoxVariables"/>). They are set in the same round trip as the task's first statement that reads a
    /// variable, and a finished task's are reset before the next statement that reads one. A statement can read a
    /// variable only through <c>getvariable</c> in its text (Takt's own views read none), so statements without it skip
    /// the eight SET and RESET statements, about a fifth of a trivial task's DuckDB time.
    /// </summary>
    internal void SetBox(Grain grain, long box)
    {
        var start = grain == Grain.Unpartitioned ? "'-infinity'" : Timestamp(GrainMath.Start(grain, box));
        var end = GrainMath.End(grain, box) is { } e ? Timestamp(e) : "'infinity'";
        _boxSettings = $"SET VARIABLE {BoxVariables.Start} = CAST({start} AS TIMESTAMP); SET VARIABLE {BoxVariables.End} = CAST({end} AS TIMESTAMP); " +
                       $"SET VARIABLE {BoxVariables.Key} = {SqlText.Literal(GrainMath.Format(grain, box))}; " +
                       $"SET VARIABLE {BoxVariables.Grain} = {SqlText.Literal(GrainMath.Describe(grain))}; ";
    }

    private static bool ReadsVariables(string sql) => sql.Contains("getvariable", StringComparison.OrdinalIgnoreCase);

    private static string Timestamp(DateTime utc) => SqlText.Literal(utc.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));

    private static readonly string ResetBox = string.Concat(BoxVariables.All.Select(name => $"RESET VARIABLE {name}; "));

    /// <summary>Exposes Parquet files as a view named after a dataset, e.g. <c>core.orders</c>.</summary>
    /// <param name="oneSchema">The caller knows (from the ledger) that all files have the same columns and types.</param>
    public void CreateDatasetView(string dataset, IReadOnlyList<string> files, Schema schema, bool oneSchema = false)
    {
        var schemaName = SqlText.Identifier(dataset[..dataset.IndexOf('.')]);
        if (!_schemas.Contains(schemaName)) // schemas outlive a task's views: create each once per session
        {
            Execute($"CREATE SCHEMA IF NOT EXISTS {schemaName}");
            _schemas.Add(schemaName);
        }
        CreateView(SqlText.DatasetName(dataset), files, schema, oneSchema);
    }

    /// <summary>
    /// Exposes Parquet files as a view with a plain name. Several files (e.g. a window of boxes written by different
    /// code versions) are matched by column name, unless <paramref name="oneSchema"/> says they all have the same
    /// columns: matching reads every file's footer when the view is made and again in each query using it, while
    /// files of one schema are bound from the first file alone. A single file is read as it is.
    /// </summary>
    public void CreateView(string quotedName, IReadOnlyList<string> files, Schema schema, bool oneSchema = false)
    {
        var body = files.Count switch
        {
            0 => EmptyRelation(schema),
            1 => $"SELECT * FROM read_parquet({SqlText.Literal(files[0])})",
            _ when oneSchema => $"SELECT * FROM read_parquet({SqlText.FileList(files)})",
            _ => $"SELECT * FROM read_parquet({SqlText.FileList(files)}, union_by_name = true)",
        };
        _staleViews.Remove(quotedName); // replaced below
        Run($"CREATE OR REPLACE VIEW {quotedName} AS {body}");
        _views.Add(quotedName);
    }

    private static string EmptyRelation(Schema schema) => schema.IsDeclared
        ? "SELECT " + string.Join(", ", schema.Columns.Select(c => $"CAST(NULL AS {c.Type.SqlName}) AS {SqlText.Identifier(c.Name)}")) + " WHERE false"
        : "SELECT NULL AS no_rows WHERE false";

    /// <summary>Writes the result of a query to a Parquet file and returns the number of rows written.</summary>
    public long CopyToParquet(string query, string path, params (string Name, object? Value)[] parameters) =>
        Execute($"COPY ({query}) TO {SqlText.Literal(path)} (FORMAT parquet, COMPRESSION zstd)", parameters);

    /// <summary>Column names and DuckDB types of a relation or query.</summary>
    public IReadOnlyList<(string Name, string Type)> Describe(string query) => Guarded(() =>
    {
        using var cmd = Command($"DESCRIBE {query}");
        using var reader = cmd.ExecuteReader();
        var columns = new List<(string, string)>();
        while (reader.Read()) columns.Add((reader.GetString(0), reader.GetString(1)));
        return columns;
    });

    /// <summary>Marks what the last task made for dropping, so the database can serve the next one.</summary>
    internal void Reset()
    {
        _staleViews.UnionWith(_views);
        _views.Clear();
        _boxSettings = "";
        _boxStale = _boxLive;
    }

    /// <summary>What the last task left to undo and what this one set up, to run before <paramref name="sql"/>.</summary>
    private string Prelude(string sql)
    {
        var prelude = string.Concat(_staleViews.Select(view => $"DROP VIEW IF EXISTS {view}; "));
        _staleViews.Clear();
        if (!ReadsVariables(sql)) return prelude;
        if (_boxSettings.Length > 0) // sets every box variable: what a finished task left is overwritten
        {
            prelude += _boxSettings;
            (_boxSettings, _boxLive, _boxStale) = ("", true, false);
        }
        else if (_boxStale)
        {
            prelude += ResetBox;
            (_boxLive, _boxStale) = (false, false);
        }
        return prelude;
    }

    public void Dispose() => _connection.Dispose();
}

/// <summary>A fixed set of DuckDB databases shared by the workers of a process, so tasks skip the cost of opening one.</summary>
public sealed class DuckDbPool : IDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentBag<DuckDbSession> _idle = [];
    private readonly Lock _gate = new();
    private Task? _opening;
    private bool _disposed;

    /// <summary>
    /// Opens a database in the background when none is idle, so that a build's first task finds one ready instead of
    /// waiting for DuckDB to start while the build plans.
    /// </summary>
    public void OpenAhead()
    {
        lock (_gate)
        {
            if (_disposed || _opening is { IsCompleted: false } || !_idle.IsEmpty) return;
            _opening = Task.Run(() => _idle.Add(new DuckDbSession()));
        }
    }

    /// <summary>Inputs up to this size make small work, run on one DuckDB thread (see <see cref="DuckDbSession.SizeFor"/>).</summary>
    public const long SmallWorkBytes = 8 << 20;

    /// <summary>An idle database, or a new one; <paramref name="smallWork"/> runs it on one thread.</summary>
    public Lease Rent(bool smallWork = false)
    {
        var session = Take();
        session.SizeFor(smallWork);
        return new(this, session);
    }

    private DuckDbSession Take()
    {
        if (_idle.TryTake(out var session)) return session;
        Task? opening;
        lock (_gate) (opening, _opening) = (_opening, null);
        WaitQuietly(opening);
        return _idle.TryTake(out session) ? session : new DuckDbSession();
    }

    /// <summary>Waits for a database opened ahead; if opening failed, the caller opens one itself and sees the error there.</summary>
    private static void WaitQuietly(Task? opening)
    {
        try { opening?.Wait(); }
        catch (AggregateException) { }
    }

    private void Return(DuckDbSession session)
    {
        if (_disposed)
        {
            session.Dispose();
            return;
        }
        session.Reset();
        _idle.Add(session);
    }

    public void Dispose()
    {
        Task? opening;
        lock (_gate) (opening, _opening, _disposed) = (_opening, null, true);
        WaitQuietly(opening);
        while (_idle.TryTake(out var session)) session.Dispose();
    }

    public readonly struct Lease(DuckDbPool pool, DuckDbSession session) : IDisposable
    {
        public DuckDbSession Session => session;
        public void Dispose() => pool.Return(session);
    }
}
