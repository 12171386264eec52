using Microsoft.Playwright;
using Takt.Ledger;
using Takt.Tests.EndToEnd;
using static Microsoft.Playwright.Assertions;
using Takt.Tests.Support;

namespace Takt.Tests.Dashboard;

/// <summary>The dashboard in real Chromium (Debian's, driven by Playwright) against <c>serve</c> over a built Shop factory.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardBrowserTests(DashboardFixture fixture)
{
    [BrowserFact]
    public async Task The_dashboard_loads_and_the_lineage_graph_shows_every_dataset()
    {
        var page = await fixture.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };

        await page.GotoAsync(fixture.Url + "#graph");
        await Expect(page.Locator("#factory-name")).ToHaveTextAsync("shop");
        var nodes = page.Locator("#graph .node");
        await Expect(nodes).ToHaveCountAsync(fixture.Factory.Datasets.Count);
        var shown = await nodes.EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.dataset)");
        Assert.Equal(fixture.Factory.Datasets.Select(d => d.Name).Order(), shown.Order());
        // Laid out by dagre: sources left of what reads them, every edge drawn.
        var x = await nodes.EvaluateAllAsync<Dictionary<string, double>>(
            "nodes => Object.fromEntries(nodes.map(n => [n.dataset.dataset, n.transform.baseVal.getItem(0).matrix.e]))");
        Assert.True(x["raw.orders"] < x["core.orders"] && x["core.orders"] < x["mart.user_features"] && x["mart.user_features"] < x["serving.fraud_scores"]);
        var edges = fixture.Factory.Datasets.Sum(d => d.Upstream.Count());
        await Expect(page.Locator("#graph .edge")).ToHaveCountAsync(edges);

        // Selecting a dataset shows its owner and lights its lineage.
        await page.Locator("#graph .node[data-dataset='core.orders']").ClickAsync();
        await Expect(page.Locator("#graph-details h3")).ToHaveTextAsync("core.orders");
        await Expect(page.Locator("#graph-details")).ToContainTextAsync("data-platform@shop.example");
        await Expect(page.Locator("#graph .node.dim[data-dataset='mart.signups_by_country']")).ToHaveCountAsync(1);
        await Artifacts.ScreenshotAsync(page, "dashboard-lineage");
        Assert.Empty(errors);
    }

    [BrowserFact]
    public async Task After_a_defect_the_box_matrix_shows_the_quarantined_day_and_its_blocked_downstream()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.Url + "#matrix");
        var rows = page.Locator("#matrix .mrow[data-dataset]");
        await Expect(rows).ToHaveCountAsync(fixture.Factory.Datasets.Count);
        Assert.Equal(E2E.Key(DashboardFixture.First), await page.Locator("#matrix-from").InputValueAsync());
        Assert.Equal(E2E.Key(DashboardFixture.Last), await page.Locator("#matrix-to").InputValueAsync());

        await MatrixCanvas.WaitDrawnAsync(page);
        var day = E2E.Key(DashboardFixture.Defect);
        var quarantined = await MatrixCanvas.ColumnsAsync(page, "core.orders", "quarantined");
        Assert.NotEmpty(quarantined);
        Assert.Equal($"core.orders@{day} · quarantined", await MatrixCanvas.HoverAsync(page, "core.orders", quarantined[0]));
        var blocked = await MatrixCanvas.ColumnsAsync(page, "mart.daily_revenue", "blocked");
        Assert.NotEmpty(blocked);
        Assert.Equal($"mart.daily_revenue@{day} · blocked", await MatrixCanvas.HoverAsync(page, "mart.daily_revenue", blocked[0]));
        var fresh = await MatrixCanvas.ColumnsAsync(page, "raw.orders", "fresh"); // all 8 days fresh
        Assert.Equal($"raw.orders@{E2E.Key(DashboardFixture.First)} · fresh", await MatrixCanvas.HoverAsync(page, "raw.orders", fresh[0]));
        Assert.Equal($"raw.orders@{E2E.Key(DashboardFixture.Last)} · fresh", await MatrixCanvas.HoverAsync(page, "raw.orders", fresh[^1]));

        // Clicking the cell shows why it stopped.
        await MatrixCanvas.ClickAsync(page, "core.orders", quarantined[0]);
        await Expect(page.Locator("#box-details h3").First).ToHaveTextAsync($"core.orders@{day}");
        await Expect(page.Locator("#box-details")).ToContainTextAsync("range(amount)");
        await Expect(page.Locator("#box-details button.danger")).ToHaveTextAsync("Override…");
        await Artifacts.ScreenshotAsync(page, "dashboard-boxes");
    }

    [BrowserFact]
    public async Task The_override_button_releases_the_box_records_the_reason_and_shows_it_escaped()
    {
        var page = await fixture.NewPageAsync();
        var dialogs = 0;
        page.Dialog += async (_, d) => { dialogs++; await d.DismissAsync(); };
        await page.GotoAsync(fixture.Url + "#checks");
        var day = E2E.Key(DashboardFixture.SecondDefect);
        var card = page.Locator($"#quarantines .card[data-dataset='core.orders'][data-box='{day}']");
        await Expect(card).ToContainTextAsync("range(amount)");
        await Artifacts.ScreenshotAsync(page, "dashboard-checks");

        // An empty reason is refused in the dialog.
        await card.Locator("button.override").ClickAsync();
        await Expect(page.Locator("#override-dialog")).ToBeVisibleAsync();
        await page.Locator("#override-confirm").ClickAsync();
        await Expect(page.Locator("#override-dialog")).ToBeVisibleAsync();

        const string reason = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\"> refunds are negative on purpose";
        await page.Locator("#override-reason").FillAsync(reason);
        await Artifacts.ScreenshotAsync(page, "dashboard-override-dialog");
        await page.Locator("#override-confirm").ClickAsync();
        await Expect(page.Locator("#override-dialog")).ToBeHiddenAsync();
        await Expect(card).ToHaveCountAsync(0);

        // The ledger recorded the reason as typed.
        var ledger = fixture.Server.Context.Workspace.Ledger;
        var recorded = Assert.Single(ledger.EventsOfKinds([EventKind.Override], "core.orders", 10), e => e.BoxKey == day);
        Assert.Equal(reason, recorded.Message);

        // The page shows it as text: the markup is visible, nothing of it ran or became an element.
        var message = page.Locator($"#check-events li[data-kind='override'][data-event='{recorded.Id}'] .message");
        await Expect(message).ToHaveTextAsync(reason);
        var html = await message.InnerHTMLAsync();
        Assert.Contains("&lt;script&gt;", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await page.Locator("#check-events script, #check-events img").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.__xss === undefined"));
        Assert.Equal(0, dialogs);
        await Artifacts.ScreenshotAsync(page, "dashboard-after-override");

        // The box is released in the matrix too; the other defect still stops the line.
        await page.GotoAsync(fixture.Url + "#matrix");
        await MatrixCanvas.WaitDrawnAsync(page);
        var stopped = await MatrixCanvas.ColumnsAsync(page, "core.orders", "quarantined");
        Assert.Equal($"core.orders@{E2E.Key(DashboardFixture.Defect)} · quarantined", await MatrixCanvas.HoverAsync(page, "core.orders", stopped[0]));
        Assert.Equal($"core.orders@{E2E.Key(DashboardFixture.Defect)} · quarantined", await MatrixCanvas.HoverAsync(page, "core.orders", stopped[^1]));
        Assert.Equal("fresh", await page.EvaluateAsync<string>("async day => (await (await fetch('/api/boxes/core.orders/' + day)).json()).status", day));
    }

    [BrowserFact]
    public async Task Runs_show_their_tasks_with_durations_and_logs()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.Url + "#runs");
        var runs = page.Locator("#runs tr[data-run]");
        await Expect(runs).Not.ToHaveCountAsync(0);
        var firstBuild = fixture.Server.Context.Workspace.Ledger.Runs(100).Where(r => r.Command == "build").MinBy(r => r.StartedAtMs)!;
        await page.Locator($"#runs tr[data-run='{firstBuild.Id}']").ClickAsync();
        await Expect(page.Locator("#run-details h3")).ToHaveTextAsync($"run {firstBuild.Id}");
        var tasks = page.Locator("#run-details tr[data-task]");
        var expected = fixture.Server.Context.Workspace.Ledger.Tasks(firstBuild.Id).Count;
        await Expect(tasks).ToHaveCountAsync(expected);
        var task = page.Locator("#run-details tr[data-task]").Filter(new LocatorFilterOptions { HasText = "core.orders" }).First;
        await task.ClickAsync();
        await Expect(page.Locator("#run-details pre.log").First).Not.ToBeEmptyAsync();
        await Artifacts.ScreenshotAsync(page, "dashboard-runs");
    }

    [BrowserFact]
    public async Task The_metrics_tab_charts_errors_per_week_and_lists_the_unused_dataset_as_waste()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.Url + "#metrics");
        await Expect(page.Locator("#metrics .chart svg rect").First).ToBeVisibleAsync();
        await Expect(page.Locator("#metrics .chart h3").First).ToContainTextAsync("Errors per week");
        // Both negative-amount days failed core.orders' blocking range check: counted for its owner.
        var owner = fixture.Factory["core.orders"].Owner;
        var row = page.Locator("#metrics table.grid tr").Filter(new LocatorFilterOptions { HasText = owner }).First;
        await Expect(row).ToBeVisibleAsync();
        await Expect(page.Locator("#waste tr[data-dataset='mart.signups_by_country'][data-kind='unused_dataset']")).ToHaveCountAsync(1);
        await Artifacts.ScreenshotAsync(page, "dashboard-metrics");
    }

    [BrowserFact]
    public async Task The_catalog_tab_lists_every_dataset_and_one_truth_per_semantic_type()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.Url + "#catalog");
        await Expect(page.Locator("#catalog .catalog-entry")).ToHaveCountAsync(fixture.Factory.Datasets.Count);
        await Expect(page.Locator("#catalog .catalog-entry[data-dataset='core.orders']")).ToContainTextAsync(fixture.Factory["core.orders"].Owner);
        await Expect(page.Locator("#catalog")).ToContainTextAsync("One truth per semantic type");

        var risk = fixture.Factory["serving.fraud_scores"].Owner;
        await page.Locator("#catalog input[type=search]").FillAsync(risk);
        await Expect(page.Locator("#catalog .catalog-entry")).ToHaveCountAsync(fixture.Factory.Datasets.Count(d => d.Owner == risk));
        await Artifacts.ScreenshotAsync(page, "dashboard-catalog");
    }
}
