namespace Takt.Composition;

/// <summary>
/// Where a store is, as the user gave it: a URI (<c>sqlite:///var/takt/ledger.db</c>, <c>file:///data/lake</c>) or a
/// plain path, which means the store's default scheme.
/// </summary>
/// <param name="Scheme">Lower case: <c>sqlite</c>, <c>file</c>, ...</param>
/// <param name="Path">The full local path for the local schemes; for others, what follows the scheme.</param>
/// <param name="Text">What the user wrote.</param>
public sealed record StoreAddress(string Scheme, string Path, string Text)
{
    /// <summary>
    /// <c>scheme:///absolute/path</c>, <c>scheme://host/path</c> (the backend reads host and path from <see cref="Path"/>),
    /// <c>scheme:relative/path</c>, or a path without a scheme (relative paths are taken from the current directory).
    /// </summary>
    public static StoreAddress Parse(string text, string defaultScheme)
    {
        var colon = text.IndexOf(':');
        // "C:\x" is a path; a scheme has at least two letters before its colon.
        if (colon < 2 || !IsScheme(text[..colon])) return new StoreAddress(defaultScheme, System.IO.Path.GetFullPath(text), text);
        var scheme = text[..colon].ToLowerInvariant();
        var rest = text[(colon + 1)..];
        if (rest.StartsWith("///", StringComparison.Ordinal)) rest = rest[2..]; // scheme:///absolute/path
        else if (rest.StartsWith("//", StringComparison.Ordinal)) return new StoreAddress(scheme, rest, text); // a host: the backend reads it
        if (rest.Length == 0) throw new ArgumentException($"'{text}' names no path after {scheme}:");
        return new StoreAddress(scheme, System.IO.Path.GetFullPath(Uri.UnescapeDataString(rest)), text);
    }

    private static bool IsScheme(string candidate) =>
        char.IsAsciiLetter(candidate[0]) && candidate.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.');

    public override string ToString() => $"{Scheme}:{(Path.StartsWith("//", StringComparison.Ordinal) ? Path : "//" + Path)}";
}
