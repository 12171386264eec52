using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Takt.Composition;
using Takt.Server;

namespace Takt.Bench;

internal static partial class Suite
{
    // 9. One dataset of 100,000 hourly boxes: status, /api/matrix, the dashboard's box matrix -------------------------

    private const string Chromium = "/usr/bin/chromium";

    private static void HourlyBoxes(string root)
    {
        var boxes = _o.Quick ? 2_000 : 100_000;
        var home = Path.Combine(root, "hourly");
        Console.WriteLine($"[9] filling the ledger with {boxes:N0} hourly boxes ...");
        var truth = HourlyRig.Create(home, boxes);
        var rows = $"{truth.Fresh:N0} fresh, {truth.Stale.Count} stale, {truth.Quarantined.Count} quarantined";

        // status, as a user types it: one untimed warm-up (file cache), then timed runs; each must report the ledger's truth.
        var statusRuns = new List<double>();
        for (var i = 0; i <= _o.Many; i++)
        {
            var run = ChildProcess.Run(FactoryCli.Arguments(BenchFactory.Hourly, home, boxes, ["--home", home, "status", "--json"]), Cap);
            if (run.ExitCode is not (0 or 2)) { Fail($"hourly status: {run.Describe}"); break; }
            CheckStatus(JsonDocument.Parse(run.Stdout).RootElement, truth);
            if (i > 0) statusRuns.Add(run.Seconds);
        }
        var status = statusRuns.Count > 0 ? new Measure(statusRuns) : null;

        Measure? api = null, browser = null;
        double? apiCold = null;
        long apiBytes = 0;
        var server = DashboardServer.StartAsync(HourlyRig.Declare(home), WorkspaceBuilder.At(home), null,
            new ServeSettings { Bind = IPAddress.Loopback, Port = 0, RunSchedulerLoop = false }).GetAwaiter().GetResult();
        try
        {
            using var http = new HttpClient { BaseAddress = server.Url, Timeout = Cap };
            var path = $"/api/matrix?from={truth.FirstDay:yyyy-MM-dd}&to={truth.LastDay:yyyy-MM-dd}";
            var apiRuns = new List<double>();
            for (var i = 0; i <= _o.Many; i++)
            {
                var clock = Stopwatch.StartNew();
                using var response = http.GetAsync(path).GetAwaiter().GetResult();
                var body = response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
                var seconds = clock.Elapsed.TotalSeconds;
                if (!response.IsSuccessStatusCode) { Fail($"hourly {path}: {(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body)}"); break; }
                CheckMatrix(JsonDocument.Parse(body).RootElement, truth);
                apiBytes = body.Length;
                if (i == 0) apiCold = seconds; // the first request computes the plan the view caches until the ledger changes
                else apiRuns.Add(seconds);
            }
            api = apiRuns.Count > 0 ? new Measure(apiRuns) : null;
            browser = BrowserMatrix(server.Url, truth);
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        Line($"\n## 9. One dataset of {boxes:N0} hourly boxes: status, /api/matrix and the dashboard's box matrix\n");
        Line($"One hourly source from {truth.FirstKey} to {truth.LastKey}, its ledger as a complete build leaves it, then {truth.Quarantined.Count} boxes " +
             "stopped by a check (a quarantined head) and two days invalidated: " + rows + ". `status --json` is the factory program in a fresh " +
             "process (after one untimed run). `/api/matrix` is asked for the whole range over loopback from the server started in process; " +
             "the first request computes the plan the view caches until the ledger changes (reported apart). The browser time is Chromium " +
             "(headless, a new page each time) from navigation to `#matrix?from=..&to=..` over the whole range until the app marks the matrix " +
             "drawn (`performance.mark('takt-matrix-drawn')`). Every answer is checked against the ledger: status's counts, every box's status " +
             "in the API's runs, the counts the page shows.\n");
        Line("| what | Takt | target | met |");
        Line("|---|---|---|---|");
        Line($"| `status --json` process | {Show(status)} | < 0.5 s | {YesNo(status is not null && status.Median < 0.5)} |");
        Line($"| `/api/matrix`, whole range ({apiBytes / 1024.0:N0} KiB) | {Show(api)}; first request {Time(apiCold)} | < 0.3 s | {YesNo(api is not null && api.Median < 0.3)} |");
        Line($"| box matrix drawn in Chromium | {Show(browser)} | < 2 s | {YesNo(browser is not null && browser.Median < 2)} |");
        Summary.Add([$"9. {boxes:N0} hourly boxes: status CLI", Time(status?.Median), "-", "", "< 0.5 s", YesNo(status is not null && status.Median < 0.5)]);
        Summary.Add([$"9. {boxes:N0} hourly boxes: /api/matrix whole range", Time(api?.Median), "-", "", "< 0.3 s", YesNo(api is not null && api.Median < 0.3)]);
        Summary.Add([$"9. {boxes:N0} hourly boxes: matrix drawn in Chromium", Time(browser?.Median), "-", "", "< 2 s", YesNo(browser is not null && browser.Median < 2)]);
    }

    private static void CheckStatus(JsonElement json, HourlyTruth truth)
    {
        var row = json.GetProperty("datasets").EnumerateArray().Single(d => d.GetProperty("dataset").GetString() == HourlyRig.Dataset);
        var fresh = row.GetProperty("fresh").GetInt64();
        var stale = row.GetProperty("stale").GetInt64();
        var quarantined = row.GetProperty("quarantined").EnumerateArray().Select(q => q.GetString()).ToHashSet();
        var expected = truth.Quarantined.Select(b => Boxes.GrainMath.Format(Boxes.Grain.Hourly, b)).ToHashSet();
        if (fresh != truth.Fresh || stale != truth.Stale.Count || !quarantined.SetEquals(expected))
            Fail($"hourly status says {fresh} fresh, {stale} stale, {quarantined.Count} quarantined; the ledger holds {truth.Fresh}, {truth.Stale.Count}, {expected.Count}");
        if (row.GetProperty("first").GetString() != truth.FirstKey || row.GetProperty("last").GetString() != truth.LastKey)
            Fail($"hourly status shows boxes {row.GetProperty("first")}..{row.GetProperty("last")}, expected {truth.FirstKey}..{truth.LastKey}");
    }

    /// <summary>Every box of the range in the row's runs, each with the status the ledger gives it.</summary>
    private static void CheckMatrix(JsonElement json, HourlyTruth truth)
    {
        var row = json.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("dataset").GetString() == HourlyRig.Dataset);
        if (!row.TryGetProperty("boxes", out var boxes)) { Fail("hourly /api/matrix: the row has no boxes (one status per hourly box)"); return; }
        if (!Boxes.GrainMath.TryParse(Boxes.Grain.Hourly, boxes.GetProperty("first").GetString() ?? "", out var box))
        {
            Fail($"hourly /api/matrix: the row's first box {boxes.GetProperty("first")} is not an hour");
            return;
        }
        var wrong = new List<string>();
        var seen = 0L;
        foreach (var (code, length) in Runs(boxes.GetProperty("runs").GetString()!))
        {
            for (var i = 0; i < length; i++, box++)
            {
                var expected = box < truth.FirstBox || box > truth.LastBox ? '-' : truth.StatusOf(box);
                if (expected != '-') seen++;
                if (code != expected && wrong.Count < 5) wrong.Add($"{Boxes.GrainMath.Format(Boxes.Grain.Hourly, box)} is '{code}', expected '{expected}'");
            }
        }
        if (wrong.Count > 0) Fail("hourly /api/matrix: " + string.Join("; ", wrong));
        if (seen != truth.Boxes) Fail($"hourly /api/matrix covers {seen} of the {truth.Boxes} boxes");
    }

    /// <summary>The runs of a run-length encoded status string: a status letter, then its count ("f1008q1f20").</summary>
    private static IEnumerable<(char Code, long Length)> Runs(string runs)
    {
        var i = 0;
        while (i < runs.Length)
        {
            var code = runs[i++];
            var start = i;
            while (i < runs.Length && char.IsAsciiDigit(runs[i])) i++;
            yield return (code, long.Parse(runs.AsSpan(start, i - start), provider: System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static Measure? BrowserMatrix(Uri url, HourlyTruth truth)
    {
        if (!File.Exists(Chromium)) { Fail($"the browser benchmark needs {Chromium} (apt-get install -y chromium)"); return null; }
        return BrowserMatrixAsync(url, truth).GetAwaiter().GetResult();
    }

    private static async Task<Measure?> BrowserMatrixAsync(Uri url, HourlyTruth truth)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        });
        var target = new Uri(url, $"/#matrix?from={truth.FirstDay:yyyy-MM-dd}&to={truth.LastDay:yyyy-MM-dd}").ToString();
        var times = new List<double>();
        for (var i = 0; i <= _o.Many; i++)
        {
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 820 } });
            try
            {
                page.SetDefaultTimeout(120_000);
                await page.GotoAsync(target);
                await page.WaitForSelectorAsync("body[data-matrix-drawn]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });
                var ms = await page.EvaluateAsync<double>("() => performance.getEntriesByName('takt-matrix-drawn').at(-1).startTime");
                var shown = await page.EvaluateAsync<Dictionary<string, long>>(
                    $"() => JSON.parse(document.querySelector('#matrix .mrow[data-dataset=\"{HourlyRig.Dataset}\"]').dataset.counts)");
                if (shown.GetValueOrDefault("fresh") != truth.Fresh || shown.GetValueOrDefault("stale") != truth.Stale.Count
                    || shown.GetValueOrDefault("quarantined") != truth.Quarantined.Count)
                    Fail($"the dashboard's matrix shows {string.Join(", ", shown.Select(kv => $"{kv.Value} {kv.Key}"))}; the ledger holds " +
                         $"{truth.Fresh} fresh, {truth.Stale.Count} stale, {truth.Quarantined.Count} quarantined");
                Console.WriteLine($"[9] browser: matrix drawn after {ms:N0} ms");
                if (i > 0) times.Add(ms / 1000); // the first page warms Chromium's and the server's caches
            }
            finally
            {
                await page.CloseAsync();
            }
        }
        return times.Count > 0 ? new Measure(times) : null;
    }
}
