namespace Takt.Ledger.Sqlite;

public sealed partial class SqliteLedger
{
    public IReadOnlyList<SourceHead> PendingSourceHeads(string env, string dataset, string codeHash)
    {
        using (Writer())
        {
            // The tables, not the views: a view that is the right side of a LEFT JOIN is materialized whole (every box).
            // A head that is its box's head already is dropped through the box's version row, found by its integer key
            // (a dataset's rows lie together); only the others are looked up by their text id, whose index is in hash order:
            // looking up every head that way read each page of it again and again (600,000 page reads for 365,000 heads in
            // a fresh process). CROSS JOIN keeps that order.
            var cmd = Command($"""
                SELECT h.box, h.version_id FROM source_heads h
                LEFT JOIN box_rows b ON b.env = {StringId("$env")} AND b.dataset = {StringId("$dataset")} AND b.box = h.box
                LEFT JOIN version_rows current ON current.vid = b.head
                CROSS JOIN version_rows v ON v.id = h.version_id
                WHERE h.dataset = $dataset AND (current.id IS NULL OR current.id <> h.version_id) AND v.code = {StringId("$code")}
                  AND v.collected_at_ms IS NULL AND v.collecting_run IS NULL AND v.lost_at_ms IS NULL
                ORDER BY h.box
                """, null, ("$env", env), ("$dataset", dataset), ("$code", codeHash));
            var heads = new List<SourceHead>();
            using var r = cmd.ExecuteReader();
            while (r.Read()) heads.Add(new SourceHead(r.GetInt64(0), r.GetString(1)));
            return heads;
        }
    }

    public IReadOnlyList<LandingProblem> RecordLandingProblems(string env, string dataset, IReadOnlyList<LandingProblem> problems)
    {
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            var known = new Dictionary<string, string>(StringComparer.Ordinal);
            var cmd = Command("SELECT path, problem FROM landing_problems WHERE dataset = $dataset", tx, ("$dataset", dataset));
            using (var r = cmd.ExecuteReader())
                while (r.Read()) known[r.GetString(0)] = r.GetString(1);

            var current = problems.ToDictionary(p => p.Path, StringComparer.Ordinal);
            foreach (var path in known.Keys.Where(p => !current.ContainsKey(p)))
                Execute("DELETE FROM landing_problems WHERE dataset = $dataset AND path = $path", tx, ("$dataset", dataset), ("$path", path));
            var fresh = problems.Where(p => !known.TryGetValue(p.Path, out var before) || before != p.Problem).ToList();
            foreach (var p in fresh)
            {
                Execute("INSERT OR REPLACE INTO landing_problems VALUES ($dataset, $path, $problem, $at)", tx,
                    ("$dataset", dataset), ("$path", p.Path), ("$problem", p.Problem), ("$at", Now));
                InsertEvent(EventKind.LandingProblem, env, dataset, null, null, $"landing file {p.Path}: {p.Problem}", tx);
            }
            tx.Commit();
            return fresh;
        }
    }

    public void SetSourceHead(string dataset, long box, string versionId)
    {
        using (Writer()) Execute("INSERT OR REPLACE INTO source_heads VALUES ($dataset, $box, $version)", null,
            ("$dataset", dataset), ("$box", box), ("$version", versionId));
    }

    public IReadOnlyDictionary<string, LandedFile> LandedFiles(string dataset)
    {
        using (Writer())
        {
            var cmd = Command("SELECT path, size, modified_ticks, sha256, boxes FROM landed_files WHERE dataset = $dataset", null, ("$dataset", dataset));
            var result = new Dictionary<string, LandedFile>(StringComparer.Ordinal);
            using var r = cmd.ExecuteReader();
            while (r.Read()) result[r.GetString(0)] = new LandedFile(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3), r.GetString(4));
            return result;
        }
    }

    public void RecordLandedFiles(string dataset, IReadOnlyList<LandedFile> files)
    {
        if (files.Count == 0) return;
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            foreach (var f in files)
                Execute("INSERT OR REPLACE INTO landed_files VALUES ($dataset, $path, $size, $mtime, $sha, $boxes)", tx,
                    ("$dataset", dataset), ("$path", f.Path), ("$size", f.Size), ("$mtime", f.ModifiedTicks), ("$sha", f.Sha256), ("$boxes", f.Boxes));
            tx.Commit();
        }
    }
}
