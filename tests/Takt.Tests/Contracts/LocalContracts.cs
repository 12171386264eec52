using Takt.Landing;
using Takt.Lake;
using Takt.Ledger;

namespace Takt.Tests.Contracts;

// The lake's and the landing zone's contract suites run against the local directory implementations.

public sealed class LocalLakeContract : LakeContract
{
    protected override ILake Open(string directory) => new LocalLake(directory);

    protected override void Damage(ILake lake, VersionLocation location, VersionFile file, Func<byte[], byte[]?> change)
    {
        var path = lake.LocalPaths(location, [file]).Single();
        if (change(File.ReadAllBytes(path)) is { } bytes) File.WriteAllBytes(path, bytes);
        else File.Delete(path);
    }
}

public sealed class LocalLandingZoneContract : LandingZoneContract
{
    protected override ILandingZone Open(string directory) => new LocalLandingZone(directory);

    protected override void Land(string directory, string relativePath, byte[] content, DateTime modifiedUtc)
    {
        var path = Path.Combine(directory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, modifiedUtc);
    }

    protected override void Remove(string directory, string relativePath) => File.Delete(Path.Combine(directory, relativePath));
}
