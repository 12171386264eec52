using System.Globalization;
using DuckDB.NET.Data;
using Microsoft.Data.Sqlite;

namespace Takt.Tests.Invariants;

/// <summary>
/// Compares data by content, in DuckDB: a version's rows as an order-insensitive hash (row count, schema, and the
/// sum of each row's hash), and the rows a published copy holds against those of the versions it was made from.
/// </summary>
internal sealed class ContentHasher : IDisposable
{
    private readonly DuckDBConnection _db = new("DataSource=:memory:");
    private readonly Dictionary<string, string> _hashes = [];
    private readonly Dictionary<string, string?> _verified = [];

    public ContentHasher() => _db.Open();

    public static string Directory(string home, VersionRow v) => Path.Combine(home, "lake", v.Dataset, v.BoxKey, v.Id);

    public static string[] Files(string home, VersionRow v)
    {
        var dir = Directory(home, v);
        if (!System.IO.Directory.Exists(dir)) return [];
        var files = System.IO.Directory.GetFiles(dir, "*.parquet");
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>The content hash of a version's rows, computed again only when a file changed (versions are immutable; a lake may not be).</summary>
    public string Hash(string home, VersionRow v)
    {
        var files = Files(home, v);
        if (files.Length == 0) throw new HarnessException($"version {v.Id} of {v.Dataset}@{v.BoxKey} has no files in {Directory(home, v)}");
        var key = Stamp(files);
        if (_hashes.TryGetValue(key, out var hash)) return hash;
        return _hashes[key] = HashOf(files);
    }

    private static string Stamp(IEnumerable<string> files) =>
        string.Join("|", files.Select(f => $"{f}:{new FileInfo(f).Length}:{File.GetLastWriteTimeUtc(f).Ticks}"));

    private string HashOf(IReadOnlyList<string> files)
    {
        var source = $"read_parquet([{string.Join(", ", files.Select(Literal))}])";
        var columns = Rows($"DESCRIBE SELECT * FROM {source}").Select(r => ((string)r[0]!, (string)r[1]!)).ToArray();
        var schema = string.Join(",", columns.Select(c => $"{c.Item1}:{c.Item2}"));
        var hashed = string.Join(", ", columns.Select(c => Identifier(c.Item1)));
        var row = Rows($"SELECT count(*), CAST(coalesce(sum(hash({hashed})), 0) AS VARCHAR) FROM {source}")[0];
        return $"{Convert.ToInt64(row[0], CultureInfo.InvariantCulture)} rows [{schema}] {row[1]}";
    }

    /// <summary>Null when the version's files are all there and hold the rows the ledger says; otherwise what is wrong.</summary>
    public string? Incomplete(string home, VersionRow v)
    {
        var files = Files(home, v);
        if (files.Length == 0) return $"version {v.Id} of {v.Dataset}@{v.BoxKey} ({v.Status}) has no Parquet file in {Directory(home, v)}";
        var key = Stamp(files) + "|" + v.Rows;
        if (_verified.TryGetValue(key, out var known)) return known;
        string? problem;
        try
        {
            var rows = Convert.ToInt64(Rows($"SELECT count(*) FROM read_parquet([{string.Join(", ", files.Select(Literal))}])")[0][0], CultureInfo.InvariantCulture);
            problem = rows == v.Rows ? null : $"version {v.Id} of {v.Dataset}@{v.BoxKey} has {rows} rows in its files, the ledger says {v.Rows}";
        }
        catch (DuckDBException e)
        {
            problem = $"version {v.Id} of {v.Dataset}@{v.BoxKey}: its files are not readable Parquet ({e.Message.Split('\n')[0]})";
        }
        return _verified[key] = problem;
    }

    /// <summary>The rows of a set of versions as sorted canonical lines, over the given columns.</summary>
    public List<string> CanonicalRows(IReadOnlyList<string> files, IReadOnlyList<string> columns)
    {
        if (files.Count == 0) return [];
        var lines = Rows($"SELECT {string.Join(", ", columns.Select(Identifier))} FROM read_parquet([{string.Join(", ", files.Select(Literal))}])")
            .Select(Canonical).ToList();
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    /// <summary>What readers of a published SQLite view see: its columns and its rows as sorted canonical lines.</summary>
    public static (IReadOnlyList<string> Columns, List<string> Rows, string? ViewSql) ReadPublished(string database, string view)
    {
        if (!File.Exists(database)) return ([], [], null);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false, DefaultTimeout = 60 }.ToString());
        connection.Open();
        var viewSql = SutHome.Query(connection, "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = $n", r => r.GetString(0), ("$n", view)).FirstOrDefault();
        if (viewSql is null) return ([], [], null);
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"SELECT * FROM \"{view}\"";
        using var reader = cmd.ExecuteReader();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
        var rows = new List<string>();
        while (reader.Read())
        {
            var values = new object?[reader.FieldCount];
            for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(Canonical(values));
        }
        rows.Sort(StringComparer.Ordinal);
        return (columns, rows, viewSql);
    }

    private static string Canonical(object?[] values) => string.Join("|", values.Select(v => v switch
    {
        null => "<null>",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("R", CultureInfo.InvariantCulture),
        long or int or short or sbyte or byte or ushort or uint or ulong => Convert.ToInt64(v, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        bool b => b ? "1" : "0",
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    }));

    private List<object?[]> Rows(string sql)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var values = new object?[reader.FieldCount];
            for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(values);
        }
        return rows;
    }

    private static string Literal(string text) => "'" + text.Replace("'", "''") + "'";

    private static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    public void Dispose() => _db.Dispose();
}
