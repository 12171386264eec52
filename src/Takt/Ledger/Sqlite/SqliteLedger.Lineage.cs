using Microsoft.Data.Sqlite;

namespace Takt.Ledger.Sqlite;

/// <summary>Lineage records by integer keys (format 2 of <see cref="LineageCodec"/>).</summary>
public sealed partial class SqliteLedger
{
    /// <summary>The record of a version's inputs: by integer keys when the ledger holds every input version, else by text.</summary>
    private byte[] EncodeLineage(IReadOnlyList<LineageEdge> inputs, SqliteTransaction tx)
    {
        var canonical = LineageCodec.Canonical(inputs);
        Intern(tx, [.. canonical.Select(e => e.Dataset).Distinct(StringComparer.Ordinal)]);
        var keys = new LineageCodec.Key[canonical.Count];
        for (var i = 0; i < canonical.Count; i++)
        {
            using var r = Command($"SELECT {StringId("$dataset")}, {Vid("$id")}", tx, ("$dataset", canonical[i].Dataset), ("$id", canonical[i].VersionId)).ExecuteReader();
            r.Read();
            if (r.IsDBNull(1)) return LineageCodec.Encode(canonical); // an input the ledger does not hold (hand-made lineage)
            keys[i] = new LineageCodec.Key(r.GetInt64(0), r.GetInt64(1));
        }
        return LineageCodec.EncodeKeyed(canonical, keys);
    }

    private List<LineageEdge> DecodeLineage(byte[] blob, SqliteTransaction? tx) =>
        LineageCodec.Decode(blob,
            id => Scalar<string?>("SELECT text FROM strings WHERE id = $id", tx, ("$id", id))
                  ?? throw new InvalidDataException($"the ledger's lineage names dataset key {id}, which it does not hold"),
            vid => Scalar<string?>("SELECT id FROM version_rows WHERE vid = $vid", tx, ("$vid", vid))
                   ?? throw new InvalidDataException($"the ledger's lineage names version key {vid}, which it does not hold"));
}
