namespace Takt.Lake;

/// <summary>Where a version's files live: <c>&lt;dataset&gt;/&lt;box&gt;/&lt;version&gt;/</c>.</summary>
public sealed record VersionLocation(string Dataset, string BoxKey, string VersionId)
{
    public string RelativePath => $"{Dataset}/{BoxKey}/{VersionId}";
}

/// <summary>
/// The store of version files. A task writes into a staging directory, then <see cref="Promote"/> makes the files
/// live at their final location in one step. Files are visible to readers only once the ledger names the version.
/// </summary>
public interface ILake
{
    string Describe { get; }

    /// <summary>A fresh, empty local directory for one task attempt to write into.</summary>
    string CreateStaging(string runId, string attempt);

    /// <summary>Moves the staged files to the version's location; a leftover of an earlier crashed attempt is replaced.</summary>
    void Promote(string stagingDirectory, VersionLocation location);

    /// <summary>Local paths of the version's Parquet files, for DuckDB to read.</summary>
    IReadOnlyList<string> Files(VersionLocation location);

    /// <summary>Removes staging directories of runs that are no longer running.</summary>
    void CleanStaging(Func<string, bool> isRunAlive);

    void DiscardStaging(string stagingDirectory);

    /// <summary>Deletes a version's files; only for versions nothing refers to any more.</summary>
    void Delete(VersionLocation location);
}
