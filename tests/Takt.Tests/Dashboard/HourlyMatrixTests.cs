using System.Net;
using System.Text.Json;
using Takt.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Takt.Tests.Dashboard;

/// <summary>The box matrix of an hourly dataset: every box in the API, drawn on a canvas, each named on hover and click.</summary>
public sealed class HourlyMatrixTests(HourlyMatrixFixture fixture) : IClassFixture<HourlyMatrixFixture>
{
    private const string Dataset = HourlyMatrixFixture.Dataset;

    [Fact]
    public async Task The_matrix_api_sends_the_status_of_every_hourly_box_run_length_encoded_and_the_worst_of_each_day()
    {
        using var http = new HttpClient { BaseAddress = fixture.Url };
        using var response = await http.GetAsync("/api/matrix?from=2026-01-01&to=2026-01-03");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var row = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("rows").EnumerateArray()
            .Single(r => r.GetProperty("dataset").GetString() == Dataset);
        var boxes = row.GetProperty("boxes");
        Assert.Equal("2026-01-01T00", boxes.GetProperty("first").GetString());
        Assert.Equal(72, boxes.GetProperty("count").GetInt32());
        // 37 fresh hours up to 2026-01-02T12, the stopped 13:00, 22 fresh up to 2026-01-03T11, then 12 hours with no data.
        Assert.Equal("f37q1f22-12", boxes.GetProperty("runs").GetString());
        Assert.Equal("fqf", row.GetProperty("cells").GetString());
        Assert.Equal(59, row.GetProperty("counts").GetProperty("fresh").GetInt64());
        Assert.Equal(1, row.GetProperty("counts").GetProperty("quarantined").GetInt64());
    }

    [BrowserFact]
    public async Task The_box_matrix_draws_each_hour_in_its_status_color_and_hovering_or_clicking_names_the_box()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.Url + "#matrix?from=2026-01-01&to=2026-01-03");
        await MatrixCanvas.WaitDrawnAsync(page);
        await Expect(page.Locator("#matrix-legend")).ToContainTextAsync("quarantined");

        var stopped = await MatrixCanvas.ColumnsAsync(page, Dataset, "quarantined");
        Assert.True(MatrixCanvas.Contiguous(stopped), $"one stopped box, one run of columns: {string.Join(",", stopped)}");
        var fresh = await MatrixCanvas.ColumnsAsync(page, Dataset, "fresh");
        Assert.True(fresh.Length > 10 * stopped.Length, "the other hours are drawn fresh");
        Assert.Contains(fresh, x => x < stopped[0]);
        Assert.Contains(fresh, x => x > stopped[^1]);

        Assert.Equal($"{Dataset}@{HourlyMatrixFixture.Stopped} · quarantined", await MatrixCanvas.HoverAsync(page, Dataset, stopped[stopped.Length / 2]));
        Assert.Matches(@"^raw\.events@2026-01-02T1[012] · fresh$", await MatrixCanvas.HoverAsync(page, Dataset, stopped[0] - 2));

        await MatrixCanvas.ClickAsync(page, Dataset, stopped[0]);
        await Expect(page.Locator("#box-details h3").First).ToHaveTextAsync($"{Dataset}@{HourlyMatrixFixture.Stopped}");
        await Expect(page.Locator("#box-details")).ToContainTextAsync("range(x)");
        await Expect(page.Locator("#box-details button.danger")).ToHaveTextAsync("Override…");
        await Artifacts.ScreenshotAsync(page, "dashboard-hourly-boxes");
    }

    [BrowserFact]
    public async Task When_hours_are_narrower_than_a_pixel_a_pixel_shows_its_worst_box_and_names_it()
    {
        var page = await fixture.NewPageAsync();
        // 95 days: at most 12 px a day, so every pixel column covers two hours or more.
        await page.GotoAsync(fixture.Url + "#matrix?from=2025-10-01&to=2026-01-03");
        await MatrixCanvas.WaitDrawnAsync(page);
        var stopped = await MatrixCanvas.ColumnsAsync(page, Dataset, "quarantined");
        Assert.Single(stopped);
        var text = await MatrixCanvas.HoverAsync(page, Dataset, stopped[0]);
        Assert.StartsWith($"{Dataset}@{HourlyMatrixFixture.Stopped} · quarantined (the worst of the ", text);
        var counts = await page.Locator($"#matrix .mrow[data-dataset='{Dataset}']").GetAttributeAsync("data-counts");
        Assert.Equal(59, JsonDocument.Parse(counts!).RootElement.GetProperty("fresh").GetInt64());
        await Expect(page.Locator($"#matrix .mrow[data-dataset='{Dataset}'] .mname")).ToHaveAttributeAsync("title", $"{Dataset} (ops@example.com, hourly): 59 fresh, 1 quarantined");
    }
}
