using Microsoft.Playwright;

namespace Takt.Tests.Dashboard;

/// <summary>What the box matrix shows on its canvases, read as a user sees it: the colors of the pixels, the tooltip.</summary>
internal static class MatrixCanvas
{
    public static ILocator Row(IPage page, string dataset) => page.Locator($"#matrix .mrow[data-dataset='{dataset}'] canvas");

    public static async Task WaitDrawnAsync(IPage page) =>
        await page.WaitForSelectorAsync("body[data-matrix-drawn]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });

    /// <summary>The pixel columns of a row drawn in the legend's color of <paramref name="status"/>.</summary>
    public static Task<int[]> ColumnsAsync(IPage page, string dataset, string status) =>
        Row(page, dataset).EvaluateAsync<int[]>("""
            (canvas, status) => {
              const swatch = [...document.querySelectorAll('#matrix-legend > span')].find(s => s.textContent === status).querySelector('.swatch');
              const rgb = getComputedStyle(swatch).backgroundColor.match(/\d+/g).map(Number);
              const data = canvas.getContext('2d').getImageData(0, Math.floor(canvas.height / 2), canvas.width, 1).data;
              const columns = [];
              for (let x = 0; x < canvas.width; x++)
                if (data[4 * x] === rgb[0] && data[4 * x + 1] === rgb[1] && data[4 * x + 2] === rgb[2] && data[4 * x + 3] === 255) columns.push(x);
              return columns;
            }
            """, status);

    /// <summary>Moves the mouse over pixel column <paramref name="x"/> of the row and returns the tooltip's text.</summary>
    public static async Task<string> HoverAsync(IPage page, string dataset, int x)
    {
        await Row(page, dataset).HoverAsync(new LocatorHoverOptions { Position = new Position { X = x + 0.5f, Y = 7 } });
        var tip = page.Locator("#matrix-tip");
        await Assertions.Expect(tip).ToBeVisibleAsync();
        return await tip.TextContentAsync() ?? "";
    }

    public static Task ClickAsync(IPage page, string dataset, int x) =>
        Row(page, dataset).ClickAsync(new LocatorClickOptions { Position = new Position { X = x + 0.5f, Y = 7 } });

    /// <summary>True when the columns are one unbroken run.</summary>
    public static bool Contiguous(int[] columns) => columns.Length > 0 && columns[^1] - columns[0] == columns.Length - 1;
}
