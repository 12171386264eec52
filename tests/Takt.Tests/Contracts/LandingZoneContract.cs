using Takt.Definitions;
using Takt.Ingest;
using Takt.Landing;
using Takt.Tests.Unit;

namespace Takt.Tests.Contracts;

/// <summary>
/// What every <see cref="ILandingZone"/> must do: list a source's files with size and time (hidden names left out),
/// read them, and let ingest's stable-file rule see a file that changed between the scan and the read. A new zone
/// subclasses this suite and implements <see cref="Open"/> and <see cref="Land"/>.
/// </summary>
public abstract class LandingZoneContract : IDisposable
{
    private static readonly DateTime Noon = new(2026, 1, 10, 12, 0, 0, DateTimeKind.Utc);
    private readonly UnitTempDirectory _dir = new();
    private ILandingZone? _zone;

    /// <summary>Opens the landing zone stored in <paramref name="directory"/>.</summary>
    protected abstract ILandingZone Open(string directory);

    /// <summary>Lands a file (replacing one of the same path) with that last write time, as a producer would.</summary>
    protected abstract void Land(string directory, string relativePath, byte[] content, DateTime modifiedUtc);

    /// <summary>Removes a landed file.</summary>
    protected abstract void Remove(string directory, string relativePath);

    private ILandingZone Zone => _zone ??= Open(_dir.Path);

    private void Land(string relativePath, string content, DateTime? modifiedUtc = null) =>
        Land(_dir.Path, relativePath, System.Text.Encoding.UTF8.GetBytes(content), modifiedUtc ?? Noon);

    public void Dispose()
    {
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void A_folder_lists_its_files_and_folders_at_any_depth_with_size_and_time()
    {
        Land("orders/2026-01-10.jsonl", "{\"id\":1}\n");
        Land("orders/late/2026-01-09.jsonl", "{}\n", Noon.AddHours(-1));
        Land("customers/all.csv", "id\n1\n");

        var entries = Zone.List("orders").OrderBy(e => e.RelativePath, StringComparer.Ordinal).ToArray();

        Assert.Equal([
            new LandingEntry("orders/2026-01-10.jsonl", false, 9, Noon.Ticks),
            new LandingEntry("orders/late", true, 0, entries[1].ModifiedTicks),
            new LandingEntry("orders/late/2026-01-09.jsonl", false, 3, Noon.AddHours(-1).Ticks),
        ], entries);
        Assert.Equal(6, Zone.List("").Count); // orders, its two files and one folder, customers and its file
        Assert.Empty(Zone.List("returns"));
    }

    [Fact]
    public void Names_starting_with_a_dot_are_not_listed_nor_anything_under_such_a_folder()
    {
        Land("orders/.2026-01-10.jsonl.part", "{\"id\":");
        Land("orders/.partial/2026-01-10.jsonl", "{}\n");
        Land("orders/2026-01-11.jsonl", "{}\n");

        Assert.Equal(["orders/2026-01-11.jsonl"], Zone.List("orders").Select(e => e.RelativePath));
    }

    [Fact]
    public void A_file_is_read_whole_from_the_zone_and_from_its_local_path()
    {
        Land("orders/2026-01-10.jsonl", "{\"id\":1}\n{\"id\":2}\n");

        using (var reader = new StreamReader(Zone.Open("orders/2026-01-10.jsonl")))
            Assert.Equal("{\"id\":1}\n{\"id\":2}\n", reader.ReadToEnd());
        Assert.Equal("{\"id\":1}\n{\"id\":2}\n", File.ReadAllText(Zone.LocalPath("orders/2026-01-10.jsonl")));
        Assert.ThrowsAny<IOException>(() => Zone.Open("orders/2026-01-11.jsonl").Dispose());
    }

    [Fact]
    public void Stat_sees_a_file_grow_be_touched_or_go()
    {
        Land("orders/2026-01-10.jsonl", "{}\n");
        Assert.Equal(new LandingEntry("orders/2026-01-10.jsonl", false, 3, Noon.Ticks), Zone.Stat("orders/2026-01-10.jsonl"));

        Land("orders/2026-01-10.jsonl", "{}\n{}\n");
        Assert.Equal(6, Zone.Stat("orders/2026-01-10.jsonl")!.Size);
        Land("orders/2026-01-10.jsonl", "{}\n{}\n", Noon.AddSeconds(1));
        Assert.Equal(Noon.AddSeconds(1).Ticks, Zone.Stat("orders/2026-01-10.jsonl")!.ModifiedTicks);

        Remove(_dir.Path, "orders/2026-01-10.jsonl");
        Assert.Null(Zone.Stat("orders/2026-01-10.jsonl"));
    }

    [Theory]
    [InlineData("grew", true)]
    [InlineData("touched", true)]
    [InlineData("removed", true)]
    [InlineData("unchanged", false)]
    public void A_file_whose_size_or_time_changed_between_the_scan_and_the_read_is_not_taken(string change, bool refused)
    {
        Land("orders/2026-01-10.jsonl", "{\"id\":1}\n");
        var file = Assert.Single(LandingScanner.Scan(Zone, Orders()).Files);
        var facts = LandingReads.FactsOf(file);
        Assert.Equal((9L, 1L), (facts.Length, facts.Lines));

        if (change == "grew") Land("orders/2026-01-10.jsonl", "{\"id\":1}\n{\"id\":2}\n");
        if (change == "touched") Land("orders/2026-01-10.jsonl", "{\"id\":3}\n", Noon.AddMinutes(1));
        if (change == "removed") Remove(_dir.Path, "orders/2026-01-10.jsonl");

        var error = Record.Exception(() => LandingReads.StillUnchanged(file, facts));
        Assert.Equal(refused, error is UnusableFileException { StillBeingWritten: true });
        if (!refused) Assert.Null(error);
    }

    [Fact]
    public void A_scan_takes_the_files_of_the_sources_pattern_with_their_box_and_reports_the_rest()
    {
        Land("orders/2026-01-10.jsonl", "{}\n");
        Land("orders/2026-01-11.jsonl", "{}\n{}\n");
        Land("orders/notes.txt", "x");

        var scan = LandingScanner.Scan(Zone, Orders());

        Assert.Equal([("orders/2026-01-10.jsonl", 3L, (long?)new DateOnly(2026, 1, 10).DayNumber), ("orders/2026-01-11.jsonl", 6L, new DateOnly(2026, 1, 11).DayNumber)],
            scan.Files.Select(f => (f.RelativePath, f.Size, f.Box)));
        Assert.Equal(["orders/notes.txt"], scan.Problems.Select(p => p.Path));
    }

    private Dataset Orders() =>
        new FactoryBuilder("landing", _dir.Path)
            .Dataset("raw.orders", d => d.Owner("t").Schema(s => s.Required("id", ColumnType.Int64)).FromLanding("orders/{box}.jsonl", LandingFormat.JsonLines))
            .Build()["raw.orders"];
}
