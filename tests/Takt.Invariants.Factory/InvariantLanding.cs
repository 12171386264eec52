using System.Globalization;
using System.Text;

namespace Takt.Invariants.Factory;

/// <summary>What can be wrong with a day of events; each kind stops the line at a known place.</summary>
public enum EventDefect
{
    None,
    /// <summary>A line that is not JSON: raw.events stops (well_formed).</summary>
    Malformed,
    /// <summary>An amount that is not a number: raw.events stops (well_formed).</summary>
    BadValue,
    /// <summary>The amount column is renamed: raw.events stops (schema_drift).</summary>
    Drift,
    /// <summary>A line without its required event_id: raw.events stops.</summary>
    MissingRequired,
    /// <summary>A negative amount: core.events stops (range).</summary>
    Negative,
    /// <summary>An event id twice: core.events stops (unique).</summary>
    Duplicate,
    /// <summary>A user the users file does not know: core.events stops (not_null(segment)).</summary>
    UnknownUser,
}

/// <summary>What can be wrong with the users file.</summary>
public enum UsersDefect
{
    None,
    /// <summary>A segment outside a, b, c: raw.users stops (accepted_values), and with it every day.</summary>
    BadSegment,
}

/// <summary>
/// Deterministic landing files: a day's events are a function of (seed, day, revision, defect) and the users file of
/// (seed, revision, defect), so that a fresh home can be given exactly the same landing content.
/// </summary>
public static class InvariantLanding
{
    public static readonly DateOnly FirstDay = new(2026, 2, 24);
    public const string UsersPath = "users/users.csv";
    private const int KnownUsers = 6;

    public static string EventsPath(DateOnly day) => $"events/{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.jsonl";

    public static byte[] Events(int seed, DateOnly day, int revision, EventDefect defect)
    {
        var rng = new Random(unchecked(seed * 1_000_003 + day.DayNumber * 7919 + revision * 104_729));
        var count = rng.Next(4, 9);
        var lines = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = $"e{day:yyyyMMdd}-{revision}-{i}";
            var user = $"u{rng.Next(1, KnownUsers + 1)}";
            var amount = rng.Next(1, 500).ToString(CultureInfo.InvariantCulture);
            lines.Add(Line(id, user, amount, defect == EventDefect.Drift ? "amount_cents" : "amount"));
        }
        switch (defect)
        {
            case EventDefect.Malformed: lines.Insert(1, "{\"event_id\": \"broken"); break;
            case EventDefect.BadValue: lines[0] = Line($"e{day:yyyyMMdd}-{revision}-0", "u1", "\"lots\"", "amount"); break;
            case EventDefect.MissingRequired: lines[0] = "{\"user_id\": \"u1\", \"amount\": 3}"; break;
            case EventDefect.Negative: lines[0] = Line($"e{day:yyyyMMdd}-{revision}-0", "u1", "-42", "amount"); break;
            case EventDefect.Duplicate: lines.Add(Line($"e{day:yyyyMMdd}-{revision}-0", "u2", "17", "amount")); break;
            case EventDefect.UnknownUser: lines[0] = Line($"e{day:yyyyMMdd}-{revision}-0", "u-ghost", "5", "amount"); break;
        }
        return Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
    }

    public static byte[] Users(int seed, int revision, UsersDefect defect)
    {
        var rng = new Random(unchecked(seed * 7_368_787 + revision * 15_485_863));
        var text = new StringBuilder("user_id,segment\n");
        for (var i = 1; i <= KnownUsers + revision % 3; i++)
        {
            var segment = defect == UsersDefect.BadSegment && i == 1 ? "zzz" : "abc"[rng.Next(3)].ToString();
            text.Append('u').Append(i).Append(',').Append(segment).Append('\n');
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Replaces a landing file atomically, as a landing process would.</summary>
    public static void Write(string landingDirectory, string relativePath, byte[] content)
    {
        var path = Path.Combine(landingDirectory, relativePath);
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temp, content);
        File.Move(temp, path, overwrite: true);
    }

    private static string Line(string id, string user, string amount, string amountColumn) =>
        $"{{\"event_id\": \"{id}\", \"user_id\": \"{user}\", \"{amountColumn}\": {amount}}}";
}
