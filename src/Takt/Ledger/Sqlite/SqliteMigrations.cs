namespace Takt.Ledger.Sqlite;

/// <summary>The ledger schema, as numbered migrations applied in order; a migration once shipped is never edited.</summary>
internal static class SqliteMigrations
{
    public static readonly IReadOnlyList<(int Version, string Sql)> All =
    [
        (1, """
            CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
            INSERT INTO counters VALUES ('seq', 0);

            CREATE TABLE versions (
                id TEXT PRIMARY KEY,
                dataset TEXT NOT NULL,
                box INTEGER NOT NULL,
                box_key TEXT NOT NULL,
                code_hash TEXT NOT NULL,
                generation INTEGER NOT NULL,
                status TEXT NOT NULL,
                rows INTEGER NOT NULL,
                bytes INTEGER NOT NULL,
                schema_json TEXT NOT NULL,
                created_at_ms INTEGER NOT NULL,
                run_id TEXT,
                task_id INTEGER);
            CREATE INDEX versions_by_box ON versions (dataset, box);

            CREATE TABLE version_inputs (
                version_id TEXT NOT NULL,
                input_dataset TEXT NOT NULL,
                input_box INTEGER NOT NULL,
                input_version_id TEXT NOT NULL,
                PRIMARY KEY (version_id, input_version_id));
            CREATE INDEX version_inputs_by_input ON version_inputs (input_version_id);

            CREATE TABLE check_results (
                version_id TEXT NOT NULL,
                name TEXT NOT NULL,
                kind TEXT NOT NULL,
                severity TEXT NOT NULL,
                passed INTEGER NOT NULL,
                failing_rows INTEGER NOT NULL,
                message TEXT NOT NULL,
                PRIMARY KEY (version_id, name));

            CREATE TABLE boxes (
                env TEXT NOT NULL,
                dataset TEXT NOT NULL,
                box INTEGER NOT NULL,
                current_version TEXT,
                head_version TEXT NOT NULL,
                head_status TEXT NOT NULL,
                code_hash TEXT NOT NULL,
                generation INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                PRIMARY KEY (env, dataset, box)) WITHOUT ROWID;
            CREATE INDEX boxes_by_seq ON boxes (env, dataset, seq);
            CREATE INDEX boxes_quarantined ON boxes (env, dataset) WHERE head_status = 'quarantined';

            CREATE TABLE generations (
                dataset TEXT NOT NULL,
                box INTEGER NOT NULL,
                generation INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                PRIMARY KEY (dataset, box)) WITHOUT ROWID;
            CREATE INDEX generations_by_seq ON generations (dataset, seq);

            CREATE TABLE stamps (
                env TEXT NOT NULL,
                dataset TEXT NOT NULL,
                code_hash TEXT NOT NULL,
                seq INTEGER NOT NULL,
                PRIMARY KEY (env, dataset)) WITHOUT ROWID;

            CREATE TABLE leases (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires_at_ms INTEGER NOT NULL);

            CREATE TABLE landed_files (
                dataset TEXT NOT NULL,
                path TEXT NOT NULL,
                size INTEGER NOT NULL,
                modified_ticks INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                boxes TEXT NOT NULL,
                PRIMARY KEY (dataset, path)) WITHOUT ROWID;

            CREATE TABLE runs (
                id TEXT PRIMARY KEY,
                env TEXT NOT NULL,
                command TEXT NOT NULL,
                started_at_ms INTEGER NOT NULL,
                finished_at_ms INTEGER,
                status TEXT NOT NULL,
                summary_json TEXT);

            CREATE TABLE tasks (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                run_id TEXT NOT NULL,
                dataset TEXT NOT NULL,
                box INTEGER NOT NULL,
                box_key TEXT NOT NULL,
                reason TEXT NOT NULL,
                status TEXT NOT NULL,
                version_id TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                started_at_ms INTEGER NOT NULL,
                duration_ms INTEGER NOT NULL DEFAULT 0,
                rows_in INTEGER NOT NULL DEFAULT 0,
                rows_out INTEGER NOT NULL DEFAULT 0,
                error TEXT);
            CREATE INDEX tasks_by_run ON tasks (run_id);
            CREATE INDEX tasks_by_box ON tasks (dataset, box);

            CREATE TABLE task_logs (task_id INTEGER NOT NULL, line_no INTEGER NOT NULL, message TEXT NOT NULL, PRIMARY KEY (task_id, line_no));

            CREATE TABLE events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at_ms INTEGER NOT NULL,
                kind TEXT NOT NULL,
                env TEXT NOT NULL,
                dataset TEXT,
                box_key TEXT,
                version_id TEXT,
                message TEXT NOT NULL);
            CREATE INDEX events_by_dataset ON events (dataset, id);
            """),
        (2, """
            CREATE TABLE environments (name TEXT PRIMARY KEY, created_at_ms INTEGER NOT NULL);
            INSERT INTO environments VALUES ('prod', 0);

            -- What landed last for each source box, whichever environment ingested it; every environment adopts these.
            CREATE TABLE source_heads (
                dataset TEXT NOT NULL,
                box INTEGER NOT NULL,
                version_id TEXT NOT NULL,
                PRIMARY KEY (dataset, box)) WITHOUT ROWID;

            CREATE TABLE deployments (
                env TEXT NOT NULL,
                dataset TEXT NOT NULL,
                code_hash TEXT NOT NULL,
                previous_hash TEXT,
                git_commit TEXT,
                at_ms INTEGER NOT NULL,
                PRIMARY KEY (env, dataset, code_hash)) WITHOUT ROWID;
            CREATE INDEX deployments_by_time ON deployments (env, dataset, at_ms);
            """),
        (3, """
            CREATE TABLE publications (
                dataset TEXT NOT NULL,
                target TEXT NOT NULL,
                copy TEXT NOT NULL,
                env TEXT NOT NULL,
                created_at_ms INTEGER NOT NULL,
                rows INTEGER NOT NULL,
                versions_json TEXT NOT NULL,
                live INTEGER NOT NULL,
                dropped_at_ms INTEGER,
                PRIMARY KEY (dataset, target, copy)) WITHOUT ROWID;

            ALTER TABLE versions ADD COLUMN collected_at_ms INTEGER;
            """),
        (4, """
            -- Profiles of versions (immutable, so never stale): row count, and per column null, distinct, min, max, mean and top values.
            CREATE TABLE version_profiles (
                version_id TEXT PRIMARY KEY,
                dataset TEXT NOT NULL,
                box INTEGER NOT NULL,
                box_key TEXT NOT NULL,
                rows INTEGER NOT NULL,
                profiled_at_ms INTEGER NOT NULL) WITHOUT ROWID;
            CREATE INDEX version_profiles_by_dataset ON version_profiles (dataset, box);

            CREATE TABLE column_profiles (
                version_id TEXT NOT NULL,
                position INTEGER NOT NULL,
                column_name TEXT NOT NULL,
                column_type TEXT NOT NULL,
                nulls INTEGER NOT NULL,
                distinct_values INTEGER,
                min_value TEXT,
                max_value TEXT,
                min_number REAL,
                max_number REAL,
                mean REAL,
                top_values_json TEXT NOT NULL,
                PRIMARY KEY (version_id, position)) WITHOUT ROWID;
            """),
        (5, """
            -- The process that runs a run, so that a run whose process is gone gives up its leases at once.
            ALTER TABLE runs ADD COLUMN host TEXT;
            ALTER TABLE runs ADD COLUMN pid INTEGER;
            ALTER TABLE runs ADD COLUMN process_started_at_ms INTEGER;
            """),
        (6, """
            -- Invalidations as ranges of boxes: a box's generation is the sum of the generations of the rows that cover it,
            -- so invalidating ten years costs one row. Per-box rows become ranges of equal generation and sequence, so
            -- every box keeps its generation and every recipe stays what it was.
            CREATE TABLE invalidations (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                dataset TEXT NOT NULL,
                from_box INTEGER NOT NULL,
                to_box INTEGER NOT NULL,
                generations INTEGER NOT NULL,
                seq INTEGER NOT NULL,
                at_ms INTEGER NOT NULL,
                reason TEXT NOT NULL);
            CREATE INDEX invalidations_by_box ON invalidations (dataset, from_box);
            CREATE INDEX invalidations_by_seq ON invalidations (dataset, seq);

            INSERT INTO invalidations (dataset, from_box, to_box, generations, seq, at_ms, reason)
            SELECT dataset, min(box), max(box), generation, seq, 0, 'per-box generations of an earlier ledger'
            FROM (SELECT dataset, box, generation, seq,
                         box - row_number() OVER (PARTITION BY dataset, generation, seq ORDER BY box) AS island
                  FROM generations)
            GROUP BY dataset, generation, seq, island;
            DROP TABLE generations;
            """),
        (7, """
            -- Each version's files, recorded with the commit, so that a reader checks them before it opens them. Versions
            -- committed before this migration have no rows here until a reader or `verify` records the files it finds.
            CREATE TABLE version_files (
                version_id TEXT NOT NULL,
                name TEXT NOT NULL,
                size INTEGER NOT NULL,
                sha256 BLOB NOT NULL,
                PRIMARY KEY (version_id, name)) WITHOUT ROWID;

            -- A version's files found missing or damaged; and the gc run that is deleting them (no pointer may move to
            -- a version while it is set).
            ALTER TABLE versions ADD COLUMN lost_at_ms INTEGER;
            ALTER TABLE versions ADD COLUMN collecting_run TEXT;
            CREATE INDEX versions_collecting ON versions (collecting_run) WHERE collecting_run IS NOT NULL;

            -- Boxes whose current version was found lost, with the change sequence they had: rebuilt under the same
            -- version id, a box gets it back, so that its readers stay fresh.
            CREATE TABLE lost_boxes (
                env TEXT NOT NULL,
                dataset TEXT NOT NULL,
                box INTEGER NOT NULL,
                version_id TEXT NOT NULL,
                seq_before INTEGER NOT NULL,
                PRIMARY KEY (env, dataset, box)) WITHOUT ROWID;
            """),
        (8, """
            -- When a run was last known alive (its start, then each renewal of its leases): a run still marked running
            -- whose process is gone is shown as died, with this time.
            ALTER TABLE runs ADD COLUMN last_seen_at_ms INTEGER;
            """),
        (9, """
            -- A rollback holds a target on an older copy: builds do not publish the versions it rolled back from again,
            -- until the environment's current versions change or someone publishes by hand.
            CREATE TABLE publish_holds (
                dataset TEXT NOT NULL,
                target TEXT NOT NULL,
                copy TEXT NOT NULL,
                env TEXT NOT NULL,
                versions_json TEXT NOT NULL,
                at_ms INTEGER NOT NULL,
                PRIMARY KEY (dataset, target)) WITHOUT ROWID;
            """),
        (10, """
            -- Landing files that no box takes, remembered so that each is reported as an event once, not on every build.
            CREATE TABLE landing_problems (
                dataset TEXT NOT NULL,
                path TEXT NOT NULL,
                problem TEXT NOT NULL,
                first_seen_ms INTEGER NOT NULL,
                PRIMARY KEY (dataset, path)) WITHOUT ROWID;
            """),
        (13, """
            -- Lineage as one record per version (its inputs grouped by dataset, boxes as deltas, ids as 16 bytes), not a row
            -- per input box in a table and two indexes: at 3.65M boxes those rows were two thirds of the ledger. No query
            -- read lineage by input, so that index goes with them. takt_lineage is the codec's aggregate (LineageCodec).
            CREATE TABLE version_lineage (
                version_id TEXT PRIMARY KEY,
                inputs BLOB NOT NULL) WITHOUT ROWID;
            INSERT INTO version_lineage
            SELECT version_id, takt_lineage(input_dataset, input_box, input_version_id) FROM version_inputs GROUP BY version_id;
            DROP TABLE version_inputs;
            """),
        (12, """
            -- The landing files each source version was read from, as they were then (landed_files holds only what
            -- landed last): lineage goes down to a file's name and content.
            CREATE TABLE version_landing_files (
                version_id TEXT NOT NULL,
                path TEXT NOT NULL,
                size INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                PRIMARY KEY (version_id, path)) WITHOUT ROWID;
            """),
        (14, """
            -- Integer keys: at 3.65M boxes, text keys repeated on every row (dataset names, 32-character code hashes, schemas,
            -- run ids, and version ids in boxes and lineage) were most of the ledger. Each of those texts is now one row of
            -- strings; a version keeps its id (what users see) once and is referred to by its vid; a box's code hash and
            -- generation are its head version's, so they are read from it. The views versions, boxes and version_lineage
            -- show the rows as they were. takt_fail stops the migration when a row refers to a version that is not there,
            -- so that nothing vanishes in a join.
            CREATE TABLE strings (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
            INSERT INTO strings (text)
            SELECT dataset FROM versions UNION SELECT code_hash FROM versions UNION SELECT schema_json FROM versions
            UNION SELECT run_id FROM versions WHERE run_id IS NOT NULL UNION SELECT env FROM boxes UNION SELECT dataset FROM boxes
            UNION SELECT name FROM environments;

            CREATE TABLE version_rows (
                vid INTEGER PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                dataset INTEGER NOT NULL,
                box INTEGER NOT NULL,
                box_key TEXT NOT NULL,
                code INTEGER NOT NULL,
                generation INTEGER NOT NULL,
                status TEXT NOT NULL,
                rows INTEGER NOT NULL,
                bytes INTEGER NOT NULL,
                schema INTEGER NOT NULL,
                created_at_ms INTEGER NOT NULL,
                run INTEGER,
                task_id INTEGER,
                collected_at_ms INTEGER,
                collecting_run TEXT,
                lost_at_ms INTEGER);
            INSERT INTO version_rows (id, dataset, box, box_key, code, generation, status, rows, bytes, schema, created_at_ms, run, task_id,
                                      collected_at_ms, collecting_run, lost_at_ms)
            SELECT v.id, (SELECT id FROM strings WHERE text = v.dataset), v.box, v.box_key, (SELECT id FROM strings WHERE text = v.code_hash),
                   v.generation, v.status, v.rows, v.bytes, (SELECT id FROM strings WHERE text = v.schema_json), v.created_at_ms,
                   (SELECT id FROM strings WHERE text = v.run_id), v.task_id, v.collected_at_ms, v.collecting_run, v.lost_at_ms
            FROM versions v ORDER BY v.rowid;
            CREATE INDEX version_rows_by_box ON version_rows (dataset, box);
            CREATE INDEX version_rows_collecting ON version_rows (collecting_run) WHERE collecting_run IS NOT NULL;

            CREATE TABLE box_rows (
                env INTEGER NOT NULL,
                dataset INTEGER NOT NULL,
                box INTEGER NOT NULL,
                current INTEGER,
                head INTEGER NOT NULL,
                head_status TEXT NOT NULL,
                seq INTEGER NOT NULL,
                PRIMARY KEY (env, dataset, box)) WITHOUT ROWID;
            INSERT INTO box_rows
            SELECT (SELECT id FROM strings WHERE text = b.env), (SELECT id FROM strings WHERE text = b.dataset), b.box,
                   CASE WHEN b.current_version IS NULL THEN NULL
                        ELSE coalesce((SELECT vid FROM version_rows WHERE id = b.current_version),
                                      takt_fail('box ' || b.env || '/' || b.dataset || '@' || b.box || ' points at version ' || b.current_version || ', which the ledger does not hold')) END,
                   coalesce((SELECT v.vid FROM version_rows v WHERE v.id = b.head_version AND v.generation = b.generation
                                AND v.code = (SELECT id FROM strings WHERE text = b.code_hash)),
                            takt_fail('box ' || b.env || '/' || b.dataset || '@' || b.box || ' has head version ' || b.head_version
                                      || ', which the ledger does not hold with the code hash and generation of the box')),
                   b.head_status, b.seq
            FROM boxes b;
            CREATE INDEX box_rows_by_seq ON box_rows (env, dataset, seq);
            CREATE INDEX box_rows_quarantined ON box_rows (env, dataset) WHERE head_status = 'quarantined';

            CREATE TABLE lineage_rows (vid INTEGER PRIMARY KEY, inputs BLOB NOT NULL);
            INSERT INTO lineage_rows
            SELECT coalesce((SELECT vid FROM version_rows WHERE id = l.version_id),
                            takt_fail('lineage of version ' || l.version_id || ', which the ledger does not hold')), l.inputs
            FROM version_lineage l;

            DROP TABLE versions;
            DROP TABLE boxes;
            DROP TABLE version_lineage;

            CREATE VIEW versions AS
            SELECT v.id, d.text AS dataset, v.box, v.box_key, c.text AS code_hash, v.generation, v.status, v.rows, v.bytes, s.text AS schema_json,
                   v.created_at_ms, r.text AS run_id, v.task_id, v.collected_at_ms, v.collecting_run, v.lost_at_ms
            FROM version_rows v JOIN strings d ON d.id = v.dataset JOIN strings c ON c.id = v.code JOIN strings s ON s.id = v.schema
            LEFT JOIN strings r ON r.id = v.run;
            CREATE VIEW boxes AS
            SELECT e.text AS env, d.text AS dataset, b.box, cv.id AS current_version, hv.id AS head_version, b.head_status,
                   c.text AS code_hash, hv.generation, b.seq
            FROM box_rows b JOIN strings e ON e.id = b.env JOIN strings d ON d.id = b.dataset JOIN version_rows hv ON hv.vid = b.head
            JOIN strings c ON c.id = hv.code LEFT JOIN version_rows cv ON cv.vid = b.current;
            CREATE VIEW version_lineage AS
            SELECT v.id AS version_id, l.inputs FROM lineage_rows l JOIN version_rows v ON v.vid = l.vid;
            """),
    ];
}
