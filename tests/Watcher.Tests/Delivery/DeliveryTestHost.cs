using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Configuration;
using Watcher.Delivery;
using Watcher.Digests;
using Watcher.Storage;
using Watcher.Tests.Support;

namespace Watcher.Tests.Delivery;

/// <summary>A clock the test moves; everything else (Azurite, MailDev, HTTP) is real.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// The core wired to a real Azurite and MailDev with the given subscribers, plus helpers that put
/// an article through the storage contract the way fetching and classifying leave it.
/// </summary>
public sealed class DeliveryTestHost : IDisposable
{
    private readonly ServiceProvider provider;

    public static async Task<DeliveryTestHost> CreateAsync(ServicesFixture services, IEnumerable<SubscriberOptions> subscribers, ManualClock clock, IDictionary<string, string?>? settings = null)
    {
        var host = new DeliveryTestHost(services, subscribers, clock, settings);
        await host.Storage.EnsureCreatedAsync();
        return host;
    }

    private DeliveryTestHost(ServicesFixture services, IEnumerable<SubscriberOptions> subscribers, ManualClock clock, IDictionary<string, string?>? settings)
    {
        Clock = clock;
        var values = new Dictionary<string, string?>
        {
            ["Watcher:Storage:ConnectionString"] = services.Azurite.ConnectionString,
            ["Watcher:Smtp:Host"] = "127.0.0.1",
            ["Watcher:Smtp:Port"] = services.MailDev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Watcher:Smtp:Security"] = "None",
            ["Watcher:Smtp:From"] = "watcher@example.org",
            ["Watcher:Delivery:TokenSecret"] = "test-secret-test-secret-test-secret-0123",
        };
        var i = 0;
        foreach (var subscriber in subscribers)
        {
            var prefix = $"Watcher:Subscribers:{i++}:";
            values[prefix + "Email"] = subscriber.Email;
            values[prefix + "Name"] = subscriber.Name;
            values[prefix + "Schedule"] = subscriber.Schedule.ToString();
            values[prefix + "TimeZone"] = subscriber.TimeZone;
            values[prefix + "SendAt"] = subscriber.SendAt;
            values[prefix + "Weekday"] = subscriber.Weekday.ToString();
            values[prefix + "MaxItems"] = subscriber.MaxItems?.ToString(System.Globalization.CultureInfo.InvariantCulture);
            for (var t = 0; t < subscriber.Topics.Count; t++)
            {
                values[prefix + $"Topics:{t}"] = subscriber.Topics[t];
            }
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddWatcherDefaults().AddInMemoryCollection(values).Build();
        var collection = new ServiceCollection().AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        collection.AddWatcherCore(configuration);
        collection.AddSingleton<TimeProvider>(clock);
        provider = collection.BuildServiceProvider();
    }

    public ManualClock Clock { get; }

    public WatcherStorage Storage => Get<WatcherStorage>();

    public T Get<T>()
        where T : notnull => provider.GetRequiredService<T>();

    /// <summary>Stores an article and its verdict as FetchFeeds and ClassifyArticle would; returns the summaries message text.</summary>
    public async Task<string> AddClassifiedArticleAsync(
        string id,
        string title,
        IReadOnlyList<string> topics,
        string feedName = "Wire Tech EN",
        string language = "en",
        DateTimeOffset? published = null,
        IReadOnlyList<string>? alsoFeeds = null)
    {
        var article = new Article
        {
            Id = id,
            Url = $"https://news.example.org/{id}",
            Title = title,
            Text = "Body text.",
            Language = language,
            Published = published ?? Clock.Now.AddMinutes(-30),
            FetchedAt = Clock.Now,
            Source = new ArticleSource { FeedName = feedName, FeedUrl = $"https://{feedName.Replace(' ', '-')}.example.org/feed" },
        };
        var store = Get<ArticleStore>();
        await store.StoreAsync(article, CancellationToken.None);
        foreach (var other in alsoFeeds ?? [])
        {
            await store.StoreAsync(article with { Source = new ArticleSource { FeedName = other, FeedUrl = $"https://{other.Replace(' ', '-')}.example.org/feed" } }, CancellationToken.None);
        }

        var classifiedBlob = ArticleClassificationService.ClassifiedBlobName(ArticleStore.BlobNameFor(article));
        await JsonBlobs.UpsertAsync(
            Storage.Classified.GetBlobClient(classifiedBlob),
            new ClassifiedArticle
            {
                Id = id,
                ArticleBlob = ArticleStore.BlobNameFor(article),
                Language = language,
                Topics = topics.Select((t, n) => new TopicMatch(t, 0.9 - (n * 0.1), [$"Evidence for {t} in {id}."])).ToList(),
                Summary = $"Summary of {id}.",
                SummaryBy = "test",
                Classifier = "test",
                ClassifierVersion = "1",
            },
            CancellationToken.None);
        return System.Text.Json.JsonSerializer.Serialize(new SummaryMessage { ArticleId = id, ClassifiedBlob = classifiedBlob }, JsonBlobs.SerializerOptions);
    }

    public async Task<TimeSpan?> DeliverAsync(string messageText) =>
        await Get<SummaryDeliveryService>().DeliverAsync(messageText, CancellationToken.None);

    public static SubscriberOptions Subscriber(string tag, DeliverySchedule schedule, params string[] topics) => new()
    {
        Email = $"{tag}-{Guid.NewGuid():n}@example.org",
        Name = tag,
        Topics = topics.Length == 0 ? ["5g-ban", "blacklist", "divestment"] : [.. topics],
        Schedule = schedule,
        TimeZone = "Europe/Brussels",
        SendAt = "08:00",
    };

    public static string NewId() => Guid.NewGuid().ToString("n")[..16];

    public void Dispose() => provider.Dispose();
}

/// <summary>Waits for mail to arrive in MailDev (it saves asynchronously).</summary>
public static class MailDevWaits
{
    public static async Task<IReadOnlyList<ReceivedMail>> WaitForAsync(this MailDevClient mail, string email, int count, int timeoutMs = 15000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var received = await mail.ForAsync(email);
            if (received.Count >= count || DateTime.UtcNow > deadline)
            {
                return received;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The mail as MailDev received it, parsed from its raw source.</summary>
    public static async Task<MimeKit.MimeMessage> ParsedAsync(this MailDevClient mail, ReceivedMail received) =>
        await MimeKit.MimeMessage.LoadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(await mail.SourceAsync(received.Id))));

    /// <summary>Mail to <paramref name="email"/> after a pause long enough for MailDev to have saved anything sent.</summary>
    public static async Task<IReadOnlyList<ReceivedMail>> SettledAsync(this MailDevClient mail, string email)
    {
        await Task.Delay(300);
        return await mail.ForAsync(email);
    }
}
