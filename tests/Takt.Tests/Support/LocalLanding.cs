using Takt.Landing;
using Takt.Running;

namespace Takt.Tests; // enclosing every test namespace: tests call ws.LandingDirectory without a using

internal static class LocalLanding
{
    extension(Workspace ws)
    {
        /// <summary>The directory of the workspace's local landing zone, for tests that land files in it.</summary>
        public string LandingDirectory => ws.Landing is LocalLandingZone local
            ? local.Root
            : throw new InvalidOperationException($"the workspace's landing zone {ws.Landing.Describe} is not a local directory");
    }
}
