using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Takt.Server;

/// <summary>The dashboard's files, embedded in this assembly under <c>wwwroot/</c>: only those are served, each at its own path.</summary>
internal static class EmbeddedAssets
{
    private const string Prefix = "wwwroot/";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".txt"] = "text/plain; charset=utf-8",
        [".json"] = "application/json",
    };

    public static IReadOnlyList<string> Paths { get; } = typeof(EmbeddedAssets).Assembly.GetManifestResourceNames()
        .Where(n => n.Replace('\\', '/').StartsWith(Prefix, StringComparison.Ordinal))
        .Select(n => "/" + n.Replace('\\', '/')[Prefix.Length..])
        .ToArray();

    public static void Map(IEndpointRouteBuilder app)
    {
        var assembly = typeof(EmbeddedAssets).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var normalized = resource.Replace('\\', '/');
            if (!normalized.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            var path = "/" + normalized[Prefix.Length..];
            var bytes = Read(assembly, resource);
            var type = ContentTypes.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
            app.MapGet(path, () => Results.Bytes(bytes, type));
            if (path == "/index.html") app.MapGet("/", () => Results.Bytes(bytes, type));
        }
    }

    private static byte[] Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
