using Shop;
using Takt.Definitions;

namespace Takt.Tests.Examples;

/// <summary>The Shop's C# fraud model over rows whose nullable columns are null, as after a person overrides a day.</summary>
public sealed class FraudScoringTests
{
    [Fact]
    public void A_user_whose_nullable_amount_and_account_age_are_null_is_scored_not_failed()
    {
        var features = new Dictionary<string, object?>
        {
            ["user_id"] = "u1", ["country"] = null, ["orders_7d"] = 3L, ["amount_7d"] = null, ["max_amount_7d"] = null,
            ["currencies_7d"] = 1L, ["account_age_days"] = null,
        };

        var rows = FraudScoring.Score(new OneRowContext(features)).ToList();

        var row = Assert.Single(rows);
        Assert.Equal("u1", row[0]);
        Assert.InRange((double)row[1]!, 0, 1);
        Assert.Contains(row[2], new object[] { "low", "medium", "high" });
    }

    private sealed class OneRowContext(Dictionary<string, object?> values) : RowTransformContext
    {
        public override string Box => "2026-01-08";
        public override DateTime BoxStartUtc => new(2026, 1, 8, 0, 0, 0, DateTimeKind.Utc);
        public override DateTime BoxEndUtc => BoxStartUtc.AddDays(1);
        public override void Log(string message) { }

        public override IEnumerable<Row> Rows(string inputDataset)
        {
            var ordinals = values.Keys.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i);
            yield return new Row(ordinals, values.Values.ToArray());
        }
    }
}
