using Takt.Tests.EndToEnd;

namespace Takt.Tests.Publishing;

/// <summary>A PostgreSQL connection string that is none is one line, never an exception's text or a usage error; no server is needed.</summary>
public sealed class PublishConnectionStringTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly E2EDirectory _dir = new();
    private string Home => _dir.Combine("home");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("garbage;;==")]
    [InlineData("Host=127.0.0.1;Port=99999999")]
    public async Task A_connection_string_that_is_none_is_one_line_and_loses_nothing(string garbage)
    {
        E2E.Generate(Home, E2E.Day(1), E2E.Day(2));
        using var build = ShopProcess.Start(new Dictionary<string, string> { ["SHOP_POSTGRES"] = garbage }, "build", "--home", Home);
        Assert.True(await build.WaitAsync(Timeout) == 3, build.Output);
        var line = Assert.Single(build.Output.Split('\n'), l => l.Contains("SHOP_POSTGRES", StringComparison.Ordinal));
        Assert.Contains("serving.fraud_scores not published to postgres:fraud_scores: the environment variable SHOP_POSTGRES does not hold a valid PostgreSQL connection string", line);
        Assert.DoesNotContain(" at ", build.Output);
        Assert.Contains("published serving.fraud_scores to sqlite:fraud_scores as copy c1", build.Output);
        Assert.Equal(E2E.Datasets.Length * 2, LedgerSnapshot.Read(Home).Boxes.Count(b => b.CurrentVersion is not null));

        using var publish = ShopProcess.Start(new Dictionary<string, string> { ["SHOP_POSTGRES"] = garbage }, "publish", "serving.fraud_scores", "--home", Home);
        Assert.True(await publish.WaitAsync(Timeout) == 3, publish.Output);
        Assert.Contains("stderr: error: serving.fraud_scores not published to postgres:fraud_scores: the environment variable SHOP_POSTGRES", publish.Output);
    }
}
