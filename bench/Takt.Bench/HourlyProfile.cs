using System.Diagnostics;
using Takt.Building;
using Takt.Composition;
using Takt.Planning;
using Takt.Server.Api;

namespace Takt.Bench;

/// <summary><c>hourly-profile --home DIR</c>: where `status` and `/api/matrix` spend their time over a kept benchmark 9 home.</summary>
internal static class HourlyProfile
{
    public static int Run(Options o)
    {
        var home = o.Home ?? throw new UsageException("hourly-profile needs --home (a home kept by `all --only 9 --keep`, its hourly/ directory).");
        var factory = HourlyRig.Declare(home);
        using var ws = WorkspaceBuilder.At(home).Open(factory);
        for (var i = 0; i < 3; i++)
        {
            var (ledger, timing) = TimingLedger.Wrap(ws.Ledger);
            var clock = Stopwatch.StartNew();
            var plan = new Planner(factory, ledger).Create(ws.Env, []);
            var planMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            var landing = new BuildService(ws).Plan([], landing: true);
            var statusMs = clock.Elapsed.TotalMilliseconds;
            Console.WriteLine($"plan {planMs:N1} ms (ledger {timing.TotalMs:N1} ms: {string.Join(", ", timing.Stats.Take(5).Select(s => $"{s.Method} {s.Calls}x {s.Ms:N1} ms {s.Rows} rows"))}); " +
                              $"plan with landing {statusMs:N1} ms, {landing.Tasks.Count} tasks");
            var view = new FactoryView(factory, ws.Ledger, ws.Ledger, ws.Env);
            clock.Restart();
            var range = view.DataRange(DateOnly.FromDateTime(DateTime.UtcNow), 100_000);
            var rangeMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(view.Matrix(range.From, range.To));
            Console.WriteLine($"view: plan {rangeMs:N1} ms, matrix {clock.Elapsed.TotalMilliseconds:N1} ms ({json.Length:N0} bytes)");
        }
        return 0;
    }
}
