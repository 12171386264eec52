using System.Text.RegularExpressions;
using Cronos;
using Takt.Definitions;

namespace Takt.Server.Scheduling;

/// <summary>A schedule that builds targets when its cron expression comes due (UTC).</summary>
public sealed record CronSchedule(string Name, string Expression, IReadOnlyList<string> Targets, CronExpression Cron)
{
    public string Kind => "cron";
}

/// <summary>A landing-zone sensor: new or changed files of <see cref="Source"/> build what depends on it.</summary>
/// <param name="Targets">What to build; empty means the source and everything downstream of it.</param>
public sealed record LandingSensor(string Name, string Source, IReadOnlyList<string> Targets)
{
    public string Kind => "sensor";
}

/// <summary>A box of <see cref="Dataset"/> must have a usable version <see cref="ReadyWithin"/> after the box ends.</summary>
public sealed record SlaDeclaration(string Dataset, TimeSpan ReadyWithin);

/// <summary>
/// The schedules of a factory, declared in code next to its datasets and handed to <c>serve</c>:
/// <code>
/// new Schedules()
///     .Cron("nightly", "0 6 * * *", targets: ["serving.*"])
///     .OnLanding("orders-arrive", "raw.orders")
///     .Sla("core.orders", TimeSpan.FromHours(6));
/// </code>
/// Cron expressions are evaluated in UTC (five fields, or six with seconds first). Datasets that declare
/// <c>ReadyWithin</c> are tracked for their SLA without being named here; <see cref="Sla"/> adds or overrides one.
/// Names and expressions are checked at once; dataset names are checked against the factory when <c>serve</c> starts.
/// </summary>
public sealed partial class Schedules
{
    private readonly List<CronSchedule> _crons = [];
    private readonly List<LandingSensor> _sensors = [];
    private readonly List<SlaDeclaration> _slas = [];

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex NamePattern();

    public const string NameRule = "lower case letters, digits, '-' and '_', e.g. nightly or orders-arrive";

    public IReadOnlyList<CronSchedule> Crons => _crons;
    public IReadOnlyList<LandingSensor> Sensors => _sensors;
    public IReadOnlyList<SlaDeclaration> Slas => _slas;

    /// <summary>How far back SLA deadlines are looked at when the scheduler starts (and on each tick): older misses are history, not news.</summary>
    public TimeSpan SlaLookback { get; private set; } = TimeSpan.FromDays(2);

    /// <summary>How often <c>serve</c> ticks the scheduler.</summary>
    public TimeSpan TickInterval { get; private set; } = TimeSpan.FromSeconds(15);

    public bool IsEmpty => _crons.Count == 0 && _sensors.Count == 0 && _slas.Count == 0;

    /// <param name="targets">Dataset names or <c>layer.*</c>; none means every dataset.</param>
    public Schedules Cron(string name, string expression, IReadOnlyCollection<string>? targets = null)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(expression);
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        CronExpression cron;
        try
        {
            cron = CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
        }
        catch (CronFormatException e)
        {
            throw new ArgumentException($"schedule '{name}': '{expression}' is not a cron expression ({e.Message})", nameof(expression));
        }
        _crons.Add(new CronSchedule(name, expression, CheckTargets(name, targets), cron));
        return this;
    }

    /// <param name="targets">What to build when files arrive; none means the source and everything downstream of it.</param>
    public Schedules OnLanding(string name, string source, IReadOnlyCollection<string>? targets = null)
    {
        CheckName(name);
        if (!Names.IsDatasetName(source)) throw new ArgumentException($"sensor '{name}': '{source}' is not a dataset name ({Names.DatasetRule})", nameof(source));
        _sensors.Add(new LandingSensor(name, source, CheckTargets(name, targets)));
        return this;
    }

    public Schedules Sla(string dataset, TimeSpan readyWithin)
    {
        if (!Names.IsDatasetName(dataset)) throw new ArgumentException($"SLA: '{dataset}' is not a dataset name ({Names.DatasetRule})", nameof(dataset));
        if (readyWithin < TimeSpan.Zero) throw new ArgumentException($"SLA of {dataset}: the time to be ready cannot be negative", nameof(readyWithin));
        _slas.RemoveAll(s => s.Dataset == dataset);
        _slas.Add(new SlaDeclaration(dataset, readyWithin));
        return this;
    }

    public Schedules WithSlaLookback(TimeSpan lookback)
    {
        if (lookback <= TimeSpan.Zero) throw new ArgumentException("the SLA lookback must be positive", nameof(lookback));
        SlaLookback = lookback;
        return this;
    }

    public Schedules WithTickInterval(TimeSpan interval)
    {
        if (interval < TimeSpan.FromMilliseconds(100)) throw new ArgumentException("the tick interval must be at least 100 ms", nameof(interval));
        TickInterval = interval;
        return this;
    }

    /// <summary>Every problem of the schedules against the factory (unknown datasets, sensors on transforms), empty when none.</summary>
    public IReadOnlyList<string> Problems(Factory factory)
    {
        var problems = new List<string>();
        foreach (var name in _crons.Select(c => c.Name).Concat(_sensors.Select(s => s.Name)).GroupBy(n => n).Where(g => g.Count() > 1))
            problems.Add($"schedule name '{name.Key}' is used {name.Count()} times");
        foreach (var cron in _crons) problems.AddRange(TargetProblems(factory, cron.Name, cron.Targets));
        foreach (var sensor in _sensors)
        {
            if (!factory.Contains(sensor.Source)) problems.Add($"sensor '{sensor.Name}': no dataset is named {sensor.Source}");
            else if (!factory[sensor.Source].IsSource) problems.Add($"sensor '{sensor.Name}': {sensor.Source} is a transform, not a source with landing files");
            problems.AddRange(TargetProblems(factory, sensor.Name, sensor.Targets));
        }
        foreach (var sla in _slas)
            if (!factory.Contains(sla.Dataset)) problems.Add($"SLA: no dataset is named {sla.Dataset}");
        return problems;
    }

    /// <summary>The SLAs in force: the datasets' own <c>ReadyWithin</c>, overridden by those declared here.</summary>
    public IReadOnlyList<SlaDeclaration> EffectiveSlas(Factory factory)
    {
        var byDataset = factory.Datasets.Where(d => d.ReadyWithin is not null).ToDictionary(d => d.Name, d => d.ReadyWithin!.Value);
        foreach (var sla in _slas.Where(s => factory.Contains(s.Dataset))) byDataset[sla.Dataset] = sla.ReadyWithin;
        return factory.Datasets.Where(d => byDataset.ContainsKey(d.Name)).Select(d => new SlaDeclaration(d.Name, byDataset[d.Name])).ToArray();
    }

    private static IEnumerable<string> TargetProblems(Factory factory, string schedule, IReadOnlyList<string> targets)
    {
        foreach (var target in targets)
        {
            var known = target.EndsWith(".*", StringComparison.Ordinal)
                ? factory.Datasets.Any(d => d.Layer == target[..^2])
                : factory.Contains(target);
            if (!known) yield return $"schedule '{schedule}': target {target} names no dataset";
        }
    }

    private void CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!NamePattern().IsMatch(name)) throw new ArgumentException($"'{name}' is not a schedule name ({NameRule})", nameof(name));
    }

    private static IReadOnlyList<string> CheckTargets(string schedule, IReadOnlyCollection<string>? targets)
    {
        var list = targets?.ToArray() ?? [];
        foreach (var target in list)
            if (!Names.IsDatasetName(target) && !(target.EndsWith(".*", StringComparison.Ordinal) && Names.IsColumnName(target[..^2])))
                throw new ArgumentException($"schedule '{schedule}': '{target}' is not a dataset name or layer.* ({Names.DatasetRule})", nameof(targets));
        return list;
    }
}
