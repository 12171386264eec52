namespace Takt.Tests.Support;

/// <summary>
/// Programs of the machine that some tests need: Chromium (the dashboard's browser tests) and the PostgreSQL 15 server
/// (the PostgreSQL publisher's tests). <c>./test</c> installs what is missing where it can; where it cannot, the tests
/// that need a missing program are skipped, and the runner prints why. With <c>TAKT_TEST_REQUIRE_ALL=1</c> (CI) nothing
/// is skipped: those tests run and fail, saying what is missing.
/// </summary>
internal static class Components
{
    /// <summary>The Chromium to drive: <c>TAKT_CHROMIUM</c>, or Debian's <c>/usr/bin/chromium</c>.</summary>
    public static string ChromiumPath => Setting("TAKT_CHROMIUM") ?? "/usr/bin/chromium";

    /// <summary>The PostgreSQL server binaries: <c>TAKT_POSTGRES_BIN</c>, or those of Debian's postgresql-15.</summary>
    public static string PostgresBin => Setting("TAKT_POSTGRES_BIN") ?? "/usr/lib/postgresql/15/bin";

    public static string? MissingChromium() => File.Exists(ChromiumPath) ? null
        : $"Chromium is missing ({ChromiumPath}): install the Debian package chromium (./test does, as root) or point TAKT_CHROMIUM at one.";

    public static string? MissingPostgres() =>
        File.Exists(Path.Combine(PostgresBin, "initdb")) && File.Exists(Path.Combine(PostgresBin, "pg_ctl")) ? null
        : $"the PostgreSQL 15 server is missing (no initdb, pg_ctl in {PostgresBin}): install the Debian package postgresql-15 (./test does, as root) or point TAKT_POSTGRES_BIN at its bin directory.";

    /// <summary>Why a test that needs a missing program is skipped; null when it runs (present, or CI requires everything).</summary>
    public static string? SkipReason(string? missing) =>
        missing is null || Setting("TAKT_TEST_REQUIRE_ALL") == "1" ? null : "skipped: " + missing;

    private static string? Setting(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}

/// <summary>A test that drives Chromium: skipped, with the reason, where Chromium is missing.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute() => Skip = Components.SkipReason(Components.MissingChromium());
}

/// <summary>A test that needs a PostgreSQL server: skipped, with the reason, where its binaries are missing.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute() => Skip = Components.SkipReason(Components.MissingPostgres());
}
