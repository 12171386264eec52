using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Takt.Tests.Invariants;

/// <summary>
/// The invariant harness: seeded random histories (landing, defects, fixes, invalidations, overrides, SQL changes,
/// dev and prod builds, gc, publish and rollback, kill -9 of child processes, two processes at once) over a small
/// factory made for it and over the Shop, checked after every step against a model, a from-scratch oracle, the
/// ledger, the lake and the published view.
/// </summary>
/// <remarks>
/// CI runs a few short histories. Environment variables: <c>TAKT_INVARIANT_SUBJECT</c> (small or shop: only that one),
/// <c>TAKT_INVARIANT_SEED</c> and <c>TAKT_INVARIANT_OPS</c> (one history), <c>TAKT_INVARIANT_HISTORY</c> (replay these
/// steps with that seed), <c>TAKT_INVARIANT_SOAK=N</c> (N histories from the seed on, e.g. with OPS=250: a long soak),
/// <c>TAKT_INVARIANT_SHRINK_SECONDS</c> (the shrinking budget), <c>TAKT_INVARIANT_KEEP</c> (keep the homes).
/// </remarks>
public sealed class InvariantTests(ITestOutputHelper output)
{
    private static readonly int[] SmallSeeds = [101, 102, 103];
    private static readonly int[] ShopSeeds = [201];

    [Fact]
    public void Histories_of_the_small_factory_keep_every_invariant() => Run(new SmallSubject(), SmallSeeds, 24);

    [Fact]
    public void Histories_of_the_Shop_keep_every_invariant() => Run(null, ShopSeeds, 12);

    private void Run(ISubject? subject, int[] ciSeeds, int ciOps)
    {
        var root = Path.Combine(Path.GetTempPath(), "takt-invariants-" + Guid.NewGuid().ToString("N")[..12]);
        subject ??= new ShopSubject(Path.Combine(root, "code"));
        var only = Environment.GetEnvironmentVariable("TAKT_INVARIANT_SUBJECT");
        if (only is not null && only != subject.Name)
        {
            output.WriteLine($"TAKT_INVARIANT_SUBJECT={only}: the {subject.Name} histories are not run.");
            return;
        }
        var seedText = Environment.GetEnvironmentVariable("TAKT_INVARIANT_SEED");
        var opsText = Environment.GetEnvironmentVariable("TAKT_INVARIANT_OPS");
        var soak = int.TryParse(Environment.GetEnvironmentVariable("TAKT_INVARIANT_SOAK"), out var n) ? n : 0;
        var ops = opsText is null ? ciOps : int.Parse(opsText, CultureInfo.InvariantCulture);
        var seeds = seedText is null && soak == 0 ? ciSeeds
            : Enumerable.Range(seedText is null ? 1000 : int.Parse(seedText, CultureInfo.InvariantCulture), Math.Max(1, soak)).ToArray();
        var history = Environment.GetEnvironmentVariable("TAKT_INVARIANT_HISTORY");

        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        var (histories, steps, checks) = (0, 0, 0);
        try
        {
            foreach (var seed in seeds)
            {
                var plan = history is null ? HistoryGenerator.Generate(subject, seed, ops) : Op.ParseList(history);
                var (failure, run) = RunOne(subject, seed, plan, Path.Combine(root, $"seed-{seed}"), Explore);
                histories++;
                steps += run.StepsRun;
                checks += run.ChecksRun;
                output.WriteLine($"{subject.Name} seed {seed}: {run.StepsRun} step(s), {run.ChecksRun} build check(s), {(failure is null ? "no violation" : $"violation of {failure.Violation.Invariant}")} ({clock.Elapsed.TotalSeconds:0} s so far)");
                if (failure is not null && Explore)
                    foreach (var f in run.Later.Prepend(failure))
                        failures.Add($"[explore] {subject.Name} seed {seed} step {f.Step} ({f.Op}): {f.Violation.Invariant}: {f.Violation.Detail}\n  " + string.Join("\n  ", f.Log.TakeLast(12)));
                else if (failure is not null) failures.Add(Report(subject, seed, plan, failure, root));
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Environment.GetEnvironmentVariable("TAKT_INVARIANT_KEEP") is null) TryDelete(root);
            else output.WriteLine($"homes kept under {root}");
        }
        var summary = $"{subject.Name}: {histories} histor{(histories == 1 ? "y" : "ies")}, {steps} step(s), {checks} build check(s), {failures.Count} violation(s) in {clock.Elapsed.TotalSeconds:0} s";
        output.WriteLine(summary);
        if (Environment.GetEnvironmentVariable("TAKT_INVARIANT_REPORT") is { } reportPath)
            File.AppendAllText(reportPath, $"{DateTime.UtcNow:u} {summary}\n{string.Join("\n", failures)}\n");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    /// <summary>TAKT_INVARIANT_EXPLORE: go on after a violation and list each invariant's first one, unshrunk (to find several bugs at once).</summary>
    private static bool Explore => Environment.GetEnvironmentVariable("TAKT_INVARIANT_EXPLORE") is not null;

    private static (Failure? Failure, HistoryRunner Run) RunOne(ISubject subject, int seed, IReadOnlyList<Op> ops, string root, bool explore = false)
    {
        using var hasher = new ContentHasher();
        var run = new HistoryRunner(subject, seed, root, hasher, new Oracle(subject, Path.Combine(root, "oracle"), hasher));
        try { return (run.Run(ops, explore), run); }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (Environment.GetEnvironmentVariable("TAKT_INVARIANT_KEEP") is null) TryDelete(root);
        }
    }

    private string Report(ISubject subject, int seed, IReadOnlyList<Op> ops, Failure failure, string root)
    {
        var budget = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("TAKT_INVARIANT_SHRINK_SECONDS"), out var s) ? s : 180);
        var attempt = 0;
        var (shrunk, best, tries) = Shrinker.Shrink(ops, failure, budget, candidate => RunOne(subject, seed, candidate, Path.Combine(root, $"shrink-{seed}-{attempt++}")).Failure);
        var text = new StringBuilder();
        text.AppendLine($"Invariant '{best.Violation.Invariant}' broken by {subject.Name} seed {seed} at step {best.Step} ({best.Op}):");
        text.AppendLine("  " + best.Violation.Detail.Replace("\n", "\n  "));
        text.AppendLine($"History: {shrunk.Count} step(s), shrunk from {failure.Step + 1} in {tries} tr{(tries == 1 ? "y" : "ies")}:");
        foreach (var line in best.Log) text.AppendLine("  " + line);
        text.AppendLine("Replay:");
        text.AppendLine($"  TAKT_INVARIANT_SUBJECT={subject.Name} TAKT_INVARIANT_SEED={seed} TAKT_INVARIANT_HISTORY='{Op.Format(shrunk)}' dotnet test Takt.slnx --filter \"FullyQualifiedName~Invariant\"");
        text.AppendLine($"  (the unshrunk history: TAKT_INVARIANT_SUBJECT={subject.Name} TAKT_INVARIANT_SEED={seed} TAKT_INVARIANT_OPS={ops.Count}; kill steps depend on timing and may need a few runs)");
        output.WriteLine(text.ToString());
        return text.ToString();
    }

    private static void TryDelete(string path)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
                return;
            }
            catch (IOException) { Thread.Sleep(200); }
            catch (UnauthorizedAccessException) { Thread.Sleep(200); }
        }
    }
}
