using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Shop.Generator;

internal sealed record Order(string OrderId, string UserId, long AmountCents, string Currency, string OrderedAt);

/// <summary>One day of orders: generated clean (plus redelivered duplicates), then possibly damaged by <see cref="DefectInjector"/>.</summary>
internal sealed class OrdersDay
{
    private static readonly TimeSpan[] LocalOffsets = [TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(-5)];

    // The default encoder escapes '+' (as in "+02:00") to \u002B; these values are plain ASCII, so relax it.
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private OrdersDay(DateOnly day, List<Order> originals, List<Order> rows, HashSet<string> redeliveredIds)
    {
        Day = day;
        Originals = originals;
        Rows = rows;
        RedeliveredIds = redeliveredIds;
    }

    public DateOnly Day { get; }

    /// <summary>The distinct orders as generated, in order_id order.</summary>
    public IReadOnlyList<Order> Originals { get; }

    /// <summary>The rows in file order, including redelivered copies.</summary>
    public List<Order> Rows { get; }

    public IReadOnlySet<string> RedeliveredIds { get; }

    public bool AmountInCents { get; set; }

    /// <summary>Lines written as-is at the given 1-based line numbers of the final file.</summary>
    public List<(int LineNumber, string Text)> RawLines { get; } = [];

    public static OrdersDay Generate(DateOnly day, IReadOnlyList<User> snapshot)
    {
        var rng = Seeds.For(day, Seeds.Orders);
        var dayStart = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var idPrefix = "o-" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "-";

        var count = rng.Next(150, 251);
        var seconds = Enumerable.Range(0, count).Select(_ => rng.Next(24 * 60 * 60)).Order().ToList();
        var originals = new List<Order>(count);
        for (var i = 0; i < count; i++)
        {
            var orderedAt = dayStart.AddSeconds(seconds[i]);
            var user = snapshot[rng.Next(SignedUpBy(snapshot, orderedAt))];
            originals.Add(new Order(
                idPrefix + (i + 1).ToString("D5", CultureInfo.InvariantCulture),
                user.Id,
                RandomAmountCents(rng),
                RandomCurrency(rng),
                FormatOrderedAt(orderedAt, rng)));
        }

        // At-least-once delivery: a few orders arrive a second time, byte for byte, a little later in the file.
        var rows = new List<Order>(originals);
        var redelivered = new HashSet<string>();
        var redeliveries = rng.Next(1, 4);
        while (redelivered.Count < redeliveries)
        {
            var order = originals[rng.Next(count)];
            if (!redelivered.Add(order.OrderId)) continue;
            var position = rows.IndexOf(order) + 1 + rng.Next(1, 30);
            rows.Insert(Math.Min(position, rows.Count), order);
        }

        return new OrdersDay(day, originals, rows, redelivered);
    }

    public static long RandomAmountCents(Random rng)
    {
        // Log-normal around a median of 35; the sum of 12 uniforms minus 6 is a good-enough standard normal.
        var z = -6.0;
        for (var i = 0; i < 12; i++) z += rng.NextDouble();
        var amount = Math.Clamp(Math.Exp(Math.Log(35) + 0.8 * z), 1, 500);
        return (long)Math.Round(amount * 100);
    }

    public string Serialize(Order order)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("order_id", order.OrderId);
            json.WriteString("user_id", order.UserId);
            if (AmountInCents)
                json.WriteNumber("amount_cents", order.AmountCents);
            else
                json.WriteNumber("amount", order.AmountCents / 100m);
            json.WriteString("currency", order.Currency);
            json.WriteString("ordered_at", order.OrderedAt);
            json.WriteEndObject();
        }
        return Formats.Utf8NoBom.GetString(buffer.WrittenSpan);
    }

    public byte[] ToJsonl()
    {
        var lines = Rows.Select(Serialize).ToList();
        foreach (var (lineNumber, text) in RawLines.OrderBy(r => r.LineNumber))
            lines.Insert(lineNumber - 1, text);
        return Formats.Utf8NoBom.GetBytes(string.Concat(lines.Select(line => line + "\n")));
    }

    private static int SignedUpBy(IReadOnlyList<User> snapshot, DateTime instant)
    {
        var count = 0;
        while (count < snapshot.Count && snapshot[count].SignedUpAt <= instant) count++;
        return count;
    }

    private static string RandomCurrency(Random rng) => rng.Next(100) switch
    {
        < 60 => "EUR",
        < 85 => "USD",
        _ => "GBP",
    };

    private static string FormatOrderedAt(DateTime utc, Random rng)
    {
        if (rng.Next(2) == 0) return Formats.UtcTimestamp(utc);
        // Converting the UTC instant keeps it inside the UTC day whatever the offset; only the local wall-clock date may differ.
        var local = new DateTimeOffset(utc).ToOffset(LocalOffsets[rng.Next(LocalOffsets.Length)]);
        return local.ToString("yyyy-MM-dd HH:mm:sszzz", CultureInfo.InvariantCulture);
    }
}
