using Takt.Engine;

namespace Takt.Publishing;

// TEMPORARY placeholder so the tree compiles while the publishers are written; replaced before any commit.
internal static class Publishers
{
    public static IPublisher Open(PublishTarget target, string home, DuckDbPool duckDb) =>
        throw new PublishTargetException($"no publisher for {target.Name} yet");
}
