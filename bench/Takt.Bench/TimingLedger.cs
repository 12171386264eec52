using System.Collections;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Takt.Ledger;

namespace Takt.Bench;

public sealed record CallStats(string Method, int Calls, double Ms, long Rows);

/// <summary>
/// An <see cref="ILedger"/> that forwards every call to another and adds up, per method, calls, wall time and rows
/// returned: how much of a plan is spent in the ledger and how much in the planner itself. A dispatch proxy, so it
/// follows the interface as it changes.
/// </summary>
public class TimingLedger : DispatchProxy
{
    private ILedger _inner = null!;
    private readonly Dictionary<string, (int Calls, long Ticks, long Rows)> _stats = [];

    public static (ILedger Ledger, TimingLedger Timing) Wrap(ILedger inner)
    {
        var proxy = Create<ILedger, TimingLedger>();
        var timing = (TimingLedger)(object)proxy;
        timing._inner = inner;
        return (proxy, timing);
    }

    public IReadOnlyList<CallStats> Stats =>
        _stats.Select(s => new CallStats(s.Key, s.Value.Calls, s.Value.Ticks * 1000.0 / Stopwatch.Frequency, s.Value.Rows))
            .OrderByDescending(s => s.Ms).ToArray();

    public double TotalMs => _stats.Values.Sum(s => s.Ticks) * 1000.0 / Stopwatch.Frequency;

    public void Reset() => _stats.Clear();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IDisposable.Dispose)) return null; // the wrapped ledger belongs to whoever made it
        var start = Stopwatch.GetTimestamp();
        object? result;
        try
        {
            result = targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        var ticks = Stopwatch.GetTimestamp() - start;
        var rows = result is ICollection c ? c.Count : args?.OfType<ICollection>().FirstOrDefault()?.Count ?? 0;
        _stats.TryGetValue(targetMethod.Name, out var s);
        _stats[targetMethod.Name] = (s.Calls + 1, s.Ticks + ticks, s.Rows + rows);
        return result;
    }
}
