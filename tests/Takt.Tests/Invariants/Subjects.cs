using Shop;
using Shop.Generator;
using Takt.Definitions;
using Takt.Invariants.Factory;

namespace Takt.Tests.Invariants;

/// <summary>How a subject's factory program is started as a child process for one code variant.</summary>
internal sealed record ChildProgram(string Dll, IReadOnlyDictionary<string, string> Environment);

/// <summary>
/// A factory the harness drives through random histories: its definitions per code variant, how its landing data is
/// written, where each kind of defect stops the line, and how it runs as a child process.
/// </summary>
internal interface ISubject
{
    string Name { get; }
    DateOnly FirstDay { get; }
    /// <summary>Defects a day's landing file can carry.</summary>
    IReadOnlyList<string> Defects { get; }
    /// <summary>Whether a late file can change an old day's content (a new revision), not only fill a gap.</summary>
    bool HasRevisions { get; }
    /// <summary>The unpartitioned source, when the subject has one (with its own revisions and defect).</summary>
    string? Dimension { get; }
    string DimensionDefect { get; }
    /// <summary>Code variants: "" is the code as committed; each other one is a change a developer makes (without recompiling).</summary>
    IReadOnlyList<string> Variants { get; }
    /// <summary>What a variant changes, for the history's log.</summary>
    string DescribeVariant(string variant);
    string PublishedDataset { get; }
    string PublishedDatabase { get; }
    string PublishedTable { get; }

    Factory Factory(string variant);
    /// <summary>The datasets whose box of the defect's day stops, in build order (a later one only if the earlier is overridden).</summary>
    IReadOnlyList<string> StopsAt(string defect);
    void WriteDay(string landing, int seed, DateOnly day, int revision, string? defect);
    void WriteDimension(string landing, int seed, int revision, string? defect);
    /// <summary>The program for a child process, or null when the variant cannot run as one.</summary>
    ChildProgram? Child(string variant);
}

/// <summary>The factory made for the harness (tests/Takt.Invariants.Factory): every mapping, a C# transform, a publish target.</summary>
internal sealed class SmallSubject : ISubject
{
    private readonly Dictionary<string, Factory> _factories = [];

    public string Name => "small";
    public DateOnly FirstDay => InvariantLanding.FirstDay;
    public IReadOnlyList<string> Defects { get; } = Enum.GetValues<EventDefect>().Where(d => d != EventDefect.None).Select(d => d.ToString()).ToArray();
    public bool HasRevisions => true;
    public string? Dimension => "raw.users";
    public string DimensionDefect => nameof(UsersDefect.BadSegment);
    public IReadOnlyList<string> Variants { get; } = ["", "b", "c"];
    public string DescribeVariant(string variant) => variant switch
    {
        "" => "the code as committed",
        "b" => "mart.rolling's SQL changed",
        _ => "serving.scores's C# function changed, its Version not bumped",
    };
    public string PublishedDataset => InvariantFactory.Published;
    public string PublishedDatabase => InvariantFactory.PublishedDatabase;
    public string PublishedTable => InvariantFactory.PublishedTable;

    public Factory Factory(string variant)
    {
        lock (_factories)
        {
            if (!_factories.TryGetValue(variant, out var factory))
                _factories[variant] = factory = InvariantFactory.Build(AppContext.BaseDirectory, variant);
            return factory;
        }
    }

    public IReadOnlyList<string> StopsAt(string defect) => Enum.Parse<EventDefect>(defect) switch
    {
        EventDefect.Malformed or EventDefect.BadValue or EventDefect.Drift or EventDefect.MissingRequired => ["raw.events"],
        EventDefect.Negative or EventDefect.Duplicate or EventDefect.UnknownUser => ["core.events"],
        _ => [],
    };

    public void WriteDay(string landing, int seed, DateOnly day, int revision, string? defect) =>
        InvariantLanding.Write(landing, InvariantLanding.EventsPath(day),
            InvariantLanding.Events(seed, day, revision, defect is null ? EventDefect.None : Enum.Parse<EventDefect>(defect)));

    public void WriteDimension(string landing, int seed, int revision, string? defect) =>
        InvariantLanding.Write(landing, InvariantLanding.UsersPath,
            InvariantLanding.Users(seed, revision, defect is null ? UsersDefect.None : Enum.Parse<UsersDefect>(defect)));

    public ChildProgram? Child(string variant) => new(
        Path.Combine(AppContext.BaseDirectory, "Takt.Invariants.Factory.dll"),
        new Dictionary<string, string> { [InvariantFactory.VariantVariable] = variant });
}

/// <summary>
/// The example Shop, on tour-like histories. Its code variant "b" is a changed user_features.sql in a copy of the SQL
/// files, so it runs in process only.
/// </summary>
internal sealed class ShopSubject(string codeRoot) : ISubject
{
    private readonly Dictionary<string, Factory> _factories = [];

    public string Name => "shop";
    public DateOnly FirstDay => new(2026, 1, 1);
    public IReadOnlyList<string> Defects { get; } = DefectNames.All;
    public bool HasRevisions => false;
    public string? Dimension => null;
    public string DimensionDefect => "";
    public IReadOnlyList<string> Variants { get; } = ["", "b"];
    public string DescribeVariant(string variant) => variant == "" ? "the code as committed" : "mart.user_features's SQL changed";
    public string PublishedDataset => "serving.fraud_scores";
    public string PublishedDatabase => "published/shop.db";
    public string PublishedTable => "fraud_scores";

    public Factory Factory(string variant)
    {
        lock (_factories)
        {
            if (_factories.TryGetValue(variant, out var factory)) return factory;
            if (variant == "") factory = ShopFactory.Build(AppContext.BaseDirectory);
            else
            {
                var directory = Path.Combine(codeRoot, "shop-" + variant);
                if (!Directory.Exists(directory))
                {
                    EndToEnd.E2E.CopySql(directory);
                    var sql = Path.Combine(directory, "sql", "mart", "user_features.sql");
                    var text = File.ReadAllText(sql);
                    const string Orders = "count(*) AS orders_7d";
                    if (!text.Contains(Orders)) throw new InvalidOperationException($"{sql} no longer holds '{Orders}': update the harness's Shop variant.");
                    File.WriteAllText(sql, text.Replace(Orders, "count(*) + 1 AS orders_7d"));
                }
                factory = ShopFactory.Build(directory);
            }
            return _factories[variant] = factory;
        }
    }

    public IReadOnlyList<string> StopsAt(string defect) => defect switch
    {
        "malformed-rows" => ["raw.orders"],
        // Overridden, a day whose amounts are renamed has none, and core.orders stops at not_null(amount).
        "schema-drift" => ["raw.orders", "core.orders"],
        "duplicate-ids" or "missing-user" or "negative-amounts" => ["core.orders"],
        _ => throw new ArgumentException($"unknown Shop defect '{defect}'"),
    };

    public void WriteDay(string landing, int seed, DateOnly day, int revision, string? defect) =>
        LandingGenerator.Generate(landing, day, day, defect is null ? [] : [new DefectRequest(DefectNames.ParseList(defect)[0].Defect, day)]);

    public void WriteDimension(string landing, int seed, int revision, string? defect) =>
        throw new NotSupportedException("the Shop has no unpartitioned source");

    public ChildProgram? Child(string variant) => variant == ""
        ? new ChildProgram(Path.Combine(AppContext.BaseDirectory, "Shop.dll"), new Dictionary<string, string>())
        : null;
}
