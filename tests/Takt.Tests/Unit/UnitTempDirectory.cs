namespace Takt.Tests.Unit;

/// <summary>A fresh directory under the system temp directory, removed on dispose.</summary>
internal sealed class UnitTempDirectory : IDisposable
{
    public UnitTempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "takt-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes a text file relative to the directory, creating folders as needed; returns its full path.</summary>
    public string Write(string relativePath, string text)
    {
        var full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
