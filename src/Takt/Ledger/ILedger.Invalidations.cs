using Takt.Boxes;

namespace Takt.Ledger;

public partial interface ILedger
{
    /// <summary>The invalidation generation of the boxes in <paramref name="range"/>, from the invalidation ranges that overlap it.</summary>
    GenerationMap Generations(string dataset, BoxRange range);

    /// <summary>The change sequence of the dataset's last invalidation (0 when it never had one).</summary>
    long MaxGenerationSeq(string dataset);

    /// <summary>Moves every box of <paramref name="boxes"/> one generation on, as one row whatever the width.</summary>
    /// <param name="describe">The boxes as the user reads them, for the event.</param>
    void Invalidate(string dataset, BoxRange boxes, string describe, long count, string reason);

    /// <summary>How many boxes of the dataset the environment has in <paramref name="range"/>.</summary>
    long CountBoxes(string env, string dataset, BoxRange range);
}
