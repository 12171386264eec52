namespace Takt.Tests.Invariants;

/// <summary>
/// Shrinks a failing history: drops chunks of steps, then single steps, while the same invariant still breaks, within
/// a time budget (each try replays the history in a fresh home). The first step (the first landing) is kept.
/// </summary>
internal static class Shrinker
{
    public static (IReadOnlyList<Op> Ops, Failure Failure, int Tries) Shrink(IReadOnlyList<Op> ops, Failure failure, TimeSpan budget, Func<IReadOnlyList<Op>, Failure?> replay)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var current = ops.Take(failure.Step + 1).ToList();
        var best = failure;
        var tries = 0;
        for (var chunk = Math.Max(1, (current.Count - 1) / 2); chunk >= 1 && clock.Elapsed < budget; chunk /= 2)
        {
            var start = 1;
            while (start < current.Count && clock.Elapsed < budget)
            {
                var candidate = current.Take(start).Concat(current.Skip(start + chunk)).ToList();
                tries++;
                var result = candidate.Count == current.Count ? null : replay(candidate);
                if (result is not null && result.Violation.Invariant == failure.Violation.Invariant)
                {
                    current = candidate.Take(result.Step + 1).ToList();
                    best = result;
                }
                else start += chunk;
            }
        }
        return (current, best, tries);
    }
}
