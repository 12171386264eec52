namespace Takt.Running;

/// <summary>The phases of a build, in order, as <see cref="IRunObserver.Phase"/> names them.</summary>
public static class RunPhase
{
    public const string Ingest = "ingest";
    public const string Transforms = "transforms";
    public const string Publish = "publish";
}
