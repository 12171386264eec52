using System.Security.Cryptography;

namespace Takt.Ingest;

/// <summary>How the lines of a text file end: all with LF, all with CRLF, or a mix (or a lone CR somewhere).</summary>
internal enum LineEndings { Lf, CrLf, Mixed }

/// <summary>
/// What one pass over a landing file's bytes tells: the SHA-256 that names its content, its length and its line
/// count and line endings, which say whether DuckDB's line numbers can be trusted (see <see cref="LandingRead"/>).
/// The counting is vectorised (<see cref="MemoryExtensions.Count{T}(ReadOnlySpan{T}, T)"/>) and rides on the read
/// the hash needs anyway.
/// </summary>
internal sealed record LandingFacts(string Sha256, long Length, long Lines, LineEndings Endings)
{
    private const int BufferSize = 1 << 20;

    public static LandingFacts Of(Stream stream)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        long length = 0, lineFeeds = 0, carriageReturns = 0, crLf = 0;
        byte last = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            var span = buffer.AsSpan(0, read);
            sha.AppendData(span);
            lineFeeds += span.Count((byte)'\n');
            carriageReturns += span.Count((byte)'\r');
            crLf += span.Count("\r\n"u8);
            if (last == '\r' && span[0] == '\n') crLf++; // a pair split across two reads
            last = span[^1];
            length += read;
        }
        var lines = lineFeeds + (length > 0 && last != '\n' ? 1 : 0);
        var endings = carriageReturns == 0 ? LineEndings.Lf
            : carriageReturns == crLf && crLf == lineFeeds ? LineEndings.CrLf
            : LineEndings.Mixed;
        return new LandingFacts(Convert.ToHexStringLower(sha.GetHashAndReset()), length, lines, endings);
    }
}
