using System.Globalization;
using Takt.Definitions;

namespace Takt.Tests.Unit;

/// <summary>The order of a factory's datasets (plans, builds and their output follow it) is part of its determinism.</summary>
public sealed class FactoryOrderTests
{
    private static string[] OrderUnder(string culture)
    {
        var saved = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            var builder = new FactoryBuilder("order", Path.GetTempPath());
            // Danish collation sorts "aa" as "å", after "z"; "_" and digits sort differently by culture and ordinally.
            foreach (var name in new[] { "raw.b", "raw.aa", "raw.a_1", "raw.a1", "raw.z" })
                builder.Dataset(name, d => d.Owner("o").Schema(s => s.Required("id", ColumnType.String))
                    .FromLanding($"{name[4..]}/{{box}}.csv", LandingFormat.Csv));
            return builder.Build().Datasets.Select(d => d.Name).ToArray();
        }
        finally { CultureInfo.CurrentCulture = saved; }
    }

    [Fact]
    public void Datasets_come_in_the_same_order_whatever_the_culture_of_the_process()
    {
        var invariant = OrderUnder("");
        Assert.Equal(invariant, OrderUnder("da-DK"));
        Assert.Equal(invariant, OrderUnder("en-US"));
        Assert.Equal(["raw.a1", "raw.a_1", "raw.aa", "raw.b", "raw.z"], invariant);
    }
}
