using Takt.Running;

namespace Takt.Tests; // enclosing every test namespace: tests call ws.LandingDirectory without a using

internal static class LocalLanding
{
    extension(Workspace ws)
    {
        /// <summary>The directory of the workspace's local landing zone (its root's local path), for tests that land files in it.</summary>
        public string LandingDirectory => ws.Landing.LocalPath("");
    }
}
