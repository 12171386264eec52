using Takt.Tests.Support;
using Takt.Tests.Unit;

namespace Takt.Tests.Architecture;

/// <summary>
/// No namespace of Takt or Takt.Server uses, through any chain, a namespace that uses it back: each layer can be read,
/// tested and replaced (a second ledger, an object-store lake) without the rest.
/// </summary>
public sealed class NamespaceCycleTests
{
    [Fact]
    public void Takt_and_Takt_Server_have_no_namespace_cycles()
    {
        var graph = NamespaceGraph.Read("Takt", typeof(Definitions.Factory).Assembly.Location, typeof(Server.DashboardServer).Assembly.Location);
        Assert.Contains("Takt.Ledger", graph.Namespaces); // the graph was read at all
        Assert.Contains("Takt.Server.Api", graph.Namespaces);
        var cycles = graph.Cycles();
        Assert.True(cycles.Count == 0, "namespace cycles (move the shared type to the namespace that owns the concept, or invert the dependency with an interface):\n"
            + string.Join("\n", cycles));
    }

    [Fact]
    public void A_planted_cycle_is_named_with_the_types_that_make_it()
    {
        using var dir = new UnitTempDirectory();
        const string source = """
            namespace Planted.A { public sealed class Order { public Planted.B.Invoice? Invoice; } }
            namespace Planted.B { public sealed class Invoice { public int Total(Planted.C.Tax t) => t.Rate; } }
            namespace Planted.C { public sealed class Tax { public int Rate => new Planted.A.Order().GetHashCode(); } }
            namespace Planted.D { public sealed class Report { public Planted.A.Order? Order; } }
            """;
        FactoryAssembly.Compile(dir.Path, "Planted", source);

        var cycles = NamespaceGraph.Read("Planted", System.IO.Path.Combine(dir.Path, "Planted.dll")).Cycles();

        var cycle = Assert.Single(cycles);
        Assert.StartsWith("Planted.A -> Planted.B -> Planted.C -> Planted.A", cycle);
        Assert.Contains("Planted.C.Tax uses Planted.A.Order", cycle);
        Assert.DoesNotContain("Planted.D", cycle);
    }
}
