using System.Globalization;
using Takt.Boxes;

namespace Takt.Tests.Invariants;

/// <summary>The first invariant a history broke: at which step, and what.</summary>
internal sealed record Failure(int Step, Op Op, Violation Violation, IReadOnlyList<string> Log);

/// <summary>
/// Runs one history against a fresh home: each step changes the landing zone or runs the factory (in process, or as
/// child processes killed with SIGKILL or run two at once), updates the model, and checks the invariants that the
/// step should leave true. Stops at the first violation.
/// </summary>
internal sealed partial class HistoryRunner(ISubject subject, int seed, string root, ContentHasher hasher, Oracle oracle)
{
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromMinutes(5);
    private readonly Model _model = new(subject, seed);
    private readonly SutHome _sut = new(subject, Path.Combine(root, "home"));
    private readonly List<string> _log = [];
    private InvariantChecks _checks = null!;
    /// <summary>What the model expected of prod at its last complete build: what an override releases. Null when a kill left it unknown.</summary>
    private Expectation? _prodAtLastBuild;

    public int StepsRun { get; private set; }
    internal SutHome Sut => _sut;
    internal InvariantChecks Checks => _checks;
    public int ChecksRun { get; private set; }

    /// <summary>In exploration, every violation after the first is kept too (the history goes on), once per invariant.</summary>
    public List<Failure> Later { get; } = [];

    public Failure? Run(IReadOnlyList<Op> ops, bool explore = false)
    {
        Directory.CreateDirectory(_sut.Landing);
        _checks = new InvariantChecks(_sut, _model, hasher, oracle);
        Failure? first = null;
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            var note = Execute(op, i);
            StepsRun++;
            _log.Add($"{i,3} {op,-22} {note}");
            if (_checks.Found.Count == 0) continue;
            foreach (var violation in _checks.Found)
            {
                var failure = new Failure(i, op, violation, _log.ToList());
                if (first is null) first = failure;
                else if (Later.All(f => f.Violation.Invariant != violation.Invariant) && first.Violation.Invariant != violation.Invariant) Later.Add(failure);
            }
            _checks.Found.Clear();
            if (!explore) return first;
        }
        return first;
    }

    private string Execute(Op op, int index)
    {
        switch (op.Kind)
        {
            case OpKinds.Land: return Land(op.Arg(0), op.Arg(1) == 1, first: index == 0);
            case OpKinds.Late: return Late(op.Arg(0));
            case OpKinds.Dimension:
                if (subject.Dimension is null || !_model.DimensionLanded) return "skipped: no dimension";
                _model.DimensionRevision++;
                WriteDimension();
                return $"users revision {_model.DimensionRevision}";
            case OpKinds.Defect: return Defect(op.Arg(0), op.Arg(1));
            case OpKinds.Fix: return Fix(op.Arg(0));
            case OpKinds.Invalidate: return Invalidate(op.Arg(0), op.Arg(1), Math.Max(1, op.Arg(2)));
            case OpKinds.Override: return Override(op.Arg(0));
            case OpKinds.Code:
                _model.WorkingVariant = subject.Variants[op.Arg(0) % subject.Variants.Count];
                return $"working copy: {subject.DescribeVariant(_model.WorkingVariant)}";
            case OpKinds.Build: return Build("prod");
            case OpKinds.BuildDev: return Build(OpKinds.DevEnvs[op.Arg(0) % OpKinds.DevEnvs.Length]);
            case OpKinds.Drop: return Drop(OpKinds.DevEnvs[op.Arg(0) % OpKinds.DevEnvs.Length]);
            case OpKinds.Gc: return Gc(op.Arg(0));
            case OpKinds.Publish: return Publish();
            case OpKinds.Rollback: return Rollback();
            case OpKinds.Kill: return Kill(op.Arg(0) % OpKinds.Processes.Length, op.Arg(1));
            case OpKinds.Pair: return Pair(op.Arg(0) % OpKinds.Processes.Length, op.Arg(1) % 2);
            case OpKinds.Crash: return Crash(OpKinds.CrashPoints[op.Arg(0) % OpKinds.CrashPoints.Length], Math.Max(1, op.Arg(1)));
            default: throw new HarnessException($"unknown step '{op}'");
        }
    }

    private string Land(int days, bool gap, bool first)
    {
        if (first && subject.Dimension is not null && !_model.DimensionLanded)
        {
            _model.DimensionLanded = true;
            WriteDimension();
        }
        var next = _model.Days.Count == 0 ? subject.FirstDay : _model.Days.Keys.Last().AddDays(gap ? 2 : 1);
        for (var i = 0; i < Math.Max(1, days); i++)
        {
            var day = next.AddDays(i);
            _model.Days[day] = new DayLanding(0, null);
            WriteDay(day);
        }
        return $"landed {Key(next)}..{Key(next.AddDays(Math.Max(1, days) - 1))}{(gap ? " after a gap" : "")}";
    }

    private string Late(int pick)
    {
        var gaps = _model.Gaps();
        if (gaps.Count > 0 && (pick % 2 == 0 || !subject.HasRevisions))
        {
            var day = gaps[pick / 2 % gaps.Count];
            _model.Days[day] = new DayLanding(0, null);
            WriteDay(day);
            return $"late file fills the gap {Key(day)}";
        }
        if (!subject.HasRevisions || _model.Days.Count == 0) return "skipped: nothing to deliver late";
        var old = _model.Days.Keys.ElementAt(pick % _model.Days.Count);
        _model.Days[old] = _model.Days[old] with { Revision = _model.Days[old].Revision + 1 };
        WriteDay(old);
        return $"late file changes {Key(old)} (revision {_model.Days[old].Revision})";
    }

    private string Defect(int kind, int pick)
    {
        if (kind >= subject.Defects.Count)
        {
            if (!_model.DimensionLanded) return "skipped: no dimension";
            _model.DimensionDefect = subject.DimensionDefect;
            WriteDimension();
            return $"users file gets {subject.DimensionDefect}";
        }
        if (_model.Days.Count == 0) return "skipped: no day";
        var day = _model.Days.Keys.ElementAt(pick % _model.Days.Count);
        _model.Days[day] = _model.Days[day] with { Defect = subject.Defects[kind] };
        WriteDay(day);
        return $"{Key(day)} gets {subject.Defects[kind]}";
    }

    private string Fix(int pick)
    {
        var broken = _model.Days.Where(d => d.Value.Defect is not null).Select(d => d.Key).ToList();
        if (_model.DimensionDefect is not null && (broken.Count == 0 || pick % (broken.Count + 1) == broken.Count))
        {
            _model.DimensionDefect = null;
            WriteDimension();
            return "users file fixed";
        }
        if (broken.Count == 0) return "skipped: nothing to fix";
        var day = broken[pick % broken.Count];
        _model.Days[day] = _model.Days[day] with { Defect = null };
        WriteDay(day);
        return $"{Key(day)} fixed";
    }

    private string Invalidate(int datasetPick, int pick, int length)
    {
        if (_model.Days.Count == 0) return "skipped: no data";
        var factory = subject.Factory(_model.EnvVariant["prod"]);
        var dataset = factory.Datasets[datasetPick % factory.Datasets.Count];
        var span = _model.Days.Keys.Last().DayNumber - subject.FirstDay.DayNumber + 1;
        var from = subject.FirstDay.AddDays(pick % span);
        var to = from.AddDays(length - 1);
        var run = _sut.Cli(_model.EnvVariant["prod"], "invalidate", dataset.Name, "--from", Key(from), "--to", Key(to), "--reason", "harness: these boxes were wrong");
        if (run.ExitCode != 0) throw new HarnessException($"invalidate failed:\n{run}");
        var boxes = GrainMath.FromDates(dataset.Grain, from, to);
        for (var box = boxes.Start; box <= boxes.End; box++)
            _model.Generations[(dataset.Name, box)] = _model.Generations.GetValueOrDefault((dataset.Name, box)) + 1;
        _model.Changes++;
        return $"invalidated {dataset.Name} {Key(from)}..{Key(to)}";
    }

    private void WriteDay(DateOnly day)
    {
        var state = _model.Days[day];
        subject.WriteDay(_sut.Landing, seed, day, state.Revision, state.Defect);
        _model.Changes++;
    }

    private void WriteDimension()
    {
        subject.WriteDimension(_sut.Landing, seed, _model.DimensionRevision, _model.DimensionDefect);
        _model.Changes++;
    }

    private static string Key(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
