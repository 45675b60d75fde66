using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Watcher.Storage;
using Watcher.Tests.EndToEnd;
using Watcher.Tests.Support;

namespace Watcher.Tests.Faults;

/// <summary>
/// Real processes interrupted mid-cycle: Azurite stopped under Watcher's feet, and
/// <c>watcher run</c> stopped with Ctrl+C. The next run must store every article exactly once
/// and mail every subscriber each matching article once.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed partial class CrashRecoveryTests(ServicesFixture services) : PipelineTestBase
{
    private const int FeedCount = 3;
    private const int ItemsPerFeed = 40;
    private static readonly string[] Countries = ["Sweden", "Poland", "Estonia", "Portugal", "Romania", "Denmark", "Latvia", "Czechia", "Greece", "Austria", "Finland", "Ireland", "Slovakia", "Croatia"];


    private string Ann => $"ann-{Run}@example.org";

    [Fact]
    public async Task Azurite_stopped_mid_cycle_then_restarted_on_its_data_loses_and_repeats_nothing()
    {
        var (config, matching) = ServeFeeds();

        using (var crashing = WatcherCli.Start(["run", "--once", "--config", config]))
        {
            await WaitForArticlesAsync(30);
            await Azurite.TerminateAsync();
            var crashed = await crashing.WaitAsync(TimeSpan.FromMinutes(2));
            Assert.True(crashed.ExitCode != 0, "The cycle finished before Azurite stopped; the test did not crash it.\n" + crashed);
        }

        await Azurite.RestartAsync();
        await AssertRecoveredAsync(config, matching);
    }

    [Fact]
    public async Task Ctrl_C_mid_cycle_stops_cleanly_and_the_next_start_continues()
    {
        var (config, matching) = ServeFeeds();

        using (var running = WatcherCli.Start(["run", "--config", config]))
        {
            await WaitForArticlesAsync(30);
            await running.InterruptAsync();
            var stopped = await running.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(stopped.ExitCode == 0, stopped.ToString());
            Assert.Contains("Watcher stopped.", stopped.Output, StringComparison.Ordinal);
        }

        await AssertRecoveredAsync(config, matching);
    }

    [Fact]
    public async Task Ctrl_C_on_one_cycle_says_so_and_exits_130_without_a_stack_trace()
    {
        var (config, matching) = ServeFeeds();

        using (var running = WatcherCli.Start(["run", "--once", "--config", config]))
        {
            await WaitForArticlesAsync(30);
            await running.InterruptAsync();
            var stopped = await running.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(stopped.ExitCode == 130, stopped.ToString());
            Assert.Contains("Interrupted: the step in hand was abandoned", stopped.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stopped.Output, StringComparison.Ordinal);
        }

        await AssertRecoveredAsync(config, matching);
    }

    private async Task AssertRecoveredAsync(string config, IReadOnlyList<string> matchingTitles)
    {
        // What the interrupted run had received comes back after the (short) visibility timeout.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var next = await WatcherCli.RunAsync(["run", "--once", "--queue-retry-delay", "00:00:01", "--config", config]);
        Assert.True(next.ExitCode == 0, next.ToString());

        var articles = new BlobContainerClient(Azurite.ConnectionString, StorageNames.ArticlesContainer);
        var names = new List<string>();
        await foreach (var blob in articles.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        Assert.Equal(FeedCount * ItemsPerFeed, names.Count);
        Assert.Equal(names.Count, names.Select(Path.GetFileName).Distinct().Count());

        // A mail repeated after a crash keeps its Message-ID, so a mail client shows it once;
        // what must never happen is an article in two different mails.
        var mails = await services.Mail.ForAsync(Ann);
        var sources = await Task.WhenAll(mails.Select(m => services.Mail.SourceAsync(m.Id)));
        var byArticle = matchingTitles.ToDictionary(
            title => title,
            title => sources.Where(s => s.Contains(title, StringComparison.Ordinal)).Select(MessageId).Distinct().Count());
        var missing = byArticle.Where(p => p.Value == 0).Select(p => p.Key).ToList();
        var repeated = byArticle.Where(p => p.Value > 1).Select(p => p.Key).ToList();
        Assert.True(missing.Count == 0, $"never mailed: {string.Join("; ", missing)}\n{next}");
        Assert.True(repeated.Count == 0, $"mailed in more than one message: {string.Join("; ", repeated)}");
    }

    private (string Config, List<string> MatchingTitles) ServeFeeds()
    {
        var matching = new List<string>();
        var feedList = new JsonArray();
        for (var f = 0; f < FeedCount; f++)
        {
            var items = new List<TestItem>();
            for (var i = 0; i < ItemsPerFeed; i++)
            {
                var id = f * ItemsPerFeed + i;
                var published = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero).AddHours(id);
                if (i % 3 == 0)
                {
                    var country = Countries[id % Countries.Length];
                    var title = $"{country} bars Huawei and ZTE from its 5G networks (report {id})";
                    matching.Add(title);
                    items.Add(new TestItem(title, $"https://news{f}.example.com/5g/{id}",
                        $"The government of {country} will exclude Huawei and ZTE from its 5G networks, the telecom ministry said in report {id}. {Background(id)}",
                        published));
                }
                else
                {
                    items.Add(new TestItem($"Quarterly results of chipmaker number {id} beat expectations", $"https://news{f}.example.com/markets/{id}",
                        $"The company reported revenue growth of {id % 17} percent in the quarter, helped by strong demand for memory chips.", published));
                }
            }

            var url = Feeds.Put($"feed{f}.xml", "application/rss+xml", FeedDocuments.Rss($"Feed {f}", "en", items));
            feedList.Add(TestConfig.Feed($"Feed {f}", url, "en"));
        }

        var config = TestConfig.Write(WorkDirectory, new JsonObject
        {
            ["Storage"] = new JsonObject { ["ConnectionString"] = Azurite.ConnectionString },
            ["Feeds"] = feedList,
            ["Subscribers"] = new JsonArray(TestConfig.Subscriber(Ann, "instant", "5g-ban")),
            ["Smtp"] = new JsonObject { ["Host"] = "127.0.0.1", ["Port"] = services.MailDev.SmtpPort, ["From"] = "watcher@example.org" },
        });
        return (config, matching);
    }

    /// <summary>
    /// Words of its own for every report (a vocabulary word with the report's letters appended),
    /// so the reports are distinct stories: copies of one template would be recognised as one
    /// story and mailed as one entry with "also reported by".
    /// </summary>
    private static string Background(int id)
    {
        string[] words =
        [
            "operators", "spectrum", "auction", "regulator", "parliament", "minister", "security", "agency", "review", "vendors",
            "equipment", "antennas", "core", "radio", "contracts", "costs", "compensation", "deadline", "rollout", "coverage",
            "rural", "cities", "fibre", "backbone", "suppliers", "Ericsson", "Nokia", "Samsung", "audit", "risk",
            "espionage", "intelligence", "allies", "Washington", "Brussels", "Beijing", "embassy", "protest", "court", "appeal",
            "budget", "subsidy", "timeline", "industry", "association", "consumers", "prices", "network", "upgrade", "testing",
        ];
        var random = new Random(id);
        var own = string.Concat(id.ToString(System.Globalization.CultureInfo.InvariantCulture).Select(digit => (char)('a' + digit - '0')));
        return string.Join(' ', Enumerable.Range(0, 30).Select(_ => words[random.Next(words.Length)] + own)) + ".";
    }

    private async Task WaitForArticlesAsync(int count)
    {
        var articles = new BlobContainerClient(Azurite.ConnectionString, StorageNames.ArticlesContainer);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (await articles.ExistsAsync())
            {
                var seen = 0;
                await foreach (var _ in articles.GetBlobsAsync())
                {
                    seen++;
                }

                if (seen >= count)
                {
                    return;
                }
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"Fewer than {count} articles were stored within two minutes.");
    }

    private static string MessageId(string source) =>
        MessageIdHeader().Match(source) is { Success: true } match ? match.Groups[1].Value.Trim() : throw new InvalidOperationException("A received mail has no Message-ID header.");

    [GeneratedRegex(@"^Message-ID:\s*(.+)$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex MessageIdHeader();
}
