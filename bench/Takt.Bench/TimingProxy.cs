using System.Collections;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace Takt.Bench;

/// <summary>Adds up calls and wall time per method of any interface it stands in for (a dispatch proxy).</summary>
public class TimingProxy<T> : DispatchProxy where T : class
{
    private T _inner = null!;
    private readonly Dictionary<string, (int Calls, long Ticks)> _stats = [];
    private readonly Lock _gate = new();

    public static (T Proxy, TimingProxy<T> Timing) Wrap(T inner)
    {
        var proxy = Create<T, TimingProxy<T>>();
        var timing = (TimingProxy<T>)(object)proxy;
        timing._inner = inner;
        return (proxy, timing);
    }

    public IReadOnlyList<(string Method, int Calls, double Ms)> Stats
    {
        get
        {
            lock (_gate)
                return _stats.Select(s => (s.Key, s.Value.Calls, s.Value.Ticks * 1000.0 / Stopwatch.Frequency)).OrderByDescending(s => s.Item3).ToArray();
        }
    }

    public double TotalMs => Stats.Sum(s => s.Ms);

    public void Reset()
    {
        lock (_gate) _stats.Clear();
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IDisposable.Dispose)) return null; // the wrapped object belongs to whoever made it
        var start = Stopwatch.GetTimestamp();
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
        finally
        {
            var ticks = Stopwatch.GetTimestamp() - start;
            lock (_gate)
            {
                _stats.TryGetValue(targetMethod.Name, out var s);
                _stats[targetMethod.Name] = (s.Calls + 1, s.Ticks + ticks);
            }
        }
    }
}
