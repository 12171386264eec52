namespace Takt.Running;

/// <summary>Run ids sort by start time and are unique across hosts: <c>20260105T140307-1f3c9a2b</c>.</summary>
public static class RunIds
{
    public static string New(TimeProvider clock) =>
        clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..8];
}
