using System.Buffers;
using System.Text;

namespace Takt.Ledger;

/// <summary>
/// The one rule for a reason a person records in the ledger (override, invalidate), whether it comes from the command
/// line or the API: it says something, fits in <see cref="MaxLength"/> characters, is valid UTF-16 (a lone surrogate
/// cannot be stored or shown), and holds no control characters but newlines and tabs, so that no escape code reaches
/// the terminal of whoever reads the events later.
/// </summary>
public static class Reasons
{
    public const int MaxLength = 500;

    // C0 and C1 controls (ESC, CSI, BEL, a carriage return that overwrites a line...) and DEL; newlines and tabs are text.
    private static readonly SearchValues<char> Controls =
        SearchValues.Create(Enumerable.Range(0, 0xA0).Select(c => (char)c).Where(c => char.IsControl(c) && c is not '\n' and not '\t').ToArray());

    /// <summary>The trimmed reason, or null with <paramref name="problem"/> saying what is wrong (without naming the field).</summary>
    public static string? Check(string? text, out string problem)
    {
        var reason = text?.Trim();
        problem = "";
        if (string.IsNullOrEmpty(reason)) problem = "must say why (it is recorded in the ledger)";
        else if (reason.Length > MaxLength) problem = $"is {reason.Length} characters long; at most {MaxLength}";
        else if (!IsValidUtf16(reason)) problem = "is not valid text (it holds half of a UTF-16 surrogate pair)";
        else if (reason.AsSpan().IndexOfAny(Controls) is var at and >= 0)
            problem = $"must not contain control characters or escape codes (it holds U+{(int)reason[at]:X4})";
        return problem.Length == 0 ? reason : null;
    }

    private static bool IsValidUtf16(string text)
    {
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out _, out var used) != OperationStatus.Done) return false;
            rest = rest[used..];
        }
        return true;
    }
}
