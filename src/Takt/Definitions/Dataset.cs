using Takt.Boxes;

namespace Takt.Definitions;

/// <summary>A dataset as declared once in code: immutable and validated by <see cref="FactoryBuilder.Build"/>.</summary>
public sealed record Dataset
{
    public required string Name { get; init; }
    public required string Owner { get; init; }
    public string Description { get; init; } = "";
    public Grain Grain { get; init; } = Grain.Daily;
    public Schema Schema { get; init; } = Schema.Undeclared;
    public IReadOnlyList<Check> Checks { get; init; } = [];
    public LandingSource? Source { get; init; }
    public Transform? Transform { get; init; }
    public IReadOnlyList<Input> Inputs { get; init; } = [];

    /// <summary>Columns that identify a row, used to compare versions row by row; the first unique check's columns unless declared.</summary>
    public IReadOnlyList<string> Key { get; init; } = [];

    /// <summary>How long after a box's end its first usable version must exist (e.g. 6 h: day D ready by D+1 06:00 UTC).</summary>
    public TimeSpan? ReadyWithin { get; init; }

    /// <summary>Consumers outside Takt (dashboards, services) that read the dataset; a dataset nobody reads is waste.</summary>
    public IReadOnlyList<string> UsedBy { get; init; } = [];

    /// <summary>Where the dataset is handed over to online systems after a successful build.</summary>
    public IReadOnlyList<PublishTarget> PublishTargets { get; init; } = [];

    public IReadOnlyList<string> EffectiveKey => Key.Count > 0 ? Key : Checks.OfType<UniqueCheck>().FirstOrDefault()?.KeyColumns ?? [];

    /// <summary>The part of the name before the dot, e.g. <c>core</c>.</summary>
    public string Layer => Name[..Name.IndexOf('.')];

    public bool IsSource => Source is not null;

    /// <summary>Datasets whose boxes must exist before this one's checks run (referential checks).</summary>
    public IEnumerable<string> CheckDependencies =>
        Checks.OfType<ReferentialCheck>().Select(c => c.OtherDataset).Where(d => d != Name).Distinct();

    /// <summary>Every dataset this one waits for: its inputs, then those its checks read.</summary>
    public IEnumerable<string> Upstream => Inputs.Select(i => i.Dataset).Concat(CheckDependencies).Distinct();

    /// <summary>Inputs with their mappings, then the datasets checks read (same box): everything a box waits for.</summary>
    public IEnumerable<Input> Reads =>
        Inputs.Concat(CheckDependencies.Where(d => Inputs.All(i => i.Dataset != d)).Select(d => new Input(d, PartitionMapping.SameBox)));

    public string BoxKey(long box) => GrainMath.Format(Grain, box);

    /// <summary>A range of boxes as people read it: <c>2026-01-05</c> or <c>2026-01-01..2026-03-01</c>.</summary>
    public string BoxKeys(BoxRange range) => range.Start == range.End ? BoxKey(range.Start) : $"{BoxKey(range.Start)}..{BoxKey(range.End)}";
}
