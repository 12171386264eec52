using System.Diagnostics;

namespace Takt.Running;

/// <summary>The commit checked out where the factory runs, recorded with deploys; null outside a git work tree.</summary>
internal static class GitCommit
{
    public static string? Of(string directory)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["-C", directory, "rev-parse", "HEAD"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (git is null) return null;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit(5000);
            return git.ExitCode == 0 && output.Length >= 7 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
