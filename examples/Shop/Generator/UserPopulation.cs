using System.Globalization;
using System.Text;

namespace Shop.Generator;

internal sealed record User(int Number, string Email, string Country, DateTime SignedUpAt)
{
    public string Id { get; } = "u-" + Number.ToString("D6", CultureInfo.InvariantCulture);
}

/// <summary>
/// The fixed user population: 400 users signed up during 2025, then about 8 a day from 2026-01-01.
/// User numbers follow signup order, so every snapshot is a prefix of the population.
/// </summary>
internal sealed class UserPopulation
{
    public static readonly DateOnly FirstLandingDay = new(2026, 1, 1);

    private const int InitialUserCount = 400;
    private const int MinutesPerDay = 24 * 60;
    private static readonly string[] Countries = ["DE", "FR", "GB", "US", "NL"];

    private readonly List<User> users = [];

    public UserPopulation(DateOnly through)
    {
        var initial = new Random(Seeds.InitialUsers);
        AddSignups(new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), InitialUserCount, 365 * MinutesPerDay, initial);

        for (var day = FirstLandingDay; day <= through; day = day.AddDays(1))
        {
            var rng = Seeds.For(day, Seeds.Users);
            AddSignups(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), rng.Next(5, 12), MinutesPerDay, rng);
        }
    }

    public IReadOnlyList<User> SnapshotOf(DateOnly day) =>
        users.TakeWhile(u => DateOnly.FromDateTime(u.SignedUpAt) <= day).ToList();

    public static byte[] ToCsv(IReadOnlyList<User> snapshot)
    {
        var csv = new StringBuilder("user_id,email,country,signed_up_at\n");
        foreach (var u in snapshot)
        {
            csv.Append(Formats.CsvField(u.Id)).Append(',')
               .Append(Formats.CsvField(u.Email)).Append(',')
               .Append(Formats.CsvField(u.Country)).Append(',')
               .Append(Formats.CsvField(Formats.UtcTimestamp(u.SignedUpAt))).Append('\n');
        }
        return Formats.Utf8NoBom.GetBytes(csv.ToString());
    }

    private void AddSignups(DateTime start, int count, int windowMinutes, Random rng)
    {
        var minutes = Enumerable.Range(0, count).Select(_ => rng.Next(windowMinutes)).Order().ToList();
        foreach (var minute in minutes)
        {
            var n = users.Count + 1;
            var country = Countries[rng.Next(Countries.Length)];
            // Some emails arrive with upper-case letters so the pipeline has something to normalise.
            var number = n.ToString(CultureInfo.InvariantCulture);
            var email = rng.Next(8) == 0 ? $"User{number}@Example.com" : $"user{number}@example.com";
            users.Add(new User(n, email, country, start.AddMinutes(minute)));
        }
    }
}
