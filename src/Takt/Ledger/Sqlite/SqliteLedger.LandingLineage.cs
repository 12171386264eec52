namespace Takt.Ledger.Sqlite;

/// <summary>The landing files of source versions (see <see cref="ILandingLedger.RecordSourceFiles"/>).</summary>
public sealed partial class SqliteLedger
{
    public void RecordSourceFiles(string versionId, IReadOnlyList<SourceFile> files)
    {
        if (files.Count == 0) return;
        using (Writer())
        {
            using var tx = _connection.BeginTransaction(deferred: false);
            foreach (var f in files)
                Execute("INSERT OR IGNORE INTO version_landing_files VALUES ($id, $path, $size, $sha)", tx,
                    ("$id", versionId), ("$path", f.Path), ("$size", f.Size), ("$sha", f.Sha256));
            tx.Commit();
        }
    }

    public IReadOnlyList<SourceFile> SourceFilesOf(string versionId)
    {
        lock (_readGate)
        {
            var cmd = _readCommands.Get("SELECT path, size, sha256 FROM version_landing_files WHERE version_id = $id ORDER BY path", null, ("$id", versionId));
            var result = new List<SourceFile>();
            using var r = cmd.ExecuteReader();
            while (r.Read()) result.Add(new SourceFile(r.GetString(0), r.GetInt64(1), r.GetString(2)));
            return result;
        }
    }
}
