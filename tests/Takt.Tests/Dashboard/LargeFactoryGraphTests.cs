using System.Net;
using Takt.Composition;
using Takt.Definitions;
using Takt.Server;
using Takt.Tests.EndToEnd;
using static Microsoft.Playwright.Assertions;
using Takt.Tests.Support;

namespace Takt.Tests.Dashboard;

/// <summary>The lineage graph stays readable for a factory of 60 datasets: laid out in layers, no two datasets overlap.</summary>
[Collection(DashboardCollection.Name)]
public sealed class LargeFactoryGraphTests(DashboardFixture fixture)
{
    private static readonly string[] Layers = ["raw", "core", "mart", "serving"];

    /// <summary>6 sources, 20 core, 20 mart and 14 serving datasets, each reading one or two of the layer before.</summary>
    private static Factory SixtyDatasets()
    {
        var builder = new FactoryBuilder("sixty", AppContext.BaseDirectory);
        int[] counts = [6, 20, 20, 14];
        for (var layer = 0; layer < Layers.Length; layer++)
        {
            for (var i = 0; i < counts[layer]; i++)
            {
                var (l, n, before) = (layer, i, layer == 0 ? 0 : counts[layer - 1]);
                builder.Dataset($"{Layers[l]}.d{n:00}", d =>
                {
                    d.Owner($"team{n % 5}@example.com").Description($"dataset {n} of layer {Layers[l]}")
                        .Schema(s => s.Required("id", ColumnType.String));
                    if (l == 0) d.FromLanding($"d{n:00}/{{box}}.csv", LandingFormat.Csv);
                    else
                    {
                        d.Input($"{Layers[l - 1]}.d{n % before:00}");
                        if (n % 3 == 0) d.Input($"{Layers[l - 1]}.d{(n * 7 + 1) % before:00}", PartitionMapping.Window(3));
                        d.Rows("1", _ => []);
                    }
                });
            }
        }
        return builder.Build();
    }

    [BrowserFact]
    public async Task Sixty_datasets_are_laid_out_in_layers_without_overlaps()
    {
        var factory = SixtyDatasets();
        using var home = new E2EDirectory();
        await using var server = await DashboardServer.StartAsync(factory, WorkspaceBuilder.At(home.Path), null,
            new ServeSettings { Bind = IPAddress.Loopback, Port = 0, RunSchedulerLoop = false });
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(server.Url + "#graph");
        await Expect(page.Locator("#graph .node")).ToHaveCountAsync(60);

        var boxes = await page.Locator("#graph .node rect.box").EvaluateAllAsync<Box[]>(
            "rects => rects.map(r => { const b = r.getBoundingClientRect(); " +
            "return { name: r.parentNode.dataset.dataset, x: b.x, y: b.y, w: b.width, h: b.height, scale: b.width / Number(r.parentNode.dataset.width) }; })");
        Assert.Equal(60, boxes.Length);
        for (var i = 0; i < boxes.Length; i++)
            for (var j = i + 1; j < boxes.Length; j++)
                Assert.False(boxes[i].Overlaps(boxes[j]), $"{boxes[i].Name} and {boxes[j].Name} overlap");
        var x = boxes.ToDictionary(b => b.Name, b => b.X);
        foreach (var dataset in factory.Datasets)
            foreach (var input in dataset.Inputs)
                Assert.True(x[input.Dataset] < x[dataset.Name], $"{input.Dataset} is not left of {dataset.Name}, which reads it");
        // Text stays legible at the first view: nothing is drawn smaller than 0.7 of its size (one can pan to the rest).
        Assert.All(boxes, b => Assert.True(b.Scale >= 0.69, $"{b.Name} is drawn at {b.Scale:0.00} of its size"));

        await page.Locator("#graph-filter").FillAsync("team3");
        await Expect(page.Locator("#graph .node.match")).ToHaveCountAsync(factory.Datasets.Count(d => d.Owner.StartsWith("team3", StringComparison.Ordinal)));
        await page.Locator("#graph-fit").ClickAsync();
        await Artifacts.ScreenshotAsync(page, "dashboard-lineage-60-datasets");
    }

    /// <summary>A dataset's box on screen (a class with setters: Playwright deserializes into it).</summary>
    public sealed class Box
    {
        public string Name { get; set; } = "";
        public double X { get; set; }
        public double Y { get; set; }
        public double W { get; set; }
        public double H { get; set; }
        public double Scale { get; set; }

        public bool Overlaps(Box o) => X < o.X + o.W && o.X < X + W && Y < o.Y + o.H && o.Y < Y + H;
    }
}
