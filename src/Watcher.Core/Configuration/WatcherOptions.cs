namespace Watcher.Configuration;

/// <summary>
/// The one <c>Watcher</c> configuration section. Both hosts bind it with the options pattern and
/// validate it at start-up with <see cref="WatcherOptionsValidator"/>.
/// </summary>
public sealed class WatcherOptions
{
    public const string SectionName = "Watcher";

    public StorageOptions Storage { get; set; } = new();

    public List<FeedOptions> Feeds { get; set; } = [];

    /// <summary>Topic definitions keyed by topic id, so a user adds a topic by adding a key.</summary>
    public Dictionary<string, TopicOptions> Topics { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public List<SubscriberOptions> Subscribers { get; set; } = [];

    public SmtpOptions Smtp { get; set; } = new();

    public ScheduleOptions Schedules { get; set; } = new();

    public FetchOptions Fetch { get; set; } = new();

    public ClassifierOptions Classifier { get; set; } = new();

    public DeliveryOptions Delivery { get; set; } = new();

    public RetentionOptions Retention { get; set; } = new();
}

public sealed class StorageOptions
{
    /// <summary>A storage connection string; Azurite's <c>UseDevelopmentStorage=true</c> by default.</summary>
    public string? ConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>
    /// Storage account name for identity-based access (managed identity in Azure). When set, it
    /// is used instead of <see cref="ConnectionString"/>.
    /// </summary>
    public string? AccountName { get; set; }
}

public sealed class FeedOptions
{
    public string Name { get; set; } = "";

    /// <summary><c>http(s)://</c>, <c>file://</c>, or a path relative to the configuration file.</summary>
    public string Url { get; set; } = "";

    /// <summary>The language the feed is written in, used when an article does not declare one.</summary>
    public string? Language { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>Fetch each article's page and extract its main text.</summary>
    public bool FullText { get; set; }
}

public sealed class SubscriberOptions
{
    public string Email { get; set; } = "";

    public string? Name { get; set; }

    public List<string> Topics { get; set; } = [];

    public DeliverySchedule Schedule { get; set; } = DeliverySchedule.Daily;

    /// <summary>IANA time zone the local send time is in.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Local time of day a daily or weekly digest goes out, <c>HH:mm</c>.</summary>
    public string SendAt { get; set; } = "08:00";

    /// <summary>The weekday a weekly digest goes out.</summary>
    public DayOfWeek Weekday { get; set; } = DayOfWeek.Monday;

    /// <summary>Only articles in these languages; all when empty.</summary>
    public List<string> Languages { get; set; } = [];

    /// <summary>Only articles mentioning one of these words; all when empty.</summary>
    public List<string> Keywords { get; set; } = [];

    /// <summary>Only articles from these feeds (by name); all when empty.</summary>
    public List<string> Feeds { get; set; } = [];

    /// <summary>Send a daily or weekly digest early once this many items are pending.</summary>
    public int? MaxItems { get; set; }
}

public enum DeliverySchedule
{
    Instant,
    Daily,
    Weekly,
}

public sealed class SmtpOptions
{
    /// <summary><c>smtp</c> sends through <see cref="Host"/>; <c>pickup</c> writes .eml files to <see cref="PickupDirectory"/>.</summary>
    public string Transport { get; set; } = "smtp";

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1025;

    /// <summary><c>Auto</c>, <c>None</c>, <c>StartTls</c> or <c>SslOnConnect</c>.</summary>
    public string Security { get; set; } = "Auto";

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public string From { get; set; } = "watcher@example.org";

    public string FromName { get; set; } = "Watcher";

    public string? PickupDirectory { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When the mail server does not answer, how long mail waits before the first new try; each
    /// try that fails doubles the wait up to <see cref="MaxOutageRetryDelay"/>. The summaries stay
    /// on the queue meanwhile, without using up their tries.
    /// </summary>
    public TimeSpan OutageRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxOutageRetryDelay { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// How long each kind of stored data is kept, in days after it was written. The local host deletes
/// by these once a day; in Azure the Bicep parameters of the same names set the storage account's
/// lifecycle policy (<c>Watcher.Storage.Retention</c> lists what each covers).
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>Articles and their verdicts.</summary>
    public int ArticleDays { get; set; } = 90;

    /// <summary>The dedup index and the delivered markers: longer than a feed keeps listing an item, so an old item is never stored or mailed again.</summary>
    public int IndexDays { get; set; } = 400;

    /// <summary>Sent-digest markers, same-story logs and the local blob trigger's receipts: past the longest schedule and the same-story window.</summary>
    public int MarkerDays { get; set; } = 35;
}

/// <summary>NCRONTAB expressions (six fields, with seconds) in UTC, as the Functions timer trigger reads them.</summary>
public sealed class ScheduleOptions
{
    public string FetchFeeds { get; set; } = "0 */15 * * * *";

    public string SendDigests { get; set; } = "0 0 * * * *";
}

public sealed class FetchOptions
{
    /// <summary>Where a site owner learns who is polling them; goes into the User-Agent.</summary>
    public string ContactUrl { get; set; } = "https://github.com/watcher-news/watcher";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    public long MaxResponseBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// New articles stored from one feed per poll, newest first; the rest wait for the next poll
    /// (the feed is read again in full then), so a feed of 100,000 items cannot hold a cycle.
    /// </summary>
    public int MaxNewItemsPerPoll { get; set; } = 200;

    /// <summary><c>file://</c> feed URLs are refused unless this is set (samples and tests).</summary>
    public bool AllowFileUrls { get; set; }

    public int MaxConcurrency { get; set; } = 16;

    /// <summary>Concurrent requests to one host and port, so a site with many feeds is not hammered.</summary>
    public int MaxConcurrencyPerHost { get; set; } = 2;

    /// <summary>Time between the starts of two requests to the same host and port.</summary>
    public TimeSpan MinIntervalPerHost { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Least time between two polls of a healthy feed. Zero (the default) polls it on every
    /// <c>FetchFeeds</c> tick; back-off and Retry-After still hold failing feeds back.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.Zero;

    /// <summary>First wait after a failure; it doubles with each further failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMinutes(15);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(12);

    /// <summary>A feed failing this long is reported to <see cref="AdminEmail"/>.</summary>
    public TimeSpan ReportFailingAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Who hears about feeds that keep failing; nobody when empty.</summary>
    public string? AdminEmail { get; set; }

    /// <summary>Hosts (names or CIDR ranges) the article-page fetch may reach although they are loopback, private or link-local.</summary>
    public List<string> AllowedPrivateHosts { get; set; } = [];

    /// <summary>How far back a new article is compared with earlier ones for the same story.</summary>
    public TimeSpan SimilarStoryWindow { get; set; } = TimeSpan.FromDays(14);
}

public sealed class ClassifierOptions
{
    /// <summary><c>local</c> (embedded) or <c>azure-language</c>.</summary>
    public string Backend { get; set; } = "local";

    /// <summary>Azure AI Language endpoint, <c>https://{resource}.cognitiveservices.azure.com</c> (azure-language only).</summary>
    public string? Endpoint { get; set; }

    /// <summary>Resource key; when empty the service is reached with managed identity (DefaultAzureCredential).</summary>
    public string? Key { get; set; }

    /// <summary>
    /// Classify locally when the service fails. Off by default: a failing service makes the
    /// article retry and finally land in poison, never silently get a lesser verdict.
    /// </summary>
    public bool FallbackToLocal { get; set; }

    /// <summary>How often a summarization job is polled.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a summarization job may take before the article counts as failed.</summary>
    public TimeSpan JobTimeout { get; set; } = TimeSpan.FromMinutes(2);
}

public sealed class DeliveryOptions
{
    /// <summary>Public base URL of the preferences / unsubscribe endpoint.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:7071";

    /// <summary>HMAC secret that signs unsubscribe links. Must be set outside development.</summary>
    public string? TokenSecret { get; set; }

    /// <summary>Optional address for mail-based unsubscribes, added to <c>List-Unsubscribe</c> as a <c>mailto:</c> link.</summary>
    public string? UnsubscribeMailto { get; set; }

    /// <summary>Most mails sent in any minute (Azure Communication Services starts at 30); unlimited when null.</summary>
    public int? MaxPerMinute { get; set; }

    /// <summary>Most mails sent in any hour (Azure Communication Services starts at 100); unlimited when null.</summary>
    public int? MaxPerHour { get; set; }
}
