using Takt.Definitions;

namespace Shop;

/// <summary>A deliberately simple fraud model: a logistic score over a user's last seven days.</summary>
public static class FraudScoring
{
    /// <summary>
    /// Editing <see cref="Score"/> makes its boxes stale by itself (the code hash covers its compiled code); bump this
    /// when the scores change for a reason outside this assembly's code.
    /// </summary>
    public const string Version = "1";

    public static IEnumerable<object?[]> Score(RowTransformContext context)
    {
        foreach (var user in context.Rows("mart.user_features"))
        {
            var orders = user.Get<long>("orders_7d");
            // Both are nullable in mart.user_features: no amount (orders released by an override with their amounts
            // missing) adds nothing, and an account the day's snapshot does not know is not counted as new.
            var amount = user.GetOrDefault<double>("amount_7d") ?? 0;
            var currencies = user.Get<long>("currencies_7d");
            var newAccount = user.GetOrDefault<int>("account_age_days") < 7 ? 1.0 : 0.0;
            var z = -5.0 + 0.25 * orders + 0.004 * amount + 0.9 * (currencies - 1) + 1.5 * newAccount;
            var score = Math.Round(1 / (1 + Math.Exp(-z)), 6);
            yield return [user.Get<string>("user_id"), score, score >= 0.5 ? "high" : score >= 0.1 ? "medium" : "low"];
        }
    }
}
