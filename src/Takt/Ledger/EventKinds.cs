namespace Takt.Ledger;

/// <summary>The kinds of ledger events that more than one part of Takt writes or reads.</summary>
public static class EventKinds
{
    public const string Andon = "andon";
    public const string Override = "override";
    public const string Deploy = "deploy";

    /// <summary>A landing file no box takes (misnamed, a directory, a control character in its name), or one left for the next build.</summary>
    public const string LandingProblem = "landing_problem";

    /// <summary>A version's files were found missing or damaged (by <c>verify</c> or a reader).</summary>
    public const string Lost = "lost";

    /// <summary>A box had no usable version by its SLA deadline (recorded by the scheduler of <c>serve</c>).</summary>
    public const string SlaMiss = "sla_miss";
}
