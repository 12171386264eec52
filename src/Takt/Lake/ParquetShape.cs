using System.Buffers.Binary;

namespace Takt.Lake;

/// <summary>
/// Whether a file begins and ends like a Parquet file ("PAR1", then a footer whose length the last 8 bytes give):
/// a cut-short file fails this. Only for files whose size was never recorded.
/// </summary>
internal static class ParquetShape
{
    private const int Magic = 0x31524150; // "PAR1", little-endian

    /// <summary>Null when the file looks complete; otherwise what is wrong, as "is ..." text.</summary>
    public static string? Problem(string path)
    {
        using var stream = File.OpenRead(path);
        if (stream.Length < 12) return $"is {stream.Length} bytes, too short for a Parquet file";
        Span<byte> head = stackalloc byte[4];
        Span<byte> tail = stackalloc byte[8];
        stream.ReadExactly(head);
        stream.Seek(-8, SeekOrigin.End);
        stream.ReadExactly(tail);
        var footer = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (BinaryPrimitives.ReadInt32LittleEndian(head) != Magic || BinaryPrimitives.ReadInt32LittleEndian(tail[4..]) != Magic || footer <= 0 || footer > stream.Length - 12)
            return "is not a complete Parquet file (no footer at its end)";
        return null;
    }
}
