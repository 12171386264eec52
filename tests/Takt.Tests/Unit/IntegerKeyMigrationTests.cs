using Microsoft.Data.Sqlite;
using Takt.Boxes;
using Takt.Ledger;
using Takt.Ledger.Sqlite;

namespace Takt.Tests.Unit;

/// <summary>
/// A ledger written when versions and boxes repeated their text keys on every row reads the same after migration 14
/// (integer keys; dataset names, code hashes, schemas and run ids stored once), and keeps working.
/// </summary>
public sealed class IntegerKeyMigrationTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();
    private string LedgerPath => _dir.Combine("ledger.db");

    private const string A1 = "0123456789abcdef0123456789abcdef", A2 = "fedcba9876543210fedcba9876543210";
    private const string C1 = "11111111111111111111111111111111", C2 = "22222222222222222222222222222222";
    private const string Schema = """[{"name":"x","type":"BIGINT"}]""";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }

    /// <summary>Schema version 13: two source versions, a transform box whose good version is current and whose newer head is quarantined, in two environments.</summary>
    private void WriteOldLedger()
    {
        using var old = new OldSchemaLedger(LedgerPath, 13);
        old.Run($"""
            INSERT INTO environments VALUES ('dev-x', 5);
            INSERT INTO versions (id, dataset, box, box_key, code_hash, generation, status, rows, bytes, schema_json, created_at_ms, run_id, task_id, collected_at_ms)
            VALUES ('{A1}', 'raw.a', 20001, '2024-10-04', 'ca', 0, 'committed', 10, 100, '{Schema}', 1000, 'run-1', 1, NULL),
                   ('{A2}', 'raw.a', 20002, '2024-10-05', 'ca', 1, 'committed', 20, 200, '{Schema}', 2000, NULL, NULL, 3000),
                   ('{C1}', 'core.c', 20001, '2024-10-04', 'cc', 0, 'committed', 1, 10, '[]', 4000, 'run-2', 7, NULL),
                   ('hand-made', 'core.c', 20001, '2024-10-04', 'cc2', 2, 'quarantined', 1, 10, '[]', 5000, 'run-3', 8, NULL);
            INSERT INTO version_lineage VALUES ('{C1}', takt_lineage_test_blob);
            INSERT INTO boxes VALUES ('prod', 'raw.a', 20001, '{A1}', '{A1}', 'ok', 'ca', 0, 1),
                                     ('prod', 'core.c', 20001, '{C1}', 'hand-made', 'quarantined', 'cc2', 2, 3),
                                     ('dev-x', 'core.c', 20001, '{C1}', '{C1}', 'ok', 'cc', 0, 2);
            INSERT INTO source_heads VALUES ('raw.a', 20001, '{A1}');
            UPDATE counters SET value = 3 WHERE name = 'seq';
            """.Replace("takt_lineage_test_blob", "X'" + Convert.ToHexString(LineageCodec.Encode([new LineageEdge("raw.a", 20001, A1)])) + "'"));
    }

    [Fact]
    public void Versions_boxes_and_lineage_read_the_same_after_keys_become_integers_and_texts_are_stored_once()
    {
        WriteOldLedger();

        using var ledger = new SqliteLedger(LedgerPath);
        Assert.Equal(new VersionRecord(A1, "raw.a", 20001, "2024-10-04", "ca", 0, VersionStatus.Committed, 10, 100, Schema, 1000, "run-1"), ledger.FindVersion(A1));
        Assert.Equal(new VersionRecord(A2, "raw.a", 20002, "2024-10-05", "ca", 1, VersionStatus.Committed, 20, 200, Schema, 2000, null, VersionFileState.Collected),
            ledger.FindVersion(A2));
        Assert.Equal(VersionStatus.Quarantined, ledger.FindVersion("hand-made")!.Status);
        Assert.Equal([new LineageEdge("raw.a", 20001, A1)], ledger.InputsOf(C1));
        Assert.Equal([new BoxState(20001, C1, "hand-made", BoxHeadStatus.Quarantined, "cc2", 2, 3)], ledger.Boxes("prod", "core.c", BoxRange.Everything));
        Assert.Equal([new BoxState(20001, C1, C1, BoxHeadStatus.Ok, "cc", 0, 2)], ledger.Boxes("dev-x", "core.c", BoxRange.Everything));
        Assert.Equal([new BoxState(20001, A1, A1, BoxHeadStatus.Ok, "ca", 0, 1)], ledger.Boxes("prod", "raw.a", BoxRange.Everything));
        var facts = ledger.PlanningFacts("prod", "core.c", BoxRange.Everything, "cc2");
        Assert.Equal([BoxHeadStatus.Quarantined], facts.Statuses.ToArray());
        Assert.Equal([true], facts.CodeMatches.ToArray());
        Assert.Equal(1, ledger.Summarize("prod", "core.c").Quarantined);
        Assert.Equal(3, ledger.CurrentSeq());

        // Each dataset name, code hash, schema and run id is one row of its own, not text on every version and box.
        Assert.Equal(1L, OldSchemaLedger.CountRows(LedgerPath, $"strings WHERE text IN ('raw.a', 'ca', '{Schema}')") / 3);
        Assert.Equal(0L, OldSchemaLedger.CountRows(LedgerPath, "pragma_table_info('box_rows') WHERE name IN ('code_hash', 'generation', 'current_version')"));
    }

    [Fact]
    public void A_migrated_ledger_commits_overrides_and_drops_environments_as_before()
    {
        WriteOldLedger();

        using var ledger = new SqliteLedger(LedgerPath);
        var next = new VersionRecord("33333333333333333333333333333333", "core.c", 20002, "2024-10-05", "cc", 0, VersionStatus.Committed, 1, 1, "[]", 6000, "run-4");
        Assert.Equal(CommitOutcome.Committed, ledger.Commit(new CommitRequest("prod", next, [new LineageEdge("raw.a", 20001, A1)], [], null)));
        Assert.Equal(next, ledger.FindVersion(next.Id));
        Assert.Equal([new LineageEdge("raw.a", 20001, A1)], ledger.InputsOf(next.Id));
        // The new record names its input by integer keys (format 2), the migrated one still by id (format 1); both read the same.
        Assert.Equal(1L, OldSchemaLedger.CountRows(LedgerPath, $"version_lineage WHERE version_id = '{next.Id}' AND substr(inputs, 1, 1) = X'02'"));
        Assert.Equal(1L, OldSchemaLedger.CountRows(LedgerPath, $"version_lineage WHERE version_id = '{C1}' AND substr(inputs, 1, 1) = X'01'"));
        Assert.Equal(ledger.InputsOf(C1), ledger.InputsOf(next.Id));
        Assert.Equal(new BoxState(20002, next.Id, next.Id, BoxHeadStatus.Ok, "cc", 0, 4), ledger.Boxes("prod", "core.c", BoxRange.Everything)[1]);

        var released = ledger.Override("prod", "core.c", 20001, "looked fine");
        Assert.Equal("hand-made", released!.Id);
        Assert.Equal(VersionStatus.Overridden, ledger.FindVersion("hand-made")!.Status);
        Assert.Equal(new BoxState(20001, "hand-made", "hand-made", BoxHeadStatus.Ok, "cc2", 2, 5), ledger.Boxes("prod", "core.c", BoxRange.Everything)[0]);

        ledger.DropEnvironment("dev-x");
        Assert.Empty(ledger.Boxes("dev-x", "core.c", BoxRange.Everything));
        Assert.Equal(2, ledger.Boxes("prod", "core.c", BoxRange.Everything).Count);
    }

    [Fact]
    public void A_box_pointing_at_a_version_the_ledger_does_not_hold_stops_the_migration_instead_of_vanishing()
    {
        using (var old = new OldSchemaLedger(LedgerPath, 13))
            old.Run($"INSERT INTO boxes VALUES ('prod', 'core.c', 20001, '{C2}', '{C2}', 'ok', 'cc', 0, 1)");

        var e = Assert.ThrowsAny<Exception>(() => new SqliteLedger(LedgerPath).Dispose());
        Assert.Contains(C2, e.ToString());
        Assert.Equal(1L, OldSchemaLedger.CountRows(LedgerPath, "boxes"));
    }

    [Fact]
    public void Lineage_records_by_integer_keys_round_trip_any_boxes_and_vids()
    {
        var edges = LineageCodec.Canonical([new LineageEdge("b", long.MaxValue, "v9"), new LineageEdge("a", long.MinValue, "v1"), new LineageEdge("a", 0, "v7"),
            new LineageEdge("a", 5, "v2")]);
        var keys = new Dictionary<string, long> { ["v9"] = 9, ["v1"] = 1, ["v7"] = long.MaxValue, ["v2"] = 2 };
        var datasets = new Dictionary<string, long> { ["a"] = 300, ["b"] = 4 };
        var blob = LineageCodec.EncodeKeyed(edges, [.. edges.Select(e => new LineageCodec.Key(datasets[e.Dataset], keys[e.VersionId]))]);

        var decoded = LineageCodec.Decode(blob, d => datasets.Single(p => p.Value == d).Key, v => keys.Single(p => p.Value == v).Key);
        Assert.Equal(edges, decoded);
        Assert.Throws<InvalidDataException>(() => LineageCodec.Decode(blob[..^2], d => datasets.Single(p => p.Value == d).Key, v => keys.Single(p => p.Value == v).Key));
    }

    [Fact]
    public void Planning_facts_unpack_generation_status_and_code_match_and_refuse_a_status_word_takt_does_not_write()
    {
        using (var ledger = new SqliteLedger(LedgerPath))
        {
            VersionRecord Version(string id, long box, int generation) =>
                new(id, "core.c", box, box.ToString(System.Globalization.CultureInfo.InvariantCulture), "cc", generation, VersionStatus.Committed, 1, 1, "[]", 0, null);
            ledger.Commit(new CommitRequest("prod", Version(C1, 1, 1_000_000), [], [], null));
            ledger.Commit(new CommitRequest("prod", Version(C2, 2, 0), [], [], null));
            ledger.Commit(new CommitRequest("prod", Version(A1, 3, 7) with { Status = VersionStatus.Quarantined }, [], [], null));
            ledger.MarkLost(C2, "gone");

            var facts = ledger.PlanningFacts("prod", "core.c", BoxRange.Everything, "cc");
            Assert.Equal([1_000_000, 0, 7], facts.Generations);
            Assert.Equal([BoxHeadStatus.Ok, BoxHeadStatus.Lost, BoxHeadStatus.Quarantined], facts.Statuses);
            Assert.Equal([true, true, true], facts.CodeMatches);
            Assert.Equal([false, false, false], ledger.PlanningFacts("prod", "core.c", BoxRange.Everything, "other").CodeMatches);
        }
        using (var connection = new SqliteConnection($"Data Source={LedgerPath};Pooling=false"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = "UPDATE box_rows SET head_status = 'weird' WHERE box = 1";
            cmd.ExecuteNonQuery();
        }
        using var reopened = new SqliteLedger(LedgerPath);
        var e = Assert.Throws<LedgerDataException>(() => reopened.PlanningFacts("prod", "core.c", BoxRange.Everything, "cc"));
        Assert.Contains("weird", e.Message);
    }
}
