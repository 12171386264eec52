namespace Takt.Tests.Invariants;

/// <summary>A box as a from-scratch build has it: the content of its current version and of its stopped head.</summary>
internal sealed record OracleBox(string? CurrentHash, string? QuarantinedHash);

/// <summary>The oracle's answer: every prod box of a fresh home built from the same landing data and code.</summary>
internal sealed record OracleResult(IReadOnlyDictionary<(string Dataset, long Box), OracleBox> Boxes, string Home);

/// <summary>A from-scratch build that the oracle could not finish is itself a finding (Takt failed on data a history made).</summary>
internal sealed class OracleException(string message) : Exception(message);

/// <summary>
/// Builds the same landing data and code in a fresh home, from scratch, applying the overrides the model says still
/// hold (an override releases a stopped box, which may reveal the next one, so it builds until nothing changes).
/// Results are cached by (landing content, code variant, overrides), which keeps a long soak affordable.
/// </summary>
internal sealed class Oracle(ISubject subject, string root, ContentHasher hasher)
{
    private readonly Dictionary<string, OracleResult> _cache = [];

    public int Builds { get; private set; }

    public OracleResult For(Model model, string landing, string variant, IReadOnlyList<(string Dataset, long Box)> overrides)
    {
        var key = $"{model.LandingKey}|{variant}|{string.Join(",", overrides.Select(o => $"{o.Dataset}@{o.Box}").Order(StringComparer.Ordinal))}";
        if (_cache.TryGetValue(key, out var cached)) return cached;

        var home = Path.Combine(root, $"oracle-{Builds++}");
        CopyDirectory(landing, Path.Combine(home, "landing"));
        var oracle = new SutHome(subject, home);
        var factory = subject.Factory(variant);
        Build(oracle, variant);
        for (var round = 0; round < 8; round++)
        {
            var heads = oracle.ReadLedger().Boxes.Where(b => b.Env == "prod" && b.HeadStatus == "quarantined").Select(b => (b.Dataset, b.Box)).ToHashSet();
            var release = overrides.Where(heads.Contains).ToList();
            if (release.Count == 0) break;
            foreach (var (dataset, box) in release)
            {
                var run = oracle.Cli(variant, "override", $"{dataset}@{factory[dataset].BoxKey(box)}", "--reason", "the same override as the history");
                if (run.ExitCode != 0) throw new OracleException($"the oracle could not apply an override of the history:\n{run}");
            }
            Build(oracle, variant);
        }

        var ledger = oracle.ReadLedger();
        var boxes = new Dictionary<(string, long), OracleBox>();
        foreach (var box in ledger.Boxes.Where(b => b.Env == "prod"))
        {
            var current = box.Current is null ? null : hasher.Hash(home, ledger.Versions[box.Current]);
            var quarantined = box.HeadStatus == "quarantined" ? hasher.Hash(home, ledger.Versions[box.Head]) : null;
            boxes[(box.Dataset, box.Box)] = new OracleBox(current, quarantined);
        }
        var result = new OracleResult(boxes, home);
        _cache[key] = result;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Environment.GetEnvironmentVariable("TAKT_INVARIANT_KEEP") is null) Directory.Delete(home, recursive: true);
        return result;
    }

    private static void Build(SutHome oracle, string variant)
    {
        var run = oracle.Cli(variant, "build", "--json");
        if (run.ExitCode is not (0 or 2)) throw new OracleException($"a from-scratch build of the same landing data and code failed:\n{run}");
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        if (!Directory.Exists(from)) return;
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file).StartsWith('.')) continue;
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
