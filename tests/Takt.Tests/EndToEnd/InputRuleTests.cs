using Takt.Composition;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Measuring;

namespace Takt.Tests.EndToEnd;

/// <summary>Text a person gives (reasons, dates, descriptions) is refused in one clear line, or shown as the text it is.</summary>
public sealed class InputRuleTests : IDisposable
{
    private readonly E2EDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Override_and_invalidate_refuse_reasons_the_api_refuses_too_long_or_with_escape_codes()
    {
        var home = _dir.Combine("home");
        E2E.Generate(home, E2E.Day(1), E2E.Day(2), "negative-amounts@2026-01-02");
        Assert.Equal(2, E2E.Cli(home, "build").ExitCode);

        var huge = new string('x', 128 * 1024);
        string[] bad = [huge, "refunds \u001b[2J\u001b[31mare fine", "bell \u0007", "csi \u009b31m"];
        foreach (var reason in bad)
        {
            var shown = reason.Length > 20 ? reason[..20] : reason;
            var over = E2E.Cli(home, "override", "core.orders@2026-01-02", "--reason", reason);
            Assert.True(over.ExitCode == 64, $"override with reason '{shown}': {over}");
            Assert.StartsWith("error: --reason", over.Stderr);
            Assert.Single(over.Stderr.TrimEnd().Split('\n'));
            var inv = E2E.Cli(home, "invalidate", "raw.orders", "--from", "2026-01-01", "--to", "2026-01-01", "--reason", reason);
            Assert.True(inv.ExitCode == 64, $"invalidate with reason '{shown}': {inv}");
            Assert.StartsWith("error: --reason", inv.Stderr);
        }
        Assert.Contains($"at most {Ledger.Reasons.MaxLength}", E2E.Cli(home, "override", "core.orders@2026-01-02", "--reason", huge).Stderr);

        // Nothing was released or invalidated; a reason within the rule (newlines and tabs are text) still works.
        using (var ws = WorkspaceBuilder.At(home).Open(E2E.ShopFactoryAt()))
            Assert.DoesNotContain(ws.Ledger.Events(null, 100), e => e.Kind is EventKind.Override or EventKind.Invalidate);
        var ok = E2E.Cli(home, "override", "core.orders@2026-01-02", "--reason", "refunds are negative on purpose\n\tsee ticket 42");
        Assert.True(ok.ExitCode == 0, ok.ToString());
    }

    [Fact]
    public void The_markdown_catalog_shows_html_in_descriptions_as_text()
    {
        var factory = new FactoryBuilder("html", _dir.Path)
            .SemanticType("order_id", "an <b>order</b> & its <script>alert(1)</script>")
            .Dataset("raw.orders", d => d
                .Owner("Ops <ops@example.com>")
                .Description("Orders <img src=x onerror=alert(1)> as landed | one per line")
                .Schema(s => s.Required("id", ColumnType.Int64, "order_id", description: "the <i>key</i>"))
                .FromLanding("orders/{box}.csv", LandingFormat.Csv))
            .Build();
        using var ws = WorkspaceBuilder.At(_dir.Combine("home")).Open(factory);

        var markdown = Catalog.ToMarkdown(Catalog.Build(ws));

        Assert.DoesNotContain("<img", markdown);
        Assert.DoesNotContain("<script>", markdown);
        Assert.DoesNotContain("<b>", markdown);
        Assert.DoesNotContain("<i>", markdown);
        Assert.DoesNotContain("<ops@", markdown);
        Assert.Contains("Orders &lt;img src=x onerror=alert(1)&gt; as landed \\| one per line", markdown);
        Assert.Contains("an &lt;b&gt;order&lt;/b&gt; &amp; its &lt;script&gt;", markdown);
        Assert.Contains("Ops &lt;ops@example.com&gt;", markdown);
    }

    [Theory]
    [InlineData("--from", "2024-01-01")]
    [InlineData("--to", "9999-12-31")]
    public void Generate_outside_the_shop_calendar_says_which_days_it_can_write(string option, string day)
    {
        var result = E2E.Cli(_dir.Combine("home"), "generate", option, day);

        Assert.True(result.ExitCode == 64, result.ToString());
        var line = Assert.Single(result.Stderr.TrimEnd().Split('\n'));
        Assert.DoesNotContain("Actual value", line);
        Assert.Contains($"{option} {day}", line);
        Assert.Contains($"from {Shop.Generator.LandingGenerator.FirstDay:yyyy-MM-dd} to {Shop.Generator.LandingGenerator.LastDay:yyyy-MM-dd}", line);
    }
}
