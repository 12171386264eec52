using Takt.Boxes;

namespace Takt.Definitions;

/// <summary>
/// Collects dataset declarations and turns them into a validated <see cref="Factory"/>. <see cref="Build"/> reports
/// every problem it finds at once, not just the first.
/// </summary>
public sealed class FactoryBuilder
{
    private readonly string _name;
    private readonly string _baseDirectory;
    private readonly List<(string Name, DatasetBuilder Builder)> _datasets = [];
    private readonly List<SemanticType> _semanticTypes = [];

    /// <param name="name">The factory's name.</param>
    /// <param name="baseDirectory">Where relative SQL paths are resolved; the program's directory by default.</param>
    public FactoryBuilder(string name, string? baseDirectory = null)
    {
        _name = name;
        _baseDirectory = Path.GetFullPath(baseDirectory ?? AppContext.BaseDirectory);
    }

    public FactoryBuilder Dataset(string name, Action<DatasetBuilder> declare)
    {
        var builder = new DatasetBuilder(name);
        declare(builder);
        _datasets.Add((name, builder));
        return this;
    }

    /// <summary>Declares what a semantic type means and which column is the truth for it (e.g. <c>core.users.user_id</c>).</summary>
    public FactoryBuilder SemanticType(string name, string description, string? truth = null)
    {
        _semanticTypes.Add(new SemanticType(name, description, truth));
        return this;
    }

    /// <exception cref="FactoryValidationException">Listing every problem found.</exception>
    public Factory Build()
    {
        var problems = new List<string>();
        var datasets = new List<Dataset>();

        foreach (var group in _datasets.GroupBy(d => d.Name).Where(g => g.Count() > 1))
            problems.Add($"{group.Key}: declared {group.Count()} times; a dataset is declared once.");

        foreach (var (name, builder) in _datasets.DistinctBy(d => d.Name))
        {
            if (!Names.IsDatasetName(name))
            {
                problems.Add($"'{name}': not a valid dataset name ({Names.DatasetRule}).");
                continue;
            }
            var (dataset, datasetProblems) = builder.Build(_baseDirectory);
            problems.AddRange(datasetProblems);
            if (dataset is not null) datasets.Add(dataset);
        }

        var byName = datasets.ToDictionary(d => d.Name);
        foreach (var dataset in datasets) problems.AddRange(CheckReferences(dataset, byName));

        problems.AddRange(CheckSemanticTypes(byName));
        var targets = datasets.SelectMany(d => d.PublishTargets.Select(t => (Dataset: d.Name, Target: t)));
        foreach (var shared in targets.GroupBy(x => x.Target.Location).Where(g => g.Count() > 1))
            problems.Add($"{string.Join(" and ", shared.Select(x => $"{x.Dataset} in {x.Target.Environment}"))} publish to the same {shared.Key}; "
                + "readers of a target see one dataset of one environment, so give each its own.");
        var ordered = TopologicalOrder(datasets, byName, problems);
        var codeHashes = CodeHashes(datasets, problems);
        if (problems.Count > 0) throw new FactoryValidationException(_name, problems);
        return new Factory(_name, _baseDirectory, ordered, _semanticTypes.ToArray(), codeHashes);
    }

    private static Dictionary<string, string> CodeHashes(List<Dataset> datasets, List<string> problems)
    {
        var hashes = new Dictionary<string, string>();
        foreach (var dataset in datasets)
        {
            try { hashes[dataset.Name] = CodeHash.Of(dataset); }
            catch (UnreadableCodeException e)
            {
                problems.Add($"{dataset.Name}: the compiled code of its C# transform cannot be read ({e.Message}); Takt hashes it to know "
                    + "which boxes a code change makes stale. Declare the transform as a method of the factory's compiled assembly.");
            }
        }
        return hashes;
    }

    private IEnumerable<string> CheckSemanticTypes(Dictionary<string, Dataset> byName)
    {
        foreach (var group in _semanticTypes.GroupBy(t => t.Name).Where(g => g.Count() > 1))
            yield return $"semantic type '{group.Key}' is declared {group.Count()} times; it has one definition.";
        foreach (var type in _semanticTypes.Where(t => t.Truth is not null))
        {
            var dot = type.Truth!.LastIndexOf('.');
            var dataset = dot > 0 ? byName.GetValueOrDefault(type.Truth[..dot]) : null;
            var column = dataset?.Schema.Find(type.Truth[(dot + 1)..]);
            if (column is null) yield return $"semantic type '{type.Name}': its truth '{type.Truth}' is not a declared dataset.column.";
            else if (column.Semantic != type.Name) yield return $"semantic type '{type.Name}': its truth '{type.Truth}' is declared as '{column.Semantic ?? "no semantic type"}'.";
        }
    }

    private static IEnumerable<string> CheckReferences(Dataset dataset, Dictionary<string, Dataset> byName)
    {
        var name = dataset.Name;
        foreach (var input in dataset.Inputs)
        {
            if (input.Dataset == name) yield return $"{name}: reads itself.";
            else if (!byName.ContainsKey(input.Dataset)) yield return $"{name}: unknown input '{input.Dataset}'.";
        }
        foreach (var group in dataset.Inputs.GroupBy(i => i.Dataset).Where(g => g.Count() > 1))
            yield return $"{name}: input '{group.Key}' is declared {group.Count()} times.";

        foreach (var column in dataset.Schema.Columns)
        {
            if (!Names.IsColumnName(column.Name)) yield return $"{name}: column '{column.Name}' is not a valid name ({Names.ColumnRule}).";
            else if (column.Name.StartsWith("__", StringComparison.Ordinal)) yield return $"{name}: column '{column.Name}' starts with '__', which Takt keeps for its own columns.";
        }
        foreach (var group in dataset.Schema.Columns.GroupBy(c => c.Name).Where(g => g.Count() > 1))
            yield return $"{name}: column '{group.Key}' is declared {group.Count()} times.";

        foreach (var column in dataset.Key)
            if (!Names.IsColumnName(column) || (dataset.Schema.IsDeclared && dataset.Schema.Find(column) is null))
                yield return $"{name}: key column '{column}' is not a declared column.";
        foreach (var group in dataset.Checks.GroupBy(c => c.Name).Where(g => g.Count() > 1))
            yield return $"{name}: check '{group.Key}' is declared {group.Count()} times.";
        foreach (var check in dataset.Checks)
        {
            foreach (var column in check.Columns)
            {
                if (!Names.IsColumnName(column)) yield return $"{name}: check {check.Name} names '{column}', not a valid column name.";
                else if (dataset.Schema.IsDeclared && dataset.Schema.Find(column) is null)
                    yield return $"{name}: check {check.Name} reads column '{column}', which the schema does not declare.";
            }
            if (check is ReferentialCheck r)
            {
                if (!byName.TryGetValue(r.OtherDataset, out var other)) yield return $"{name}: check {check.Name} refers to unknown dataset '{r.OtherDataset}'.";
                else if (!Names.IsColumnName(r.OtherColumn) || (other.Schema.IsDeclared && other.Schema.Find(r.OtherColumn) is null))
                    yield return $"{name}: check {check.Name} refers to column '{r.OtherColumn}', which {r.OtherDataset} does not declare.";
            }
            if (check is RangeCheck { Min: null, Max: null }) yield return $"{name}: check {check.Name} has neither a minimum nor a maximum.";
            if (check is AcceptedValuesCheck { Values.Count: 0 }) yield return $"{name}: check {check.Name} accepts no value at all.";
        }

        if (dataset.Transform is SqlTransform sql)
            foreach (var unknown in BoxVariables.Unknown(sql.Sql))
                yield return $"{name}: {sql.RelativePath} reads getvariable('{unknown}'), which Takt does not set (it sets {string.Join(", ", BoxVariables.All)}).";
        if (dataset.Source is { } source)
        {
            foreach (var problem in CheckSource(dataset, source)) yield return $"{name}: {problem}";
        }
        if (dataset.Transform is not null && dataset.Grain != Grain.Unpartitioned && dataset.Inputs.Count > 0
            && dataset.Inputs.All(i => i.Mapping == PartitionMapping.Latest))
            yield return $"{name}: a partitioned dataset needs at least one input that is not read as 'latest', to know which boxes it has.";
    }

    private static IEnumerable<string> CheckSource(Dataset dataset, LandingSource source)
    {
        if (!dataset.Schema.IsDeclared) yield return "a source needs a declared schema (it is the contract the landing files are checked against).";
        var pattern = source.Pattern;
        if (pattern.Length == 0 || pattern.StartsWith('/') || pattern.Contains('\\') || pattern.Split('/').Any(p => p is ".." or "." or ""))
            yield return $"landing pattern '{pattern}' must be a relative path with '/' separators and no '.' or '..' parts.";
        var placeholders = CountOf(pattern, LandingSource.BoxPlaceholder);
        if (source.IsSplit)
        {
            if (placeholders > 0) yield return $"landing pattern '{pattern}' holds {{box}}, but files split by '{source.SplitBy}' span many boxes; drop one of the two.";
            var column = dataset.Schema.Find(source.SplitBy!);
            if (column is null) yield return $"split column '{source.SplitBy}' is not in the schema.";
            else if (column.Type != ColumnType.Timestamp && column.Type != ColumnType.Date) yield return $"split column '{source.SplitBy}' must be a timestamp or date, not {column.Type}.";
            if (dataset.Grain == Grain.Unpartitioned) yield return "an unpartitioned source has nothing to split by.";
        }
        else if (dataset.Grain != Grain.Unpartitioned && placeholders != 1)
            yield return $"landing pattern '{pattern}' must hold {{box}} exactly once (e.g. 'orders/{{box}}.jsonl'), or split files by a timestamp column.";
        else if (dataset.Grain == Grain.Unpartitioned && placeholders != 0)
            yield return $"landing pattern '{pattern}' holds {{box}}, but the dataset is unpartitioned.";
        if (!source.IsSplit && source.TimeColumn is { } time)
        {
            var column = dataset.Schema.Find(time);
            if (column is null) yield return $"time column '{time}' is not in the schema.";
            else if (column.Type != ColumnType.Timestamp && column.Type != ColumnType.Date && column.Type != ColumnType.String)
                yield return $"time column '{time}' must be a timestamp, a date or text holding timestamps, not {column.Type}.";
            if (dataset.Grain == Grain.Unpartitioned) yield return "an unpartitioned source has no box for its time column to fall in.";
        }
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    private static List<Dataset> TopologicalOrder(List<Dataset> datasets, Dictionary<string, Dataset> byName, List<string> problems)
    {
        var ordered = new List<Dataset>();
        var state = new Dictionary<string, int>(); // 1 = visiting, 2 = done
        var reportedCycles = new HashSet<string>();

        void Visit(Dataset dataset, Stack<string> path)
        {
            state[dataset.Name] = 1;
            path.Push(dataset.Name);
            foreach (var upstream in dataset.Upstream.Where(byName.ContainsKey).Order(StringComparer.Ordinal))
            {
                state.TryGetValue(upstream, out var s);
                if (s == 1)
                {
                    var cycle = path.Reverse().SkipWhile(n => n != upstream).Append(upstream).ToArray();
                    var key = string.Join(">", cycle.Skip(1).Order(StringComparer.Ordinal));
                    if (reportedCycles.Add(key)) problems.Add($"cycle: {string.Join(" -> ", cycle)}.");
                }
                else if (s == 0) Visit(byName[upstream], path);
            }
            path.Pop();
            state[dataset.Name] = 2;
            ordered.Add(dataset);
        }

        // Ordinal, not the process's culture: the order is the same on every machine (and ICU collation costs more).
        foreach (var dataset in datasets.OrderBy(d => d.Name, StringComparer.Ordinal))
            if (!state.ContainsKey(dataset.Name)) Visit(dataset, new Stack<string>());
        return ordered;
    }
}

/// <summary>Definitions that cannot make a factory; <see cref="Problems"/> lists every problem found.</summary>
public sealed class FactoryValidationException(string factory, IReadOnlyList<string> problems)
    : Exception($"Factory '{factory}' has {problems.Count} problem{(problems.Count == 1 ? "" : "s")}:\n  - {string.Join("\n  - ", problems)}")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
