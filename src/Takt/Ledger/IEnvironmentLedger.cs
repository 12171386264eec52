namespace Takt.Ledger;

/// <summary>Environments (sets of pointers over one shared lake) and the deploys each one saw.</summary>
public interface IEnvironmentLedger
{
    /// <summary>Every environment, <c>prod</c> first, then by name.</summary>
    IReadOnlyList<string> Environments();

    bool EnvironmentExists(string env);

    /// <summary>Creates the environment unless it exists (idempotent).</summary>
    void EnsureEnvironment(string env);

    /// <summary>Removes an environment's pointers, stamps, deploys and record, with an event; versions and files stay.</summary>
    void DropEnvironment(string env);

    /// <summary>How many boxes <paramref name="env"/> and <paramref name="against"/> point at different versions (or only one has).</summary>
    long DifferingBoxes(string env, string against);

    /// <summary>The code hash the environment last recorded a deploy of for the dataset, or null.</summary>
    string? DeployedCodeHash(string env, string dataset);

    /// <summary>
    /// Records that the environment now runs <paramref name="codeHash"/> for the dataset, with a <c>deploy</c> event, if
    /// its deployed code is still <paramref name="previousHash"/> (checked in the same write); false, changing nothing,
    /// when another build recorded a deploy since, so that builds starting together record each deploy once.
    /// </summary>
    bool RecordDeploy(string env, string dataset, string? previousHash, string codeHash, string? gitCommit);
}
