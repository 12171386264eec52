namespace Takt.Tests.Scheduling;

/// <summary>A clock that stands still until a test moves it.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (this) return _now;
    }

    public void Set(DateTimeOffset now)
    {
        lock (this) _now = now;
    }

    public void Advance(TimeSpan by)
    {
        lock (this) _now += by;
    }

    public static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);
}
