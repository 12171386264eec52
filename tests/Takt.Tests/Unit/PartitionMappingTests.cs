using Takt.Boxes;
using Takt.Definitions;

namespace Takt.Tests.Unit;

public class PartitionMappingTests
{
    private static readonly long D = new DateOnly(2024, 3, 10).DayNumber;
    private static readonly long H = D * 24; // first hour of day D
    private static readonly BoxRange Any = BoxRange.Everything;

    // ------------------------------------------------------------------ same box

    [Fact]
    public void SameBox_daily_over_daily()
    {
        var m = PartitionMapping.SameBox;
        Assert.Equal(new BoxRange(D, D + 2), m.InputsOf(new BoxRange(D, D + 2), Grain.Daily, Grain.Daily, Any));
        Assert.Equal(new BoxRange(D, D + 2), m.ReadersOf(new BoxRange(D, D + 2), Grain.Daily, Grain.Daily, Any));
    }

    [Fact]
    public void SameBox_daily_over_hourly_reads_the_24_hours_of_the_day()
    {
        var m = PartitionMapping.SameBox;
        Assert.Equal(new BoxRange(H, H + 23), m.InputsOf(BoxRange.Single(D), Grain.Daily, Grain.Hourly, Any));
        Assert.Equal(BoxRange.Single(D), m.ReadersOf(BoxRange.Single(H + 7), Grain.Hourly, Grain.Daily, Any));
        Assert.Equal(new BoxRange(D, D + 1), m.ReadersOf(new BoxRange(H + 23, H + 24), Grain.Hourly, Grain.Daily, Any));
    }

    [Fact]
    public void SameBox_hourly_over_daily_reads_the_day_of_the_hour()
    {
        var m = PartitionMapping.SameBox;
        Assert.Equal(BoxRange.Single(D), m.InputsOf(BoxRange.Single(H + 5), Grain.Hourly, Grain.Daily, Any));
        Assert.Equal(new BoxRange(H, H + 23), m.ReadersOf(BoxRange.Single(D), Grain.Daily, Grain.Hourly, Any));
    }

    // ------------------------------------------------------------------ window

    [Fact]
    public void Window7_daily_inputs_are_the_seven_preceding_days_inclusive()
    {
        var m = PartitionMapping.Window(7);
        Assert.Equal(new BoxRange(D - 6, D), m.InputsOf(BoxRange.Single(D), Grain.Daily, Grain.Daily, Any));
        Assert.Equal(new BoxRange(D - 6, D + 2), m.InputsOf(new BoxRange(D, D + 2), Grain.Daily, Grain.Daily, Any));
    }

    [Fact]
    public void Window7_input_box_10_to_12_is_read_by_10_to_18()
    {
        var m = PartitionMapping.Window(7);
        Assert.Equal(new BoxRange(10, 18), m.ReadersOf(new BoxRange(10, 12), Grain.Daily, Grain.Daily, Any));
        Assert.Equal(new BoxRange(10, 16), m.ReadersOf(BoxRange.Single(10), Grain.Daily, Grain.Daily, Any));
    }

    [Fact]
    public void Window7_daily_over_hourly()
    {
        var m = PartitionMapping.Window(7);
        var inputs = m.InputsOf(BoxRange.Single(D), Grain.Daily, Grain.Hourly, Any);
        Assert.Equal(new BoxRange(H - 6 * 24, H + 23), inputs);
        Assert.Equal(7 * 24, inputs.Count);

        Assert.Equal(new BoxRange(D, D + 6), m.ReadersOf(BoxRange.Single(H + 3), Grain.Hourly, Grain.Daily, Any));
        Assert.Equal(new BoxRange(D, D + 7), m.ReadersOf(new BoxRange(H + 23, H + 24), Grain.Hourly, Grain.Daily, Any));
    }

    [Fact]
    public void Window1_behaves_like_same_box()
    {
        var m = PartitionMapping.Window(1);
        Assert.Equal(BoxRange.Single(D), m.InputsOf(BoxRange.Single(D), Grain.Daily, Grain.Daily, Any));
        Assert.Equal(BoxRange.Single(D), m.ReadersOf(BoxRange.Single(D), Grain.Daily, Grain.Daily, Any));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Window_of_less_than_one_box_is_refused(int boxes) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PartitionMapping.Window(boxes));

    [Fact]
    public void Window_over_box_sets()
    {
        var m = PartitionMapping.Window(3);
        var readers = m.ReadersOf(BoxSet.OfBoxes([D, D + 10]), Grain.Daily, Grain.Daily, Any);
        Assert.Equal([new BoxRange(D, D + 2), new BoxRange(D + 10, D + 12)], readers.Ranges);

        var inputs = m.InputsOf(BoxSet.OfBoxes([D, D + 3]), Grain.Daily, Grain.Daily, Any);
        Assert.Equal([new BoxRange(D - 2, D + 3)], inputs.Ranges);
    }

    // ------------------------------------------------------------------ all up to

    [Fact]
    public void AllUpTo_reads_everything_before_and_is_read_by_everything_after()
    {
        var m = PartitionMapping.AllUpTo;
        var inputs = m.InputsOf(BoxRange.Single(D), Grain.Daily, Grain.Daily, Any);
        Assert.Equal(D, inputs.End);
        Assert.True(inputs.Contains(D - 10_000));

        var readers = m.ReadersOf(BoxRange.Single(D), Grain.Daily, Grain.Daily, Any);
        Assert.Equal(D, readers.Start);
        Assert.True(readers.Contains(D + 10_000));
        Assert.False(readers.Contains(D - 1));
    }

    [Fact]
    public void AllUpTo_daily_over_hourly()
    {
        var m = PartitionMapping.AllUpTo;
        Assert.Equal(H + 23, m.InputsOf(BoxRange.Single(D), Grain.Daily, Grain.Hourly, Any).End);
        Assert.Equal(D, m.ReadersOf(BoxRange.Single(H + 23), Grain.Hourly, Grain.Daily, Any).Start);
    }

    // ------------------------------------------------------------------ latest

    [Fact]
    public void Latest_reads_the_last_box_of_the_input_extent()
    {
        var m = PartitionMapping.Latest;
        var extent = new BoxRange(D - 10, D - 3);
        Assert.Equal(BoxRange.Single(D - 3), m.InputsOf(new BoxRange(D, D + 5), Grain.Daily, Grain.Daily, extent));
        Assert.True(m.InputsOf(BoxRange.Single(D), Grain.Daily, Grain.Daily, new BoxRange(0, -1)).IsEmpty);
    }

    [Fact]
    public void Latest_only_the_last_input_box_has_readers_and_then_all_boxes_read_it()
    {
        var m = PartitionMapping.Latest;
        var extent = new BoxRange(D - 10, D - 3);
        Assert.Equal(BoxRange.Everything, m.ReadersOf(BoxRange.Single(D - 3), Grain.Daily, Grain.Daily, extent));
        Assert.Equal(BoxRange.Everything, m.ReadersOf(new BoxRange(D - 5, D - 3), Grain.Daily, Grain.Daily, extent));
        Assert.True(m.ReadersOf(new BoxRange(D - 10, D - 4), Grain.Daily, Grain.Daily, extent).IsEmpty);
        Assert.Equal(BoxRange.Everything, m.ExtentFrom(extent, Grain.Daily, Grain.Daily));
    }

    [Fact]
    public void Describe_names_each_mapping()
    {
        Assert.Equal("same box", PartitionMapping.SameBox.Describe());
        Assert.Equal("window of 7 boxes", PartitionMapping.Window(7).Describe());
        Assert.NotEqual(PartitionMapping.Window(3).Describe(), PartitionMapping.Window(7).Describe());
        Assert.Equal(PartitionMapping.Window(3), PartitionMapping.Window(3));
    }

    // ------------------------------------------------------------------ ReadersOf is the exact inverse of InputsOf

    public static TheoryData<string, Grain, Grain> InverseCases => new()
    {
        { "same", Grain.Daily, Grain.Daily },
        { "same", Grain.Hourly, Grain.Daily },
        { "same", Grain.Daily, Grain.Hourly },
        { "same", Grain.Daily, Grain.Monthly },
        { "window3", Grain.Daily, Grain.Daily },
        { "window7", Grain.Daily, Grain.Daily },
        { "window7", Grain.Hourly, Grain.Daily },
        { "window7", Grain.Daily, Grain.Hourly },
        { "allupto", Grain.Daily, Grain.Daily },
        { "allupto", Grain.Hourly, Grain.Daily },
    };

    private static PartitionMapping MappingOf(string name) => name switch
    {
        "same" => PartitionMapping.SameBox,
        "window3" => PartitionMapping.Window(3),
        "window7" => PartitionMapping.Window(7),
        "allupto" => PartitionMapping.AllUpTo,
        _ => throw new ArgumentException(name),
    };

    private static long Around(Grain grain) => grain switch
    {
        Grain.Hourly => H,
        Grain.Monthly => 2024 * 12L + 2,
        _ => D,
    };

    [Theory]
    [MemberData(nameof(InverseCases))]
    public void ReadersOf_is_exactly_the_set_of_boxes_whose_InputsOf_touch_the_input_boxes(string mappingName, Grain input, Grain self)
    {
        var mapping = MappingOf(mappingName);
        var inputCenter = Around(input);
        var selfCenter = GrainMath.Convert(input, BoxRange.Single(inputCenter), self).Start;
        var span = self == Grain.Hourly ? 24 * 9 : self == Grain.Monthly ? 6 : 20;
        var candidates = new BoxRange(selfCenter - span, selfCenter + span);

        foreach (var inputBoxes in new[]
                 {
                     BoxRange.Single(inputCenter),
                     new BoxRange(inputCenter, inputCenter + 2),
                     new BoxRange(inputCenter - 1, inputCenter + 30),
                 })
        {
            var readers = mapping.ReadersOf(inputBoxes, input, self, Any).Intersect(candidates);
            var expected = new List<long>();
            for (var box = candidates.Start; box <= candidates.End; box++)
                if (!mapping.InputsOf(BoxRange.Single(box), self, input, Any).Intersect(inputBoxes).IsEmpty)
                    expected.Add(box);

            Assert.NotEmpty(expected);
            Assert.Equal(BoxSet.OfBoxes(expected).Ranges, BoxSet.Of(readers).Ranges);
        }
    }
}
