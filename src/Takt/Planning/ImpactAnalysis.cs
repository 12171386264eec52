using Takt.Boxes;
using Takt.Definitions;

namespace Takt.Planning;

/// <summary>A dataset downstream of a change, with the boxes of it that read the changed boxes.</summary>
public sealed record DownstreamBoxes(Dataset Dataset, BoxSet Boxes);

/// <summary>What a change to some boxes of a dataset reaches downstream, through the partition mappings.</summary>
public static class ImpactAnalysis
{
    /// <summary>Every dataset downstream of <paramref name="boxes"/> of <paramref name="start"/>, in the extents the plan gives each dataset.</summary>
    public static IReadOnlyList<DownstreamBoxes> Of(Factory factory, Plan plan, Dataset start, BoxRange boxes)
    {
        var extents = plan.Datasets.ToDictionary(d => d.Dataset, d => d.Extent);
        return Downstream(factory, start, BoxSet.Of(boxes.Intersect(extents[start.Name])), extents);
    }

    /// <summary>Datasets downstream of some boxes, with the boxes that read them (factory order is topological).</summary>
    public static IReadOnlyList<DownstreamBoxes> Downstream(Factory factory, Dataset start, BoxSet boxes, IReadOnlyDictionary<string, BoxRange> extents)
    {
        var affected = new Dictionary<string, BoxSet> { [start.Name] = boxes };
        var result = new List<DownstreamBoxes>();
        foreach (var dataset in factory.Datasets)
        {
            if (dataset.Name == start.Name) continue;
            var reads = BoxSet.Empty;
            foreach (var (name, mapping) in dataset.Reads)
            {
                if (!affected.TryGetValue(name, out var upstream) || upstream.IsEmpty) continue;
                reads = reads.Union(mapping.ReadersOf(upstream, factory[name].Grain, dataset.Grain, extents.GetValueOrDefault(name, BoxRange.Everything)));
            }
            if (reads.IsEmpty) continue;
            reads = reads.Intersect(extents.GetValueOrDefault(dataset.Name, BoxRange.Everything));
            affected[dataset.Name] = reads;
            result.Add(new DownstreamBoxes(dataset, reads));
        }
        return result;
    }
}
