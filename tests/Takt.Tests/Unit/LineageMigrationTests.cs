using Microsoft.Data.Sqlite;
using Takt.Boxes;
using Takt.Ledger;
using Takt.Ledger.Sqlite;

namespace Takt.Tests.Unit;

/// <summary>A ledger written when lineage was a row per input box reads the same after its lineage became one blob per version.</summary>
public sealed class LineageMigrationTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();
    private string LedgerPath => _dir.Combine("ledger.db");

    private const string In1 = "0123456789abcdef0123456789abcdef", In2 = "fedcba9876543210fedcba9876543210", In3 = "00000000000000000000000000000003";
    private const string Out = "11111111111111111111111111111111";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    [Fact]
    public void Per_input_lineage_rows_become_one_record_per_version_and_read_the_same()
    {
        // Schema version 12: a transform version reading three boxes of two datasets (one id not hex, as older tests
        // and hand-made ledgers have), its box's pointer, and a source version with no inputs.
        using (var old = new OldSchemaLedger(LedgerPath, 12))
        {
            old.Run($"""
                INSERT INTO versions (id, dataset, box, box_key, code_hash, generation, status, rows, bytes, schema_json, created_at_ms, run_id)
                VALUES ('{In1}', 'raw.a', 20001, '2024-10-04', 'c', 0, 'committed', 1, 1, '[]', 0, 'r'),
                       ('{In2}', 'raw.a', 19995, '2024-09-28', 'c', 0, 'committed', 1, 1, '[]', 0, 'r'),
                       ('hand-made', 'raw.b', -1, 'all', 'c', 0, 'committed', 1, 1, '[]', 0, 'r'),
                       ('{Out}', 'core.c', 20001, '2024-10-04', 'c', 0, 'committed', 1, 1, '[]', 0, 'r');
                INSERT INTO version_inputs VALUES ('{Out}', 'raw.a', 20001, '{In1}'), ('{Out}', 'raw.b', -1, 'hand-made'), ('{Out}', 'raw.a', 19995, '{In2}');
                INSERT INTO boxes VALUES ('prod', 'core.c', 20001, '{Out}', '{Out}', 'ok', 'c', 0, 7);
                UPDATE counters SET value = 7 WHERE name = 'seq';
                """);
        }

        using var ledger = new SqliteLedger(LedgerPath);
        Assert.Equal([new LineageEdge("raw.a", 19995, In2), new LineageEdge("raw.a", 20001, In1), new LineageEdge("raw.b", -1, "hand-made")], ledger.InputsOf(Out));
        Assert.Empty(ledger.InputsOf(In1));
        Assert.Equal(Out, ledger.Boxes("prod", "core.c", BoxRange.Everything).Single().CurrentVersion);
        Assert.Equal(7, ledger.CurrentSeq());

        // A version committed after the migration records and reads its lineage the same way.
        var next = new VersionRecord("22222222222222222222222222222222", "core.c", 20002, "2024-10-05", "c", 0, VersionStatus.Committed, 1, 1, "[]", 0, "r");
        ledger.Commit(new CommitRequest("prod", next, [new LineageEdge("raw.a", 19995, In2), new LineageEdge("raw.a", 20001, In1), new LineageEdge("raw.a", 20001, In1)], [], null));
        Assert.Equal([new LineageEdge("raw.a", 19995, In2), new LineageEdge("raw.a", 20001, In1)], ledger.InputsOf(next.Id));
        Assert.Equal(0L, CountRows("sqlite_master WHERE name = 'version_inputs'"));
    }

    [Fact]
    public void Lineage_records_round_trip_any_ids_and_boxes()
    {
        LineageEdge[] edges = [new("b", long.MaxValue, In3), new("a", long.MinValue, "x"), new("a", 0, "ÄÖ-not-hex"), new("é.d", 5, In1), new("a", 0, In2)];

        var decoded = LineageCodec.Decode(LineageCodec.Encode(edges));

        Assert.Equal(LineageCodec.Canonical(edges), decoded);
        Assert.Equal(5, decoded.Count);
        Assert.Throws<InvalidDataException>(() => LineageCodec.Decode(LineageCodec.Encode(edges)[..^3]));
    }

    private long CountRows(string tableAndWhere) => OldSchemaLedger.CountRows(LedgerPath, tableAndWhere);
}
