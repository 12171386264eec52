using System.Text;

namespace Takt.Ledger.Sqlite;

/// <summary>
/// A version's inputs as one small blob instead of a row per input box (a ledger of 3.65M boxes held 13M such rows,
/// two thirds of its size). Inputs are grouped by dataset; boxes go as deltas; a version id that is 32 lower-case hex
/// digits (every id Takt makes) as its 16 bytes, any other id as its text.
/// </summary>
/// <remarks>
/// Layout: format byte (1), then per dataset: varint name length, UTF-8 name, varint edge count, then per edge: zigzag
/// varint of the box minus the previous box of the group (0 before the first), then either 0x00 and 16 bytes, or 0x01,
/// varint length and UTF-8 id. Format 2 (migration 14 on) names inputs by the ledger's integer keys: per dataset its
/// string id and the edge count, then per edge the zigzag deltas of the box and of the version's vid (a window of days
/// is a run of consecutive vids: one byte each). A record whose inputs are not all in the ledger stays in format 1.
/// </remarks>
internal static class LineageCodec
{
    private const byte Format = 1, KeyedFormat = 2;
    private const byte BinaryId = 0, TextId = 1;

    /// <summary>The edges in the order <see cref="IBoxLedger.InputsOf"/> returns them (dataset, then box); an input version once.</summary>
    public static IReadOnlyList<LineageEdge> Canonical(IEnumerable<LineageEdge> edges)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return edges.Where(e => seen.Add(e.VersionId)) // the first edge naming a version wins, as the per-row table's key kept it
            .OrderBy(e => e.Dataset, StringComparer.Ordinal).ThenBy(e => e.Box).ToArray();
    }

    public static byte[] Encode(IEnumerable<LineageEdge> edges)
    {
        var sorted = Canonical(edges);
        var buffer = new List<byte>(8 + sorted.Count * 24) { Format };
        foreach (var group in sorted.GroupBy(e => e.Dataset, StringComparer.Ordinal))
        {
            WriteText(buffer, group.Key);
            var items = group.ToArray();
            WriteVarint(buffer, (ulong)items.Length);
            var previous = 0L;
            foreach (var edge in items)
            {
                WriteVarint(buffer, ZigZag(edge.Box - previous));
                previous = edge.Box;
                if (IsHexId(edge.VersionId))
                {
                    buffer.Add(BinaryId);
                    buffer.AddRange(Convert.FromHexString(edge.VersionId));
                }
                else
                {
                    buffer.Add(TextId);
                    WriteText(buffer, edge.VersionId);
                }
            }
        }
        return [.. buffer];
    }

    /// <summary>The ledger's keys of an input: its dataset's string id and its version's vid.</summary>
    public readonly record struct Key(long Dataset, long Vid);

    /// <summary>Format 2 of <paramref name="canonical"/> (edges as <see cref="Canonical"/> orders them), with the key of each edge.</summary>
    public static byte[] EncodeKeyed(IReadOnlyList<LineageEdge> canonical, IReadOnlyList<Key> keys)
    {
        var buffer = new List<byte>(8 + canonical.Count * 3) { KeyedFormat };
        for (var start = 0; start < canonical.Count;)
        {
            var end = start;
            while (end < canonical.Count && canonical[end].Dataset == canonical[start].Dataset) end++;
            WriteVarint(buffer, (ulong)keys[start].Dataset);
            WriteVarint(buffer, (ulong)(end - start));
            long box = 0, vid = 0;
            for (var i = start; i < end; i++)
            {
                WriteVarint(buffer, ZigZag(canonical[i].Box - box));
                WriteVarint(buffer, ZigZag(keys[i].Vid - vid));
                (box, vid) = (canonical[i].Box, keys[i].Vid);
            }
            start = end;
        }
        return [.. buffer];
    }

    /// <summary>
    /// The edges of a record of either format; format 2 asks <paramref name="datasetName"/> and <paramref name="versionId"/>
    /// for the texts of its keys.
    /// </summary>
    /// <exception cref="InvalidDataException">The blob is not lineage this codec wrote.</exception>
    public static List<LineageEdge> Decode(ReadOnlySpan<byte> blob, Func<long, string> datasetName, Func<long, string> versionId)
    {
        if (blob.Length == 0 || blob[0] != KeyedFormat) return Decode(blob);
        var edges = new List<LineageEdge>();
        var at = 1;
        while (at < blob.Length)
        {
            var dataset = datasetName((long)ReadVarint(blob, ref at));
            var count = (long)ReadVarint(blob, ref at);
            long box = 0, vid = 0;
            for (var i = 0; i < count; i++)
            {
                box += UnZigZag(ReadVarint(blob, ref at));
                vid += UnZigZag(ReadVarint(blob, ref at));
                edges.Add(new LineageEdge(dataset, box, versionId(vid)));
            }
        }
        return edges;
    }

    /// <summary>The edges of a record of format 1.</summary>
    /// <exception cref="InvalidDataException">The blob is not lineage of format 1.</exception>
    public static List<LineageEdge> Decode(ReadOnlySpan<byte> blob)
    {
        var edges = new List<LineageEdge>();
        if (blob.Length == 0 || blob[0] != Format) throw new InvalidDataException($"the ledger holds lineage in a format Takt does not know ({(blob.Length == 0 ? "empty" : $"format {blob[0]}")})");
        var at = 1;
        while (at < blob.Length)
        {
            var dataset = ReadText(blob, ref at);
            var count = (long)ReadVarint(blob, ref at);
            var box = 0L;
            for (var i = 0; i < count; i++)
            {
                box += UnZigZag(ReadVarint(blob, ref at));
                var kind = Next(blob, ref at);
                var id = kind switch
                {
                    BinaryId => Convert.ToHexStringLower(Take(blob, ref at, 16)),
                    TextId => ReadText(blob, ref at),
                    _ => throw new InvalidDataException($"the ledger's lineage holds an id of unknown kind {kind}"),
                };
                edges.Add(new LineageEdge(dataset, box, id));
            }
        }
        return edges;
    }

    /// <summary>Adds <c>takt_lineage(dataset, box, version_id)</c>, the aggregate that encodes a version's input rows (migration 13).</summary>
    public static void Register(Microsoft.Data.Sqlite.SqliteConnection connection) =>
        connection.CreateAggregate<string, long, string, System.Collections.Immutable.ImmutableList<LineageEdge>?, byte[]>("takt_lineage", null,
            (edges, dataset, box, id) => (edges ?? []).Add(new LineageEdge(dataset, box, id)),
            edges => Encode(edges ?? []), isDeterministic: true);

    private static bool IsHexId(string id) => id.Length == 32 && id.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));
    private static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private static void WriteVarint(List<byte> buffer, ulong value)
    {
        while (value >= 0x80)
        {
            buffer.Add((byte)(value | 0x80));
            value >>= 7;
        }
        buffer.Add((byte)value);
    }

    private static void WriteText(List<byte> buffer, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        WriteVarint(buffer, (ulong)bytes.Length);
        buffer.AddRange(bytes);
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> blob, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = Next(blob, ref at);
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException("the ledger's lineage holds a number longer than 64 bits");
    }

    private static string ReadText(ReadOnlySpan<byte> blob, ref int at)
    {
        var length = ReadVarint(blob, ref at);
        if (length > int.MaxValue) throw new InvalidDataException("the ledger's lineage is cut short");
        return Encoding.UTF8.GetString(Take(blob, ref at, (int)length));
    }

    private static byte Next(ReadOnlySpan<byte> blob, ref int at) =>
        at < blob.Length ? blob[at++] : throw new InvalidDataException("the ledger's lineage is cut short");

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> blob, ref int at, int length)
    {
        if (length < 0 || at + length > blob.Length) throw new InvalidDataException("the ledger's lineage is cut short");
        var span = blob.Slice(at, length);
        at += length;
        return span;
    }
}
