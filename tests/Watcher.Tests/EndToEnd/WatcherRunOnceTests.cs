using System.Text.Json.Nodes;
using Watcher.Local.DevServices;
using Watcher.Tests.Support;

namespace Watcher.Tests.EndToEnd;

/// <summary>
/// What a user does: serve feeds over HTTP, run <c>watcher run --once</c> against real Azurite
/// and MailDev, and read the mail that arrived.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class WatcherRunOnceTests(ServicesFixture services) : PipelineTestBase
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    private static readonly TestItem FiveGBan = new(
        "Germany orders operators to phase out Huawei from 5G networks",
        "https://news.example.com/germany-huawei-5g",
        "The German government will order mobile operators to phase out components made by Huawei and ZTE from their 5G networks by 2027. The decision follows pressure from Washington to exclude Chinese vendors from telecom infrastructure.",
        Day);

    private static readonly TestItem EntityList = new(
        "US adds 12 Chinese firms to Entity List",
        "https://news.example.com/entity-list?id=7",
        "The US Commerce Department has added 12 Chinese companies to its Entity List, a trade blacklist that bars American suppliers from selling to them. Beijing said it opposes the move.",
        Day.AddHours(-2));

    private static readonly TestItem PhoneLaunch = new(
        "Huawei unveils a new folding phone with a better camera",
        "https://news.example.com/huawei-phone",
        "Huawei has unveiled a new folding phone with a larger screen and a faster chip. It goes on sale in Europe in December and supports 5G.",
        Day.AddHours(-3));

    private static readonly TestItem TikTokSale = new(
        "China wil liever dat TikTok stopt dan een gedwongen verkoop",
        "https://nieuws.example.nl/tiktok-dwangverkoop",
        "De Chinese overheid ziet liever dat TikTok ophoudt dan dat ByteDance de Amerikaanse tak verkoopt. Washington eist een gedwongen verkoop aan een Amerikaans bedrijf, anders volgt een verbod.",
        Day.AddHours(-1));

    private static readonly TestItem EntityListSyndicated = EntityList with
    {
        Link = "https://NEWS.example.com/entity-list?utm_source=rss&id=7&fbclid=abc#top",
    };

    // The same wire story republished by another site under its own URL and headline.
    private static readonly TestItem FiveGBanSyndicated = FiveGBan with
    {
        Title = "Berlin to phase out Huawei from German 5G networks",
        Link = "https://other-site.example.org/wire/2026/germany-huawei-5g",
        Body = FiveGBan.Body + " Reporting by the wire service.",
        Published = FiveGBan.Published.AddMinutes(40),
    };

    private static readonly TestItem CoverageReport = new(
        "5G-dekking stijgt naar 92 procent",
        "https://nieuws.example.nl/5g-dekking",
        "Het 5G-netwerk bereikt nu 92 procent van de bevolking, meldt de toezichthouder in zijn jaarlijkse rapport over de dekking.",
        Day.AddHours(-4));

    private static readonly TestItem ChipPlantSale = new(
        "UK orders Chinese-owned firm to sell chip plant",
        "https://news.example.com/chip-plant-sale",
        "The UK government has ordered a Chinese-owned company to sell a chip plant in Wales, using national security powers to force the divestment. The company said it would appeal.",
        Day.AddHours(1));


    private string Ann => $"ann-{Run}@example.org";

    private string Bob => $"bob-{Run}@example.org";

    private string Carol => $"carol-{Run}@example.org";

    [Fact]
    public async Task Each_subscriber_gets_what_matches_once_then_nothing_then_only_the_new_item()
    {
        var english = Feeds.Put("en.xml", "application/rss+xml", FeedDocuments.Rss("Wire EN", "en", [FiveGBan, EntityList, PhoneLaunch]));
        var dutch = Feeds.Put("nl.atom", "application/atom+xml", FeedDocuments.Atom("Nieuws NL", "nl", [TikTokSale, EntityListSyndicated, CoverageReport, FiveGBanSyndicated]));
        var config = WriteConfig(english, dutch, services.MailDev.SmtpPort);

        var first = await WatcherCli.RunAsync(["run", "--once", "--config", config]);
        Assert.True(first.ExitCode == 0, first.ToString());

        var ann = await MailTextsAsync(Ann);
        AssertMailedOnce(ann, FiveGBan, first);
        AssertMailedOnce(ann, EntityList, first);
        AssertMailedOnce(ann, TikTokSale, first);
        AssertNotMailed(ann, PhoneLaunch);
        AssertNotMailed(ann, CoverageReport);

        var bob = await MailTextsAsync(Bob);
        AssertMailedOnce(bob, EntityList, first);
        AssertNotMailed(bob, FiveGBan);
        AssertNotMailed(bob, TikTokSale);

        // Carol's digest shows the story once, naming the other site that reported it; Ann
        // (instant) got each version as it came, rather than risk holding back news.
        var carol = await MailTextsAsync(Carol);
        var digest = Assert.Single(carol);
        Assert.Equal(1, CountOf(digest, FiveGBan.Title) + CountOf(digest, FiveGBanSyndicated.Title));
        Assert.Contains("Also reported by", digest, StringComparison.Ordinal);
        AssertNotMailed(carol, EntityList);

        var total = (await services.Mail.ListAsync()).Count;
        var second = await WatcherCli.RunAsync(["run", "--once", "--config", config]);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(total, (await services.Mail.ListAsync()).Count);

        Feeds.Put("en.xml", "application/rss+xml", FeedDocuments.Rss("Wire EN", "en", [ChipPlantSale, FiveGBan, EntityList, PhoneLaunch]));
        var third = await WatcherCli.RunAsync(["run", "--once", "--config", config]);
        Assert.True(third.ExitCode == 0, third.ToString());

        var annAfter = await MailTextsAsync(Ann);
        var newForAnn = annAfter.Except(ann).ToList();
        var onlyNew = Assert.Single(newForAnn);
        Assert.Contains(ChipPlantSale.Title, onlyNew, StringComparison.Ordinal);
        Assert.DoesNotContain(FiveGBan.Title, onlyNew, StringComparison.Ordinal);
        Assert.Equal(bob.Count, (await MailTextsAsync(Bob)).Count);
        Assert.Equal(carol.Count, (await MailTextsAsync(Carol)).Count);
    }

    [Fact]
    public async Task Smtp_down_fails_the_cycle_with_a_clear_message_and_the_mail_follows_when_it_is_back()
    {
        var english = Feeds.Put("en.xml", "application/rss+xml", FeedDocuments.Rss("Wire EN", "en", [EntityList]));
        var dutch = Feeds.Put("nl.atom", "application/atom+xml", FeedDocuments.Atom("Nieuws NL", "nl", []));
        var closedPort = NodeService.FreePort();
        var config = WriteConfig(english, dutch, closedPort);

        var down = await WatcherCli.RunAsync(["run", "--once", "--config", config]);
        Assert.NotEqual(0, down.ExitCode);
        Assert.Contains($"127.0.0.1:{closedPort}", down.Output, StringComparison.Ordinal);
        Assert.Empty(await MailTextsAsync(Ann));

        // The environment overrides the file, as app settings do in Azure.
        var back = await WatcherCli.RunAsync(
            ["run", "--once", "--config", config],
            new Dictionary<string, string> { ["Watcher__Smtp__Port"] = services.MailDev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.True(back.ExitCode == 0, back.ToString());
        AssertMailedOnce(await MailTextsAsync(Ann), EntityList, back);
        AssertMailedOnce(await MailTextsAsync(Bob), EntityList, back);
    }

    [Fact]
    public async Task Unreachable_storage_stops_with_a_message_naming_it()
    {
        var english = Feeds.Put("en.xml", "application/rss+xml", FeedDocuments.Rss("Wire EN", "en", [EntityList]));
        var dutch = Feeds.Put("nl.atom", "application/atom+xml", FeedDocuments.Atom("Nieuws NL", "nl", []));
        var config = WriteConfig(english, dutch, services.MailDev.SmtpPort);
        var closedPort = NodeService.FreePort();

        var result = await WatcherCli.RunAsync(
            ["run", "--once", "--config", config],
            new Dictionary<string, string>
            {
                ["Watcher__Storage__ConnectionString"] = Azurite.ConnectionString
                    .Replace($":{Azurite.BlobPort}/", $":{closedPort}/", StringComparison.Ordinal)
                    .Replace($":{Azurite.QueuePort}/", $":{closedPort}/", StringComparison.Ordinal),
            });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("cannot be reached", result.Output, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{closedPort}", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("feeds", "status")]
    [InlineData("poison", "list")]
    [InlineData("run", "--once")]
    public async Task A_command_against_stopped_storage_says_so_once_and_what_to_do(string command, string verb)
    {
        var english = Feeds.Put("stopped.xml", "application/rss+xml", FeedDocuments.Rss("Wire EN", "en", [EntityList]));
        var config = WriteConfig(english, english, services.MailDev.SmtpPort);
        var closedPort = NodeService.FreePort();

        var result = await WatcherCli.RunAsync(
            [command, verb, "--config", config],
            new Dictionary<string, string>
            {
                ["Watcher__Storage__ConnectionString"] = Azurite.ConnectionString
                    .Replace($":{Azurite.BlobPort}/", $":{closedPort}/", StringComparison.Ordinal)
                    .Replace($":{Azurite.QueuePort}/", $":{closedPort}/", StringComparison.Ordinal),
            });

        Assert.Equal(2, result.ExitCode);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(result.Output, "cannot be reached"));
        Assert.Contains("(Watcher:Storage:ConnectionString)", result.Output, StringComparison.Ordinal);
        Assert.Contains("Start Azurite (./demo.sh", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Retry", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_configuration_stops_start_up_naming_each_bad_setting()
    {
        var config = TestConfig.Write(WorkDirectory, new JsonObject
        {
            ["Feeds"] = new JsonArray(new JsonObject { ["Name"] = "Broken", ["Url"] = "ftp://example.com/feed" }),
            ["Subscribers"] = new JsonArray(TestConfig.Subscriber("not-an-address", "instant", "no-such-topic")),
        });

        var result = await WatcherCli.RunAsync(["run", "--once", "--config", config]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Watcher:Feeds:0:Url", result.Output, StringComparison.Ordinal);
        Assert.Contains("Watcher:Subscribers:0:Email", result.Output, StringComparison.Ordinal);
        Assert.Contains("Watcher:Subscribers:0:Topics", result.Output, StringComparison.Ordinal);
        Assert.Contains("no-such-topic", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unconvertible_setting_from_an_environment_variable_stops_start_up_instead_of_dropping_the_subscriber()
    {
        var config = TestConfig.Write(WorkDirectory, new JsonObject
        {
            ["Subscribers"] = new JsonArray(TestConfig.Subscriber(Ann, "instant", "5g-ban"), TestConfig.Subscriber(Bob, "instant", "blacklist")),
        });

        var result = await WatcherCli.RunAsync(["run", "--once", "--config", config], new Dictionary<string, string> { ["Watcher__Subscribers__0__Schedule"] = "hourly" });

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Watcher:Subscribers:0:Schedule: 'hourly' is not one of instant, daily, weekly", result.Output, StringComparison.Ordinal);
    }

    private string WriteConfig(Uri english, Uri dutch, int smtpPort) =>
        TestConfig.Write(WorkDirectory, new JsonObject
        {
            ["Storage"] = new JsonObject { ["ConnectionString"] = Azurite.ConnectionString },
            ["Feeds"] = new JsonArray(TestConfig.Feed("Wire EN", english, "en"), TestConfig.Feed("Nieuws NL", dutch, "nl")),
            ["Subscribers"] = new JsonArray(
                TestConfig.Subscriber(Ann, "instant", "5g-ban", "blacklist", "divestment"),
                TestConfig.Subscriber(Bob, "instant", "blacklist"),
                new JsonObject
                {
                    ["Email"] = Carol,
                    ["Topics"] = new JsonArray("5g-ban"),
                    ["Schedule"] = "daily",
                    ["TimeZone"] = "UTC",
                    ["SendAt"] = "00:00",
                }),
            ["Smtp"] = new JsonObject { ["Host"] = "127.0.0.1", ["Port"] = smtpPort, ["From"] = "watcher@example.org" },
        });

    private async Task<List<string>> MailTextsAsync(string recipient) =>
        (await services.Mail.ForAsync(recipient)).Select(m => m.Subject + "\n" + m.Text).ToList();

    private static void AssertMailedOnce(IReadOnlyList<string> mails, TestItem item, CliResult Run)
    {
        var count = mails.Sum(m => CountOf(m, item.Title));
        Assert.True(count == 1, $"'{item.Title}' appears {count} times in {mails.Count} mails; expected once.\n{Run}");
    }

    private static void AssertNotMailed(IReadOnlyList<string> mails, TestItem item) =>
        Assert.DoesNotContain(mails, m => m.Contains(item.Title, StringComparison.Ordinal));

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
