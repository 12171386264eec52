using Takt.Ledger;
using Takt.Running;

namespace Takt.Cli;

/// <summary>
/// Failed or stopped tasks of one dataset whose messages are the same apart from their box, told once: 200 boxes
/// without landing files are one line with a count and the box range, not 200 lines.
/// </summary>
internal sealed record AlikeFailures(string Dataset, BuildStatus Status, string Message, IReadOnlyList<TaskReport> Tasks)
{
    /// <summary>The boxes as people read them: <c>raw.orders@2026-01-03</c>, or <c>raw.orders@2026-01-03..2026-01-10 (8 boxes)</c>.</summary>
    public string Boxes => Tasks.Count == 1
        ? $"{Dataset}@{Tasks[0].BoxKey}"
        : $"{Dataset}@{Tasks[0].BoxKey}..{Tasks[^1].BoxKey} ({Tasks.Count} boxes)";

    /// <summary>The message of a single task as it is; of several, without the box (its key shown as <c>{box}</c>).</summary>
    public string Text => Tasks.Count == 1 ? Tasks[0].Outcome.Message : Message;

    /// <summary>Groups tasks by dataset, status and message with the box taken out, in the order of their first task; boxes in order.</summary>
    public static IReadOnlyList<AlikeFailures> Of(IEnumerable<TaskReport> tasks) => tasks
        .GroupBy(KeyOf)
        .Select(g => new AlikeFailures(g.Key.Dataset, g.Key.Status, g.Key.Message, g.OrderBy(t => t.BoxKey, StringComparer.Ordinal).ToArray()))
        .ToArray();

    public static (string Dataset, BuildStatus Status, string Message) KeyOf(TaskReport task) =>
        (task.Dataset, task.Outcome.Status, WithoutBox(task.Dataset, task.BoxKey, task.Outcome.Message));

    /// <summary>A message without its own box: the leading <c>dataset@box: </c> goes, other mentions of the box key become <c>{box}</c>.</summary>
    internal static string WithoutBox(string dataset, string boxKey, string message)
    {
        var prefix = $"{dataset}@{boxKey}: ";
        if (message.StartsWith(prefix, StringComparison.Ordinal)) message = message[prefix.Length..];
        return boxKey == "all" ? message : message.Replace(boxKey, "{box}", StringComparison.Ordinal);
    }
}
