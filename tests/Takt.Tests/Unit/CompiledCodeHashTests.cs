using System.Linq.Expressions;
using Microsoft.CodeAnalysis;
using Takt.Definitions;
using Takt.Tests.Support;

namespace Takt.Tests.Unit;

/// <summary>
/// A C# transform's code hash covers its compiled code: each test compiles the tiny factory twice with Roslyn (two
/// assembly files, as two <c>dotnet build</c>s of edited source would give) and compares the code hashes.
/// </summary>
public sealed class CompiledCodeHashTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private Factory Compile(string source, OptimizationLevel optimization = OptimizationLevel.Release)
    {
        var build = _dir.Combine(Guid.NewGuid().ToString("N"));
        var assembly = FactoryAssembly.Compile(build, "Tiny", source, optimization);
        File.WriteAllText(Path.Combine(build, "summary.sql"), TinyFactorySource.SummarySql);
        return FactoryAssembly.BuildFactory(assembly, TinyFactorySource.TypeName, build);
    }

    [Theory]
    [InlineData("a constant in a helper method", "amount * 0.01", "amount * 0.02")]
    [InlineData("a constant in a lambda over a closure", "offset * 1.0", "offset * 2.0")]
    [InlineData("a constant in a local function", "Math.Min(1.0,", "Math.Min(0.9,")]
    [InlineData("a string literal", "\"medium\"", "\"middle\"")]
    [InlineData("a static array's initial values", "[0.25, 0.75]", "[0.25, 0.70]")]
    [InlineData("a static field set by the type initializer", "High = \"high\"", "High = \"HIGH\"")]
    [InlineData("an interface method called virtually", "x * 0.9", "x * 0.8")]
    [InlineData("the overload of a framework method called", "Math.Max(0.0, x)", "Math.Max(0.0f, (float)x)")]
    public void Editing_code_a_C_sharp_transform_reaches_changes_its_code_hash_and_no_other(string what, string piece, string edited)
    {
        var before = Compile(TinyFactorySource.Text);
        var after = Compile(TinyFactorySource.With(piece, edited));

        Assert.True(before.CodeHashOf("core.scored") != after.CodeHashOf("core.scored"), $"editing {what} left core.scored's code hash as it was");
        Assert.Equal(before.CodeHashOf("core.flagged"), after.CodeHashOf("core.flagged"));
        Assert.Equal(before.CodeHashOf("raw.events"), after.CodeHashOf("raw.events"));
        Assert.Equal(before.CodeHashOf("mart.summary"), after.CodeHashOf("mart.summary"));
    }

    [Fact]
    public void Editing_a_lambda_declared_in_the_factory_changes_only_that_transforms_code_hash()
    {
        var before = Compile(TinyFactorySource.Text);
        var after = Compile(TinyFactorySource.With("> 50.0", "> 60.0"));

        Assert.NotEqual(before.CodeHashOf("core.flagged"), after.CodeHashOf("core.flagged"));
        Assert.Equal(before.CodeHashOf("core.scored"), after.CodeHashOf("core.scored"));
    }

    [Fact]
    public void The_same_source_built_again_gives_the_same_code_hashes()
    {
        var first = Compile(TinyFactorySource.Text);
        var second = Compile(TinyFactorySource.Text);

        Assert.All(first.Datasets, d => Assert.Equal(first.CodeHashOf(d.Name), second.CodeHashOf(d.Name)));
    }

    [Fact]
    public void Unrelated_code_that_moves_metadata_tokens_and_renumbers_generated_names_keeps_the_code_hashes()
    {
        var before = Compile(TinyFactorySource.Text);
        var after = Compile(TinyFactorySource.WithUnrelatedCode());

        Assert.All(before.Datasets, d => Assert.Equal(before.CodeHashOf(d.Name), after.CodeHashOf(d.Name)));
    }

    [Fact]
    public void The_declared_version_still_changes_the_code_hash()
    {
        var before = Compile(TinyFactorySource.Text);
        var after = Compile(TinyFactorySource.With("Rows(\"1\", Scoring.Score)", "Rows(\"2\", Scoring.Score)"));

        Assert.NotEqual(before.CodeHashOf("core.scored"), after.CodeHashOf("core.scored"));
    }

    [Fact]
    public void A_transform_whose_compiled_code_cannot_be_read_is_a_factory_problem()
    {
        var context = Expression.Parameter(typeof(RowTransformContext), "context");
        var function = Expression.Lambda<Func<RowTransformContext, IEnumerable<object?[]>>>(
            Expression.Constant(Array.Empty<object?[]>(), typeof(IEnumerable<object?[]>)), context).Compile();
        var builder = new FactoryBuilder("unreadable", _dir.Path)
            .Dataset("raw.events", d => d.Owner("o").Schema(s => s.Required("id", ColumnType.Int64)).FromLanding("events/{box}.jsonl", LandingFormat.JsonLines))
            .Dataset("core.generated", d => d.Owner("o").Input("raw.events").Rows("1", function).Schema(s => s.Required("id", ColumnType.Int64)));

        var problem = Assert.Single(Assert.Throws<FactoryValidationException>(builder.Build).Problems);
        Assert.StartsWith("core.generated: the compiled code of its C# transform cannot be read", problem);
    }
}
