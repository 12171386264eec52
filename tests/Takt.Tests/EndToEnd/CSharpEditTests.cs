using System.Globalization;
using Takt.Composition;
using Takt.Building;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;
using Takt.Tests.Support;

namespace Takt.Tests.EndToEnd;

/// <summary>
/// Editing a C# transform without bumping its declared version: the factory assembly is compiled again from the edited
/// source (as the next <c>dotnet build</c> would) and planned and built against the home the first build made.
/// </summary>
public sealed class CSharpEditTests : IDisposable
{
    private const int Days = 3;
    private readonly E2EDirectory _dir = new();
    private readonly string _home;

    public CSharpEditTests()
    {
        _home = _dir.Combine("home");
        for (var day = 1; day <= Days; day++)
        {
            var file = Path.Combine(E2E.Landing(_home), "events", $"{E2E.Key(E2E.Day(day))}.jsonl");
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllLines(file, Enumerable.Range(1, 20).Select(i =>
                string.Create(CultureInfo.InvariantCulture, $$"""{"id": {{day * 100 + i}}, "amount": {{i * 4.5}}}""")));
        }
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_constant_changed_in_a_helper_of_a_C_sharp_transform_makes_exactly_that_dataset_and_its_readers_stale()
    {
        Build(Compile("first", TinyFactorySource.Text));

        var edited = Compile("edited", TinyFactorySource.With("amount * 0.01", "amount * 0.02"));
        var plan = Plan(edited);
        var expected = E2E.Counts(("core.scored", Days), ("mart.summary", Days));
        Assert.True(expected.SequenceEqual(Counts(plan.Tasks.Select(t => t.Dataset))), $"expected plan {E2E.Show(expected)}, got {E2E.Show(Counts(plan.Tasks.Select(t => t.Dataset)))}");
        Assert.All(plan.Tasks.Where(t => t.Dataset == "core.scored"), t => Assert.Equal("code changed", t.Reason));

        var build = Build(edited);
        Assert.True(expected.SequenceEqual(Counts(build.Tasks.Where(t => t.Outcome.Status == BuildStatus.Built).Select(t => t.Dataset))));
        Assert.Empty(Plan(edited).Tasks);
    }

    [Fact]
    public void Rebuilding_the_factory_with_unrelated_code_added_runs_nothing()
    {
        Build(Compile("first", TinyFactorySource.Text));

        Assert.Empty(Plan(Compile("unrelated", TinyFactorySource.WithUnrelatedCode())).Tasks);
    }

    private Factory Compile(string name, string source)
    {
        var directory = _dir.Combine("builds", name);
        var assembly = FactoryAssembly.Compile(directory, "Tiny", source);
        File.WriteAllText(Path.Combine(directory, "summary.sql"), TinyFactorySource.SummarySql);
        return FactoryAssembly.BuildFactory(assembly, TinyFactorySource.TypeName, directory);
    }

    private Takt.Planning.Plan Plan(Factory factory)
    {
        using var ws = WorkspaceBuilder.At(_home).Open(factory);
        return new BuildService(ws).Plan([]);
    }

    private BuildResult Build(Factory factory)
    {
        using var ws = WorkspaceBuilder.At(_home).Open(factory);
        var result = new BuildService(ws).Build([], null, null, ingest: true, new RunOptions());
        var bad = result.Tasks.Where(t => t.Outcome.Status is not (BuildStatus.Built or BuildStatus.Reused)).ToList();
        Assert.True(bad.Count == 0, "build did not succeed: " + string.Join("; ", bad.Take(5).Select(t => $"{t.Dataset}@{t.BoxKey} {t.Outcome.Status}: {t.Outcome.Message}")));
        return result;
    }

    private static SortedDictionary<string, int> Counts(IEnumerable<string> datasets) =>
        new(datasets.GroupBy(d => d).ToDictionary(g => g.Key, g => g.Count()), StringComparer.Ordinal);
}
