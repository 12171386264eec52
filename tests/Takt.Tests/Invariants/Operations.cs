using System.Globalization;

namespace Takt.Tests.Invariants;

/// <summary>
/// One step of a history, as text (<c>kind:arg:arg</c>) so that a history prints as one line and replays from it.
/// Arguments are raw random numbers; the runner resolves them against the state when the step runs (e.g. "the
/// k-th stopped box"), so that a shrunk history stays meaningful.
/// </summary>
internal sealed record Op(string Kind, IReadOnlyList<int> Args)
{
    public int Arg(int i) => i < Args.Count ? Args[i] : 0;

    public override string ToString() => Args.Count == 0 ? Kind : Kind + ":" + string.Join(':', Args.Select(a => a.ToString(CultureInfo.InvariantCulture)));

    public static Op Parse(string text)
    {
        var parts = text.Trim().Split(':');
        return new Op(parts[0], parts.Skip(1).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray());
    }

    public static IReadOnlyList<Op> ParseList(string text) =>
        text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToArray();

    public static string Format(IEnumerable<Op> ops) => string.Join(';', ops);
}

/// <summary>The kinds of steps, and which child processes the kill and pair steps start.</summary>
internal static class OpKinds
{
    public const string Land = "land";            // land:days:gap
    public const string Late = "late";            // late:pick (fill a gap, or a new revision of a landed day)
    public const string Dimension = "dimension";  // a new revision of the unpartitioned file
    public const string Defect = "defect";        // defect:kind:pick (kind past the day defects: the dimension's)
    public const string Fix = "fix";              // fix:pick
    public const string Invalidate = "invalidate";// invalidate:dataset:pick:length
    public const string Override = "override";    // override:pick
    public const string Code = "code";            // code:n switches the working copy to the subject's n-th code variant (0: as committed)
    public const string Build = "build";
    public const string BuildDev = "build-dev";   // build-dev:env
    public const string Drop = "drop";            // drop:env
    public const string Gc = "gc";                // gc:keep-days
    public const string Publish = "publish";
    public const string Rollback = "rollback";
    public const string Kill = "kill";            // kill:process:delay-ms
    public const string Pair = "pair";            // pair:process:process
    public const string Crash = "crash";          // crash:point:n: a child prod build dies at the n-th pass of an injected crash point (replays exactly)

    /// <summary>The crash points Takt's fault injection knows (TAKT_CRASH_AT).</summary>
    public static readonly string[] CrashPoints = ["after-stage", "after-promote", "after-commit"];

    /// <summary>Child processes: 0 build prod, 1 build dev-a, 2 gc --keep-days 0, 3 publish.</summary>
    public static readonly string[] Processes = ["build", "build-dev", "gc", "publish"];

    public static readonly string[] DevEnvs = ["dev-a", "dev-b"];
}

/// <summary>Random histories: the first step lands data, the last builds prod, and builds come often enough to check.</summary>
internal static class HistoryGenerator
{
    public static IReadOnlyList<Op> Generate(ISubject subject, int seed, int count)
    {
        var rng = new Random(seed);
        var ops = new List<Op> { new(OpKinds.Land, [3, 0]) };
        var datasets = subject.Factory("").Datasets.Count;
        var child = subject.Child("") is not null;
        while (ops.Count < count - 1)
        {
            var roll = rng.Next(100);
            Op op = roll switch
            {
                < 14 => new(OpKinds.Land, [rng.Next(1, 4), rng.Next(5) == 0 ? 1 : 0]),
                < 20 => new(OpKinds.Late, [rng.Next(1000)]),
                < 23 when subject.Dimension is not null => new(OpKinds.Dimension, []),
                < 32 => new(OpKinds.Defect, [rng.Next(subject.Defects.Count + (subject.Dimension is null ? 0 : 1)), rng.Next(1000)]),
                < 38 => new(OpKinds.Fix, [rng.Next(1000)]),
                < 43 => new(OpKinds.Invalidate, [rng.Next(datasets), rng.Next(1000), rng.Next(1, 5)]),
                < 48 => new(OpKinds.Override, [rng.Next(1000)]),
                < 52 => new(OpKinds.Code, [rng.Next(subject.Variants.Count)]),
                < 68 => new(OpKinds.Build, []),
                < 74 => new(OpKinds.BuildDev, [rng.Next(OpKinds.DevEnvs.Length)]),
                < 76 => new(OpKinds.Drop, [rng.Next(OpKinds.DevEnvs.Length)]),
                < 79 => new(OpKinds.Gc, [rng.Next(3) == 0 ? 7 : 0]),
                < 82 => new(OpKinds.Publish, []),
                < 85 => new(OpKinds.Rollback, []),
                < 93 when child => new(OpKinds.Kill, [rng.Next(3) switch { 0 => 0, 1 => 3, _ => 2 }, rng.Next(150, 3000)]),
                < 97 when child => new(OpKinds.Pair, [rng.Next(OpKinds.Processes.Length), rng.Next(2)]),
                < 100 when child => new(OpKinds.Crash, [rng.Next(OpKinds.CrashPoints.Length), rng.Next(1, 25)]),
                _ => new(OpKinds.Build, []),
            };
            ops.Add(op);
        }
        ops.Add(new Op(OpKinds.Build, []));
        return ops;
    }
}
