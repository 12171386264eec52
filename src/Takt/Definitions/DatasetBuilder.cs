using Takt.Boxes;

namespace Takt.Definitions;

/// <summary>Fluent declaration of one dataset, grouped by concern: ownership, partitioning, schema, checks, then source or transform.</summary>
public sealed class DatasetBuilder
{
    private readonly string _name;
    private string _owner = "";
    private string _description = "";
    private Grain _grain = Grain.Daily;
    private Schema _schema = Definitions.Schema.Undeclared;
    private readonly List<Check> _checks = [];
    private readonly List<Input> _inputs = [];
    private string[] _key = [];
    private readonly List<PublishTarget> _publish = [];
    private readonly List<string> _usedBy = [];
    private TimeSpan? _readyWithin;
    private LandingSource? _source;
    private Func<string, Transform>? _transform;
    private int _producers;

    internal DatasetBuilder(string name) => _name = name;

    public DatasetBuilder Owner(string owner) { _owner = owner; return this; }
    public DatasetBuilder Description(string description) { _description = description; return this; }

    public DatasetBuilder Daily() => Partitioned(Grain.Daily);
    public DatasetBuilder Hourly() => Partitioned(Grain.Hourly);
    public DatasetBuilder Monthly() => Partitioned(Grain.Monthly);
    public DatasetBuilder Unpartitioned() => Partitioned(Grain.Unpartitioned);
    public DatasetBuilder Partitioned(Grain grain) { _grain = grain; return this; }

    public DatasetBuilder Schema(Action<SchemaBuilder> columns)
    {
        var builder = new SchemaBuilder();
        columns(builder);
        _schema = builder.Build();
        return this;
    }

    public DatasetBuilder Check(Check check) { _checks.Add(check); return this; }

    /// <summary>The service level: each box's first usable version exists this long after the box ends (e.g. 6 h: day D by D+1 06:00 UTC).</summary>
    public DatasetBuilder ReadyWithin(TimeSpan afterBoxEnd) { _readyWithin = afterBoxEnd; return this; }

    /// <summary>Declares a consumer outside Takt (a dashboard, a service), so that the waste report knows someone reads it.</summary>
    public DatasetBuilder UsedBy(string consumer) { _usedBy.Add(consumer); return this; }

    /// <summary>The columns that identify a row (for <c>diff</c>); defaults to the first unique check's columns.</summary>
    public DatasetBuilder Key(params string[] columns) { _key = columns; return this; }

    /// <summary>Hands the dataset over to an online system after each successful build (see <see cref="PublishTarget"/>); null adds nothing.</summary>
    public DatasetBuilder PublishTo(PublishTarget? target)
    {
        if (target is not null) _publish.Add(target);
        return this;
    }

    /// <summary>Landing files, one set per box: the pattern holds <c>{box}</c>, e.g. <c>orders/{box}.jsonl</c>.</summary>
    /// <param name="timeColumn">
    /// A timestamp or date column (or text holding timestamps) that says when each row happened: rows outside the box
    /// of their file stop the box (a blocking <c>in_box</c> check naming file and line).
    /// </param>
    public DatasetBuilder FromLanding(string pattern, LandingFormat format, Severity schemaDrift = Severity.Block, string? timeColumn = null) =>
        Source(new LandingSource(pattern, format) { SchemaDriftSeverity = schemaDrift, TimeColumn = timeColumn });

    /// <summary>Landing files that span many boxes; rows are cut into boxes by the timestamp column <paramref name="splitBy"/>.</summary>
    public DatasetBuilder FromLandingSplitBy(string pattern, LandingFormat format, string splitBy, Severity schemaDrift = Severity.Block) =>
        Source(new LandingSource(pattern, format, splitBy) { SchemaDriftSeverity = schemaDrift, TimeColumn = splitBy });

    /// <summary>
    /// Reads <paramref name="dataset"/>; the same box unless a mapping says otherwise. A box waits until every input box
    /// the mapping gives it exists and is usable (a month waits for its last day), except before the input's first box
    /// (a window at the start of the data is shorter) and for an unpartitioned reader, which reads whatever the input has.
    /// </summary>
    public DatasetBuilder Input(string dataset, PartitionMapping? mapping = null)
    {
        _inputs.Add(new Input(dataset, mapping ?? PartitionMapping.SameBox));
        return this;
    }

    /// <summary>A DuckDB query in a <c>.sql</c> file, relative to the factory's directory.</summary>
    public DatasetBuilder Sql(string relativePath)
    {
        _producers++;
        _transform = baseDirectory => LoadSql(baseDirectory, relativePath);
        return this;
    }

    /// <summary>A C# function over input rows, producing rows in the order of the declared schema.</summary>
    public DatasetBuilder Rows(string version, Func<RowTransformContext, IEnumerable<object?[]>> function)
    {
        _producers++;
        _transform = _ => new RowTransform(version, function);
        return this;
    }

    private DatasetBuilder Source(LandingSource source)
    {
        _producers++;
        _source = source;
        return this;
    }

    internal (Dataset? Dataset, IReadOnlyList<string> Problems) Build(string baseDirectory)
    {
        var problems = new List<string>();
        void Problem(string text) => problems.Add($"{_name}: {text}");

        if (string.IsNullOrWhiteSpace(_owner)) Problem("has no owner; declare one with .Owner(\"team or person\").");
        if (_producers == 0) Problem("has neither a source nor a transform.");
        if (_producers > 1) Problem("declares more than one source or transform; a dataset has exactly one.");
        if (_source is not null && _inputs.Count > 0) Problem("is a source and cannot have inputs.");
        if (_transform is not null && _inputs.Count == 0) Problem("has a transform but no inputs.");

        Transform? transform = null;
        if (_transform is not null)
        {
            try { transform = _transform(baseDirectory); }
            catch (FactoryDefinitionException e) { Problem(e.Message); }
        }
        foreach (var group in _publish.GroupBy(p => p.Name).Where(g => g.Count() > 1))
            Problem($"publishes to '{group.Key}' {group.Count()} times.");
        if (_publish.Any(p => p.Keep < 1)) Problem("a publish target must keep at least one copy.");
        foreach (var target in _publish.Where(p => !Names.IsEnvironmentName(p.Environment)))
            Problem($"publish target {target.Name}: '{target.Environment}' is not an environment name ({Names.EnvironmentRule}).");
        if (_readyWithin is { } sla && sla < TimeSpan.Zero) Problem("ReadyWithin must not be negative.");
        if (transform is RowTransform row)
        {
            if (string.IsNullOrWhiteSpace(row.Version)) Problem("a C# transform needs a version.");
            if (!_schema.IsDeclared) Problem("a C# transform needs a declared schema for its output rows.");
        }

        var dataset = new Dataset
        {
            Name = _name,
            Owner = _owner,
            Description = _description,
            Grain = _grain,
            Schema = _schema,
            Checks = _checks.ToArray(),
            Source = _source,
            Transform = transform,
            Inputs = _inputs.ToArray(),
            Key = _key,
            PublishTargets = _publish.ToArray(),
            ReadyWithin = _readyWithin,
            UsedBy = _usedBy.ToArray(),
        };
        return (problems.Count == 0 ? dataset : null, problems);
    }

    private static SqlTransform LoadSql(string baseDirectory, string relativePath)
    {
        if (Path.IsPathRooted(relativePath) || relativePath.Split('/', '\\').Contains(".."))
            throw new FactoryDefinitionException($"SQL path '{relativePath}' must be relative to the factory directory and stay inside it.");
        var path = Path.Combine(baseDirectory, relativePath);
        if (!File.Exists(path))
            throw new FactoryDefinitionException($"SQL file '{relativePath}' not found (looked in {baseDirectory}).");
        return new SqlTransform(relativePath, File.ReadAllText(path));
    }
}

/// <summary>A single problem found while reading one definition.</summary>
internal sealed class FactoryDefinitionException(string message) : Exception(message);
