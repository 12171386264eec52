using Takt.Definitions;
using Takt.Running;

namespace Takt.Publishing;

/// <summary>
/// What a build's publish step did: copies published (or found current), why others were not (one line each), and
/// the publishes still pending after it.
/// </summary>
public sealed record PublishStepResult(IReadOnlyList<PublishResult> Published, IReadOnlyList<string> NotPublished, bool Failed, IReadOnlyList<PendingPublish> Pending);

/// <summary>
/// The last step of a build: publishes the datasets of the build that declare targets of its environment and either
/// changed in this build or have a publish pending (a crash between commit and publish, a failed target), even when no
/// task ran. A dataset another environment publishes is skipped, and said so; a stopped line publishes nothing, and says why.
/// </summary>
/// <param name="runId">The build's run: it holds the publish leases, and its lease keeper renews them.</param>
internal sealed class PublishStep(Workspace ws, string runId)
{
    /// <param name="closure">The datasets the build's targets need.</param>
    /// <param name="worked">The datasets the build ran a task for (or held back).</param>
    /// <param name="publish">False for <c>build --no-publish</c>: only say what is pending.</param>
    public PublishStepResult Run(IReadOnlyList<Dataset> closure, IReadOnlySet<string> worked, bool publish)
    {
        var published = new List<PublishResult>();
        var notPublished = new List<string>();
        var failed = false;
        foreach (var dataset in publish ? closure.Where(d => d.PublishTargets.Count > 0) : [])
        {
            if (PublishService.TargetsIn(dataset, ws.Env).Count == 0)
            {
                if (worked.Contains(dataset.Name)) notPublished.Add(PublishService.NotPublishedIn(dataset, ws.Env));
                continue;
            }
            if (!worked.Contains(dataset.Name) && !PendingPublishes.Of(ws, [dataset.Name]).Any(p => !p.Held)) continue;
            FaultInjection.Hit("before-publish");
            try
            {
                var outcome = new PublishService(ws, runId).Publish(dataset.Name, releaseHolds: false);
                published.AddRange(outcome.Published);
                notPublished.AddRange(outcome.Failed);
                failed |= outcome.Failed.Count > 0;
            }
            catch (NotPublishableException e) { notPublished.Add(e.Message); }
            catch (Lake.LostFilesException e)
            {
                notPublished.Add($"{dataset.Name} not published: {e.Message}");
                failed = true;
            }
        }
        return new PublishStepResult(published, notPublished, failed, PendingPublishes.Of(ws, closure.Select(d => d.Name)));
    }
}
