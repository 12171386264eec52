using Takt.Definitions;
using Takt.Running;

namespace Takt.Publishing;

/// <summary>What a build's publish step did: copies published (or found current), and why others were not, one line each.</summary>
public sealed record PublishStepResult(IReadOnlyList<PublishResult> Published, IReadOnlyList<string> NotPublished, bool Failed)
{
    public static readonly PublishStepResult Nothing = new([], [], false);
}

/// <summary>
/// The last step of a build: publishes the datasets of the build that declare targets of its environment. A dataset
/// another environment publishes is skipped, and said so; a stopped line publishes nothing, and says why.
/// </summary>
internal sealed class PublishStep(Workspace ws)
{
    /// <param name="closure">The datasets the build's targets need.</param>
    /// <param name="worked">The datasets the build ran a task for (or held back).</param>
    public PublishStepResult Run(IEnumerable<Dataset> closure, IReadOnlySet<string> worked)
    {
        var published = new List<PublishResult>();
        var notPublished = new List<string>();
        var failed = false;
        foreach (var dataset in closure.Where(d => d.PublishTargets.Count > 0 && worked.Contains(d.Name)))
        {
            if (PublishService.TargetsIn(dataset, ws.Env).Count == 0)
            {
                notPublished.Add(PublishService.NotPublishedIn(dataset, ws.Env));
                continue;
            }
            try
            {
                var outcome = new PublishService(ws).Publish(dataset.Name);
                published.AddRange(outcome.Published);
                notPublished.AddRange(outcome.Failed);
                failed |= outcome.Failed.Count > 0;
            }
            catch (NotPublishableException e) { notPublished.Add(e.Message); }
        }
        return new PublishStepResult(published, notPublished, failed);
    }
}
