using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Takt.Server.Security;

/// <summary>
/// Who may talk to <c>serve</c>. Bound to loopback, anyone on the machine may (as with any local tool), but only under a
/// loopback host name, so that a web page cannot reach the dashboard through DNS rebinding. Bound anywhere else, a
/// token is required, and every request, page or API, must carry it: <c>Authorization: Bearer TOKEN</c>, or the cookie
/// that opening a page with <c>?token=TOKEN</c> sets once.
/// </summary>
public sealed class AccessPolicy
{
    public const string CookieName = "takt_token";
    public const int MinimumTokenLength = 16;

    private readonly byte[]? _tokenHash;
    private readonly HashSet<string> _loopbackHosts;

    public AccessPolicy(IPAddress bind, string? token)
    {
        Bind = bind;
        _tokenHash = string.IsNullOrEmpty(token) ? null : Hash(token);
        _loopbackHosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "localhost", "127.0.0.1", "[::1]", "::1" };
        if (IPAddress.IsLoopback(bind)) _loopbackHosts.Add(bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{bind}]" : bind.ToString());
    }

    public IPAddress Bind { get; }
    public bool RequiresToken => _tokenHash is not null;

    /// <summary>Parses <c>--bind</c>: an IP address, or <c>localhost</c> (IPv4 loopback).</summary>
    public static bool TryParseBind(string text, out IPAddress address)
    {
        if (string.Equals(text, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
            return true;
        }
        return IPAddress.TryParse(text, out address!);
    }

    /// <summary>Why <c>serve</c> must not start with this address and token, or null when it may.</summary>
    public static string? Refusal(IPAddress bind, string? token)
    {
        if (token is not null && token.Length < MinimumTokenLength)
            return $"the token must be at least {MinimumTokenLength} characters long (e.g. `openssl rand -hex 24`).";
        if (token is not null && token.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
            return "the token must not contain spaces or control characters.";
        if (!IPAddress.IsLoopback(bind) && string.IsNullOrEmpty(token))
            return $"refusing to bind to {bind}, which is not a loopback address, without a token: anyone who can reach it could read the ledger " +
                   "and override checks. Set one with --token or TAKT_TOKEN, or bind to 127.0.0.1.";
        return null;
    }

    public bool TokenMatches(string? candidate) =>
        _tokenHash is not null && candidate is not null && CryptographicOperations.FixedTimeEquals(_tokenHash, Hash(candidate));

    /// <summary>The token a request carries in its Authorization header or cookie.</summary>
    public bool IsAuthenticated(HttpRequest request)
    {
        if (!RequiresToken) return true;
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && TokenMatches(header["Bearer ".Length..].Trim())) return true;
        return request.Cookies.TryGetValue(CookieName, out var cookie) && TokenMatches(cookie);
    }

    /// <summary>Without a token, only loopback host names are served (DNS rebinding); with one, the token is the guard.</summary>
    public bool HostAllowed(HttpRequest request)
    {
        if (RequiresToken) return true;
        var host = request.Host.Host; // IPv6 literals come with their brackets
        return host.Length > 0 && _loopbackHosts.Contains(host);
    }

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}
