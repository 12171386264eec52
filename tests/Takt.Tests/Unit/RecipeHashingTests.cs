using Takt.Checks;
using Takt.Definitions;
using Takt.Ledger;
using Takt.Running;

namespace Takt.Tests.Unit;

public sealed class RecipeHashingTests : IDisposable
{
    private readonly UnitTempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    // ------------------------------------------------------------------ Hashing

    [Fact]
    public void Hex_is_the_first_128_bits_of_sha256_in_lower_case()
    {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223", Hashing.Hex("abc"));
        Assert.Equal(32, Hashing.Hex("anything").Length);
        Assert.NotEqual(Hashing.Hex("abc"), Hashing.Hex("abd"));
    }

    [Fact]
    public void FileSha256_is_the_full_hash_of_the_bytes()
    {
        var path = _dir.Write("f.txt", "abc");
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Hashing.FileSha256(path));
    }

    // ------------------------------------------------------------------ transform recipes

    private static readonly LineageEdge[] Inputs =
    [
        new("raw.orders", 100, "v-orders-100"),
        new("raw.orders", 101, "v-orders-101"),
        new("core.users", 101, "v-users-101"),
    ];

    private static string Transform(string dataset = "core.x", long box = 101, string code = "code-1", int generation = 0, IEnumerable<LineageEdge>? inputs = null) =>
        Recipe.ForTransform(dataset, box, code, generation, inputs ?? Inputs);

    [Fact]
    public void Same_transform_inputs_give_the_same_id()
    {
        Assert.Equal(Transform(), Transform());
        Assert.Equal(Transform(), Transform(inputs: Inputs.ToList()));
        Assert.Equal(32, Transform().Length);
    }

    [Fact]
    public void Input_order_does_not_matter()
    {
        Assert.Equal(Transform(), Transform(inputs: Inputs.Reverse()));
        Assert.Equal(Transform(), Transform(inputs: [Inputs[1], Inputs[2], Inputs[0]]));
    }

    [Fact]
    public void Every_part_of_the_recipe_changes_the_id()
    {
        var baseline = Transform();
        var variants = new Dictionary<string, string>
        {
            ["code hash"] = Transform(code: "code-2"),
            ["generation"] = Transform(generation: 1),
            ["box"] = Transform(box: 102),
            ["dataset"] = Transform(dataset: "core.y"),
            ["input version"] = Transform(inputs: [Inputs[0], Inputs[1] with { VersionId = "v-orders-101b" }, Inputs[2]]),
            ["input box"] = Transform(inputs: [Inputs[0] with { Box = 99 }, Inputs[1], Inputs[2]]),
            ["input dataset"] = Transform(inputs: [Inputs[0], Inputs[1], Inputs[2] with { Dataset = "core.people" }]),
            ["one input fewer"] = Transform(inputs: Inputs.Take(2)),
            ["no inputs"] = Transform(inputs: []),
        };
        foreach (var (what, id) in variants) Assert.True(baseline != id, $"changing the {what} must change the recipe");
        Assert.Equal(variants.Count, variants.Values.Distinct().Count());
    }

    [Fact]
    public void Source_recipe_is_named_by_content_and_independent_of_file_order()
    {
        (string, string)[] files = [("orders/a.jsonl", "sha-a"), ("orders/b.jsonl", "sha-b")];
        var id = Recipe.ForSource("raw.orders", 5, "code", 0, files);

        Assert.Equal(id, Recipe.ForSource("raw.orders", 5, "code", 0, files.Reverse()));
        Assert.NotEqual(id, Recipe.ForSource("raw.orders", 5, "code", 0, [("orders/a.jsonl", "sha-a"), ("orders/b.jsonl", "sha-B")]));
        Assert.NotEqual(id, Recipe.ForSource("raw.orders", 5, "code", 1, files));
        Assert.NotEqual(id, Recipe.ForSource("raw.orders", 6, "code", 0, files));
        Assert.NotEqual(id, Recipe.ForSource("raw.orders", 5, "code2", 0, files));
        Assert.NotEqual(id, Recipe.ForTransform("raw.orders", 5, "code", 0, []));
    }

    // ------------------------------------------------------------------ code hashes of definitions

    private sealed record Variant
    {
        public string Sql { get; init; } = "SELECT id, amount FROM raw.src";
        public string Owner { get; init; } = "team-a";
        public string Description { get; init; } = "first description";
        public Check[] Checks { get; init; } = [];
        public bool ExtraColumn { get; init; }
        public bool Hourly { get; init; }
        public PartitionMapping? Mapping { get; init; }
        public string SourcePattern { get; init; } = "src/{box}.jsonl";
    }

    private Factory Build(Variant v)
    {
        var dir = _dir.Combine(Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "x.sql"), v.Sql);
        return new FactoryBuilder("hashing", dir)
            .Dataset("raw.src", d => d
                .Owner("platform")
                .Schema(s => s.Required("id", ColumnType.Int64).Column("amount", ColumnType.Double))
                .FromLanding(v.SourcePattern, LandingFormat.JsonLines))
            .Dataset("core.x", d =>
            {
                d.Owner(v.Owner).Description(v.Description).Input("raw.src", v.Mapping).Sql("x.sql")
                    .Schema(s =>
                    {
                        s.Required("id", ColumnType.Int64).Column("amount", ColumnType.Double);
                        if (v.ExtraColumn) s.Column("note", ColumnType.String);
                    });
                if (v.Hourly) d.Hourly();
                foreach (var check in v.Checks) d.Check(check);
            })
            .Build();
    }

    private string CodeHash(Variant v) => Build(v).CodeHashOf("core.x");

    [Fact]
    public void Same_definition_gives_the_same_code_hash()
    {
        Assert.Equal(CodeHash(new Variant()), CodeHash(new Variant()));
        Assert.Equal(32, CodeHash(new Variant()).Length);
    }

    [Fact]
    public void Editing_the_sql_text_changes_the_code_hash()
    {
        var baseline = CodeHash(new Variant());
        Assert.NotEqual(baseline, CodeHash(new Variant { Sql = "SELECT id, amount * 2 AS amount FROM raw.src" }));
        Assert.NotEqual(baseline, CodeHash(new Variant { Sql = "SELECT id, amount FROM raw.src WHERE amount > 0" }));
    }

    [Fact]
    public void Line_endings_and_surrounding_whitespace_of_the_sql_do_not_change_the_code_hash()
    {
        var baseline = CodeHash(new Variant { Sql = "SELECT id, amount\nFROM raw.src" });
        Assert.Equal(baseline, CodeHash(new Variant { Sql = "SELECT id, amount\r\nFROM raw.src\r\n" }));
        Assert.Equal(baseline, CodeHash(new Variant { Sql = "\n  SELECT id, amount\nFROM raw.src  \n\n" }));
    }

    [Fact]
    public void Owner_description_and_checks_do_not_change_the_code_hash()
    {
        var baseline = CodeHash(new Variant());
        Assert.Equal(baseline, CodeHash(new Variant { Owner = "someone-else" }));
        Assert.Equal(baseline, CodeHash(new Variant { Description = "a much better description" }));
        Assert.Equal(baseline, CodeHash(new Variant { Checks = [Check.NotNull("amount"), Check.Range("amount", min: 0).AsWarning()] }));
    }

    [Fact]
    public void Schema_grain_and_mapping_change_the_code_hash()
    {
        var baseline = CodeHash(new Variant());
        Assert.NotEqual(baseline, CodeHash(new Variant { ExtraColumn = true }));
        Assert.NotEqual(baseline, CodeHash(new Variant { Hourly = true }));
        Assert.NotEqual(baseline, CodeHash(new Variant { Mapping = PartitionMapping.Window(3) }));
        Assert.NotEqual(CodeHash(new Variant { Mapping = PartitionMapping.Window(3) }), CodeHash(new Variant { Mapping = PartitionMapping.Window(7) }));
    }

    [Fact]
    public void Sql_of_a_reader_does_not_change_the_code_hash_of_its_input()
    {
        var before = Build(new Variant());
        var after = Build(new Variant { Sql = "SELECT 1 AS id, 2.0 AS amount" });
        Assert.Equal(before.CodeHashOf("raw.src"), after.CodeHashOf("raw.src"));
        Assert.NotEqual(before.CodeHashOf("core.x"), after.CodeHashOf("core.x"));
    }

    [Fact]
    public void Landing_pattern_changes_the_code_hash_of_a_source()
    {
        Assert.NotEqual(Build(new Variant()).CodeHashOf("raw.src"), Build(new Variant { SourcePattern = "other/{box}.jsonl" }).CodeHashOf("raw.src"));
    }

    [Fact]
    public void Different_datasets_with_the_same_definition_have_different_code_hashes()
    {
        var dir = _dir.Combine("twins");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "x.sql"), "SELECT * FROM raw.src");
        var factory = new FactoryBuilder("twins", dir)
            .Dataset("raw.src", d => d.Owner("o").Schema(s => s.Column("id", ColumnType.Int64)).FromLanding("src/{box}.jsonl", LandingFormat.JsonLines))
            .Dataset("core.one", d => d.Owner("o").Input("raw.src").Sql("x.sql"))
            .Dataset("core.two", d => d.Owner("o").Input("raw.src").Sql("x.sql"))
            .Build();
        Assert.NotEqual(factory.CodeHashOf("core.one"), factory.CodeHashOf("core.two"));
    }
}
