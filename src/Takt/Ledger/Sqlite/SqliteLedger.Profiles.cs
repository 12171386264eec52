using System.Text.Json;
using Microsoft.Data.Sqlite;
using Takt.Boxes;

namespace Takt.Ledger.Sqlite;

public sealed partial class SqliteLedger
{
    public void SaveProfile(VersionProfile profile)
    {
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            Execute("DELETE FROM column_profiles WHERE version_id = $id", tx, ("$id", profile.VersionId));
            Execute("INSERT OR REPLACE INTO version_profiles VALUES ($id, $dataset, $box, $key, $rows, $at)", tx,
                ("$id", profile.VersionId), ("$dataset", profile.Dataset), ("$box", profile.Box), ("$key", profile.BoxKey), ("$rows", profile.Rows),
                ("$at", profile.ProfiledAtMs));
            for (var i = 0; i < profile.Columns.Count; i++)
            {
                var c = profile.Columns[i];
                Execute("""
                    INSERT INTO column_profiles VALUES ($id, $position, $name, $type, $nulls, $distinct, $min, $max, $minNumber, $maxNumber, $mean, $top)
                    """, tx, ("$id", profile.VersionId), ("$position", i), ("$name", c.Column), ("$type", c.Type), ("$nulls", c.Nulls),
                    ("$distinct", c.Distinct), ("$min", c.Min), ("$max", c.Max), ("$minNumber", Finite(c.MinNumber)), ("$maxNumber", Finite(c.MaxNumber)),
                    ("$mean", Finite(c.Mean)), ("$top", JsonSerializer.Serialize(c.TopValues.Select(t => new object[] { t.Value, t.Count }))));
            }
            tx.Commit();
        }
    }

    public IReadOnlySet<string> ProfiledVersions(string dataset) =>
        Read("SELECT version_id FROM version_profiles WHERE dataset = $dataset", r => r.GetString(0), ("$dataset", dataset)).ToHashSet(StringComparer.Ordinal);

    public IReadOnlyList<VersionProfile> CurrentProfiles(string env, string dataset, BoxRange range)
    {
        (string, object?)[] parameters = [("$env", env), ("$dataset", dataset), ("$from", range.Start), ("$to", range.End)];
        using (Writer())
        {
            var columns = Read("""
                SELECT c.version_id, c.column_name, c.column_type, p.rows, c.nulls, c.distinct_values, c.min_value, c.max_value, c.min_number, c.max_number,
                       c.mean, c.top_values_json
                FROM boxes b JOIN version_profiles p ON p.version_id = b.current_version JOIN column_profiles c ON c.version_id = p.version_id
                WHERE b.env = $env AND b.dataset = $dataset AND b.box BETWEEN $from AND $to
                ORDER BY b.box, c.position
                """, r => (Version: r.GetString(0), Column: new ColumnProfile(r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetInt64(4), NullableLong(r, 5),
                    NullableString(r, 6), NullableString(r, 7), NullableDouble(r, 8), NullableDouble(r, 9), NullableDouble(r, 10), TopValues(r.GetString(11)))),
                parameters).ToLookup(c => c.Version, c => c.Column);
            return Read("""
                SELECT p.version_id, p.dataset, p.box, p.box_key, p.rows, p.profiled_at_ms
                FROM boxes b JOIN version_profiles p ON p.version_id = b.current_version
                WHERE b.env = $env AND b.dataset = $dataset AND b.box BETWEEN $from AND $to
                ORDER BY b.box
                """, r => new VersionProfile(r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetInt64(4), r.GetInt64(5),
                    columns[r.GetString(0)].ToArray()), parameters);
        }
    }

    public IReadOnlyList<(long Box, long Rows)> CurrentRowCounts(string env, string dataset, BoxRange range) => Read("""
        SELECT b.box, v.rows FROM boxes b JOIN versions v ON v.id = b.current_version
        WHERE b.env = $env AND b.dataset = $dataset AND b.box BETWEEN $from AND $to
        ORDER BY b.box
        """, r => (r.GetInt64(0), r.GetInt64(1)), ("$env", env), ("$dataset", dataset), ("$from", range.Start), ("$to", range.End));

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    private static long? NullableLong(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static string? NullableString(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static double? NullableDouble(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetDouble(i);

    private static TopValue[] TopValues(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(e => new TopValue(e[0].GetString() ?? "", e[1].GetInt64())).ToArray();
    }
}
