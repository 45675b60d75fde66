using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Watcher.Local.DevServices;

namespace Watcher.Bench;

/// <summary>
/// Everything a benchmark runs against, started fresh: Azurite and MailDev from node_modules and
/// the corpus on a Kestrel server, all on loopback, with the data in one folder.
/// </summary>
public sealed class BenchEnvironment : IAsyncDisposable
{
    private BenchEnvironment(string dataDirectory, AzuriteService azurite, MailDevService mailDev, BenchFeedServer feeds)
    {
        DataDirectory = dataDirectory;
        Azurite = azurite;
        MailDev = mailDev;
        FeedServer = feeds;
    }

    public string DataDirectory { get; }

    public AzuriteService Azurite { get; }

    public MailDevService MailDev { get; }

    public BenchFeedServer FeedServer { get; }

    public static async Task<BenchEnvironment> StartAsync(BenchCorpus corpus, int ports, string dataDirectory, CancellationToken cancellationToken)
    {
        // Every run starts from empty storage and an empty mailbox, so counts mean one cold run.
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        Directory.CreateDirectory(dataDirectory);
        var azurite = await AzuriteService.StartAsync(Path.Combine(dataDirectory, "azurite"), cancellationToken: cancellationToken);
        var mailDev = await MailDevService.StartAsync(Path.Combine(dataDirectory, "mail"), cancellationToken: cancellationToken);
        var feeds = await BenchFeedServer.StartAsync(corpus, ports, cancellationToken);
        return new BenchEnvironment(dataDirectory, azurite, mailDev, feeds);
    }

    /// <summary>
    /// Writes a Watcher configuration for these services and the given subscribers (JSON objects in
    /// the <c>Watcher:Subscribers</c> form), with <paramref name="extraFeeds"/> (in the
    /// <c>Watcher:Feeds</c> form) before the corpus's feeds, and returns its path.
    /// </summary>
    public string WriteWatcherConfig(string fileName, IEnumerable<JsonObject> subscribers, JsonObject? fetch = null, IEnumerable<JsonObject>? extraFeeds = null)
    {
        var feeds = new JsonArray([.. extraFeeds ?? []]);
        for (var feed = 0; feed < FeedServer.Corpus.FeedCount; feed++)
        {
            feeds.Add(new JsonObject
            {
                ["Name"] = BenchCorpus.FeedName(feed),
                ["Url"] = FeedServer.FeedUrl(feed).AbsoluteUri,
                ["Language"] = BenchCorpus.IsDutch(feed) ? "nl" : "en",
            });
        }

        var config = new JsonObject
        {
            ["Watcher"] = new JsonObject
            {
                ["Storage"] = new JsonObject { ["ConnectionString"] = Azurite.ConnectionString },
                ["Feeds"] = feeds,
                ["Subscribers"] = new JsonArray([.. subscribers]),
                ["Fetch"] = fetch ?? new JsonObject(),
                ["Smtp"] = new JsonObject
                {
                    ["Transport"] = "smtp",
                    ["Host"] = "127.0.0.1",
                    ["Port"] = MailDev.SmtpPort,
                    ["Security"] = "None",
                    ["From"] = "watcher@example.org",
                },
            },
        };
        var path = Path.Combine(DataDirectory, fileName);
        File.WriteAllText(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    public static JsonObject Subscriber(string email, string schedule, IEnumerable<string> topics, string? language = null, string timeZone = "UTC", string sendAt = "00:00")
    {
        var subscriber = new JsonObject
        {
            ["Email"] = email,
            ["Schedule"] = schedule,
            ["Topics"] = new JsonArray([.. topics.Select(t => JsonValue.Create(t))]),
            ["TimeZone"] = timeZone,
            ["SendAt"] = sendAt,
        };
        if (language is not null)
        {
            subscriber["Languages"] = new JsonArray(JsonValue.Create(language));
        }

        return subscriber;
    }

    /// <summary>The machine the figures come from, for the report.</summary>
    public static string MachineLine() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB RAM, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");

    public async ValueTask DisposeAsync()
    {
        await FeedServer.DisposeAsync();
        await MailDev.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
