using Takt.Checks;
using Takt.Definitions;
using Takt.Publishing;

namespace Shop;

/// <summary>The example factory: orders and users from a web shop, refined into revenue, user features and fraud scores.</summary>
public static class ShopFactory
{
    private const string Platform = "data-platform@shop.example";
    private const string Analytics = "analytics@shop.example";
    private const string Risk = "risk@shop.example";

    /// <summary>When this environment variable holds a connection string, fraud scores are also published to PostgreSQL.</summary>
    public const string PostgresVariable = "SHOP_POSTGRES";

    private static bool PostgresConfigured => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(PostgresVariable));

    public static Factory Build() => Build(AppContext.BaseDirectory);

    public static Factory Build(string baseDirectory) => new FactoryBuilder("shop", baseDirectory)
        .SemanticType("order_id", "Identifier of one order, unique across days", truth: "core.orders.order_id")
        .SemanticType("user_id", "Identifier of a shop user account", truth: "core.users.user_id")
        .SemanticType("money", "An amount in the order's currency, exact to the cent", truth: "core.orders.amount")
        .SemanticType("currency_code", "ISO 4217 currency code", truth: "core.orders.currency")
        .SemanticType("timestamp_utc", "An instant in UTC: the only time format past the raw layer", truth: "core.orders.ordered_at")
        .SemanticType("country_code", "ISO 3166 alpha-2 country of a user account", truth: "core.users.country")
        .SemanticType("email", "A user's e-mail address, lower case", truth: "core.users.email")
        .Dataset("raw.orders", d => d
            .Owner(Platform)
            .Description("Orders as the checkout service lands them: JSON lines, one file per day, timestamps in two formats.")
            .Daily()
            .Schema(s => s
                .Required("order_id", ColumnType.String, semantic: "order_id")
                .Column("user_id", ColumnType.String, semantic: "user_id")
                .Column("amount", ColumnType.Double, semantic: "money")
                .Column("currency", ColumnType.String, semantic: "currency_code")
                .Column("ordered_at", ColumnType.String, description: "ISO-8601 UTC or local time with offset"))
            .FromLanding("orders/{box}.jsonl", LandingFormat.JsonLines, timeColumn: "ordered_at"))
        .Dataset("raw.users", d => d
            .Owner(Platform)
            .Description("Daily snapshot of every user account, as CSV.")
            .Daily()
            .Schema(s => s
                .Required("user_id", ColumnType.String, semantic: "user_id")
                .Column("email", ColumnType.String, semantic: "email")
                .Column("country", ColumnType.String, semantic: "country_code")
                .Column("signed_up_at", ColumnType.Timestamp, semantic: "timestamp_utc"))
            .FromLanding("users/{box}.csv", LandingFormat.Csv))
        .Dataset("core.users", d => d
            .Owner(Platform)
            .Description("Users of the day's snapshot with normalised e-mail addresses.")
            .Input("raw.users")
            .Sql("sql/core/users.sql")
            .Schema(s => s
                .Required("user_id", ColumnType.String, semantic: "user_id")
                .Column("email", ColumnType.String, semantic: "email")
                .Column("country", ColumnType.String, semantic: "country_code")
                .Column("signed_up_at", ColumnType.Timestamp, semantic: "timestamp_utc"))
            .Check(Check.Unique("user_id"))
            .Check(Check.AcceptedValues("country", "DE", "FR", "GB", "US", "NL")))
        .Dataset("core.orders", d => d
            .Owner(Platform)
            .Description("The truth for orders: one row per order id, decimal amounts, UTC timestamps.")
            .ReadyWithin(TimeSpan.FromHours(6))
            .Input("raw.orders")
            .Sql("sql/core/orders.sql")
            .Schema(s => s
                .Required("order_id", ColumnType.String, semantic: "order_id")
                .Required("user_id", ColumnType.String, semantic: "user_id")
                .Column("amount", ColumnType.Decimal(12, 2), semantic: "money")
                .Column("currency", ColumnType.String, semantic: "currency_code")
                .Required("ordered_at", ColumnType.Timestamp, semantic: "timestamp_utc"))
            .Check(Check.Unique("order_id"))
            .Check(Check.NotNull("amount"))
            .Check(Check.Range("amount", min: 0))
            .Check(Check.AcceptedValues("currency", "EUR", "USD", "GBP"))
            .Check(Check.Referential("user_id", "core.users", "user_id"))
            .Check(Check.RowCount(min: 1))
            .Check(Check.VolumeAnomaly(lookback: 14, maxDeviation: 0.7))
            .Check(Check.Freshness("ordered_at", maxLag: TimeSpan.FromHours(2))))
        .Dataset("mart.daily_revenue", d => d
            .Owner(Analytics)
            .Description("Orders, revenue and buyers per day and currency.")
            .UsedBy("finance dashboard")
            .Input("core.orders")
            .Sql("sql/mart/daily_revenue.sql")
            .Schema(s => s
                .Required("day", ColumnType.Date)
                .Required("currency", ColumnType.String, semantic: "currency_code")
                .Required("orders", ColumnType.Int64)
                .Column("revenue", ColumnType.Decimal(14, 2), semantic: "money")
                .Required("buyers", ColumnType.Int64))
            .Check(Check.Unique("day", "currency")))
        .Dataset("mart.signups_by_country", d => d
            .Owner(Analytics)
            .Description("Accounts per country. Built every day, read by nobody: the waste report lists it.")
            .Input("core.users")
            .Sql("sql/mart/signups_by_country.sql")
            .Check(Check.Unique("country")))
        .Dataset("mart.user_features", d => d
            .Owner(Risk)
            .Description("Per user with orders in the last seven days (box D reads D-6..D): counts, amounts, account age.")
            .Input("core.orders", PartitionMapping.Window(7))
            .Input("core.users")
            .Sql("sql/mart/user_features.sql")
            .Schema(s => s
                .Required("day", ColumnType.Date, description: "The box: the last day of the window")
                .Required("user_id", ColumnType.String, semantic: "user_id")
                .Column("country", ColumnType.String, semantic: "country_code")
                .Required("orders_7d", ColumnType.Int64)
                .Column("amount_7d", ColumnType.Decimal(14, 2), semantic: "money")
                .Column("max_amount_7d", ColumnType.Decimal(12, 2), semantic: "money")
                .Required("currencies_7d", ColumnType.Int64)
                .Column("account_age_days", ColumnType.Int32))
            .Check(Check.Unique("user_id")))
        .Dataset("serving.fraud_scores", d => d
            .Owner(Risk)
            .Description("Fraud score per active user, handed to the checkout service.")
            .Input("mart.user_features")
            .Rows(FraudScoring.Version, FraudScoring.Score)
            .PublishTo(PublishTarget.Sqlite("published/shop.db", "fraud_scores"))
            .PublishTo(PostgresConfigured ? PublishTarget.Postgres(PostgresVariable, "fraud_scores") : null)
            .Schema(s => s
                .Required("user_id", ColumnType.String, semantic: "user_id")
                .Required("score", ColumnType.Double)
                .Required("band", ColumnType.String))
            .Check(Check.Range("score", min: 0, max: 1))
            .Check(Check.AcceptedValues("band", "low", "medium", "high")))
        .Build();
}
