using Takt.Boxes;
using Takt.Definitions;
using Takt.Lake;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Profiling;

/// <summary>What a <c>profile</c> run did: how many current versions it profiled now, how many had a profile already, and all their profiles.</summary>
public sealed record ProfileRun(string Dataset, string Env, int Profiled, int AlreadyProfiled, IReadOnlyList<VersionProfile> Profiles);

/// <summary>Profiles the current versions of a dataset's boxes and keeps the profiles in the ledger.</summary>
public sealed class ProfileService(Workspace ws)
{
    /// <summary>The boxes of <paramref name="dataset"/> between two days (inclusive; null for open), in its grain.</summary>
    public static BoxRange RangeOf(Dataset dataset, DateOnly? from, DateOnly? to) =>
        dataset.Grain == Grain.Unpartitioned || (from is null && to is null)
            ? BoxRange.Everything
            : GrainMath.FromDates(dataset.Grain, from ?? DateOnly.MinValue, to ?? DateOnly.MaxValue);

    /// <summary>
    /// Profiles every current version in <paramref name="range"/> that has no profile yet (all of them with <paramref name="force"/>).
    /// Versions are immutable, so a kept profile stays true.
    /// </summary>
    /// <param name="progress">Called with (done, total) after each version.</param>
    public ProfileRun Profile(string datasetName, BoxRange range, int parallelism = 1, bool force = false, Action<int, int>? progress = null)
    {
        var dataset = ws.Factory[datasetName];
        var current = ws.Ledger.Boxes(ws.Env, dataset.Name, range).Where(b => b.CurrentVersion is not null).ToList();
        var known = force ? new HashSet<string>() : ws.Ledger.ProfiledVersions(dataset.Name);
        var todo = current.Where(b => !known.Contains(b.CurrentVersion!)).ToList();
        var done = 0;
        Parallel.ForEach(todo, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, box =>
        {
            var profile = ProfileVersion(dataset, box.Box, box.CurrentVersion!);
            ws.Ledger.SaveProfile(profile);
            progress?.Invoke(Interlocked.Increment(ref done), todo.Count);
        });
        return new ProfileRun(dataset.Name, ws.Env, todo.Count, current.Count - todo.Count, ws.Ledger.CurrentProfiles(ws.Env, dataset.Name, range));
    }

    /// <summary>Profiles one version (without keeping the result).</summary>
    public VersionProfile ProfileVersion(Dataset dataset, long box, string versionId)
    {
        var boxKey = dataset.BoxKey(box);
        var files = ws.Files.Paths(new VersionLocation(dataset.Name, boxKey, versionId));
        using var lease = ws.DuckDb.Rent();
        return Profiler.Profile(lease.Session, files, dataset.Schema, versionId, dataset.Name, box, boxKey, ws.Clock.GetUtcNow().ToUnixTimeMilliseconds());
    }
}
