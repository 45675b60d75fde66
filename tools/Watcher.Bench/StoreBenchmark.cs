using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Configuration;
using Watcher.Delivery;
using Watcher.Digests;
using Watcher.Feeds;
using Watcher.Local.Hosting;
using Watcher.Storage;

namespace Watcher.Bench;

public sealed record StoreBenchmarkOptions
{
    /// <summary>Articles already stored (with verdicts and index entries) before the measured cycle.</summary>
    public int History { get; init; } = 200_000;

    /// <summary>Days before today the history is spread over.</summary>
    public int Days { get; init; } = 90;

    public int Feeds { get; init; } = 200;

    public int ItemsPerFeed { get; init; } = 10;

    public int Ports { get; init; } = 4;

    public required string DataDirectory { get; init; }
}

/// <summary>One cycle on one store: how long it took, what it asked of storage, and the memory it used.</summary>
public sealed record StoreCycle(
    string Store,
    int History,
    TimeSpan Prefill,
    TimeSpan Preparation,
    TimeSpan Cycle,
    int NewArticles,
    int Matched,
    IReadOnlyDictionary<string, int> Requests,
    long PeakGcHeapBytes,
    int Failures,
    TimeSpan Probe)
{
    /// <summary>
    /// The requests on the similar-story log: how many parallel classifications read or append at
    /// once decides how many reads one covers and how many first appends of a day race to create
    /// the log, so their count varies by a few from run to run whatever the store holds.
    /// </summary>
    public const string RacingPrefix = " state/similar";

    public int TotalRequests => Requests.Values.Sum();

    /// <summary>The requests whose number does not depend on how parallel work interleaved.</summary>
    public int SteadyRequests => Requests.Where(r => !r.Key.EndsWith(RacingPrefix, StringComparison.Ordinal)).Sum(r => r.Value);

    /// <summary>Whether this cycle asked storage for what <paramref name="other"/> did, kind by kind, apart from the racing kinds.</summary>
    public bool SameRequestsAs(StoreCycle other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Requests.Keys.Union(other.Requests.Keys)
            .Where(kind => !kind.EndsWith(RacingPrefix, StringComparison.Ordinal))
            .All(kind => Requests.GetValueOrDefault(kind) == other.Requests.GetValueOrDefault(kind));
    }
}

/// <summary>
/// <c>watcher-bench store</c>: the cost of one cycle on an empty store and on one holding a large
/// history, side by side. The history is written straight through the SDK, as a Watcher running
/// for months leaves it (article, verdict with the ETag it judged, index entry), spread over the
/// days before today; then the store is brought to the state a running Watcher has (one trigger
/// pass and the day's retention sweep, timed apart). The cycle is the calls of <c>run --once</c>
/// one after another, so its request counts do not depend on timing.
/// </summary>
public static class StoreBenchmark
{
    private const int PrefillConcurrency = 64;

    public static async Task<IReadOnlyList<StoreCycle>> RunAsync(StoreBenchmarkOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return
        [
            await RunOneAsync(options, "empty", 0, cancellationToken),
            await RunOneAsync(options, "full", options.History, cancellationToken),
        ];
    }

    private static async Task<StoreCycle> RunOneAsync(StoreBenchmarkOptions options, string name, int history, CancellationToken cancellationToken)
    {
        var corpus = new BenchCorpus(options.Feeds, options.ItemsPerFeed, DateTimeOffset.UtcNow.AddMinutes(-5));
        await using var environment = await BenchEnvironment.StartAsync(corpus, options.Ports, Path.Combine(options.DataDirectory, name), cancellationToken);
        var configPath = environment.WriteWatcherConfig("watcher.bench.json",
        [
            BenchEnvironment.Subscriber("ann@example.org", "instant", [TopicIds.FiveGBan, TopicIds.Blacklist, TopicIds.Divestment]),
            BenchEnvironment.Subscriber("bram@example.org", "daily", [TopicIds.FiveGBan], timeZone: "Europe/Brussels", sendAt: "07:00"),
        ]);
        var counter = new StorageRequestCounter();
        using var app = WatcherApp.Build(configPath, LogLevel.Warning, services => services.AddSingleton<HttpPipelinePolicy>(counter));
        var storage = app.GetRequiredService<WatcherStorage>();
        counter.QueueAuthority = storage.Queues.Uri.Authority;
        await storage.EnsureCreatedAsync(cancellationToken);

        var watch = Stopwatch.StartNew();
        await PrefillAsync(new BlobServiceClient(environment.Azurite.ConnectionString), history, options.Days, cancellationToken);
        var prefill = watch.Elapsed;

        using var blobTrigger = ActivatorUtilities.CreateInstance<LocalBlobTrigger>(app);
        var queueTrigger = ActivatorUtilities.CreateInstance<LocalQueueTrigger>(app);
        var retention = app.GetRequiredService<Retention>();
        watch.Restart();
        await blobTrigger.ProcessNewArticlesAsync(cancellationToken);
        await retention.SweepIfDueAsync(cancellationToken);
        var preparation = watch.Elapsed;

        counter.Reset();
        using var memory = new GcHeapSampler();
        watch.Restart();
        var polls = await app.GetRequiredService<FeedPoller>().PollAllAsync(cancellationToken);
        var classifyFailures = await blobTrigger.ProcessNewArticlesAsync(cancellationToken);
        var matched = (await storage.Summaries.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        var deliveryFailures = await queueTrigger.DrainSummariesAsync(cancellationToken);
        var digests = await app.GetRequiredService<DigestService>().SendDueAsync(TimeProvider.System.GetUtcNow(), cancellationToken);
        await app.GetRequiredService<PoisonQueue>().SettleAsync(cancellationToken);
        await retention.SweepIfDueAsync(cancellationToken);
        var cycle = watch.Elapsed;
        var requests = counter.Snapshot();
        var peakHeap = memory.Stop();

        // The queue's count is one more request; it is read inside the cycle and left out here.
        requests = requests.Where(r => r.Key != "properties summaries").ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
        var failures = polls.Count(p => p.Error is not null) + classifyFailures.Count + deliveryFailures.Count + digests.Failures.Count;
        var probe = await ProbeAsync(new BlobServiceClient(environment.Azurite.ConnectionString), cancellationToken);
        return new StoreCycle(name, history, prefill, preparation, cycle, polls.Sum(p => p.NewArticles), matched, requests, peakHeap, failures, probe);
    }

    /// <summary>
    /// The same fixed requests, without Watcher, against the store the cycle ran on: the emulator's
    /// own cost per request can grow with what it holds (Azurite keeps its blob metadata in one
    /// in-memory collection), and this tells that apart from what Watcher asks.
    /// </summary>
    private static async Task<TimeSpan> ProbeAsync(BlobServiceClient blobs, CancellationToken cancellationToken)
    {
        const int Blobs = 400;
        var container = blobs.GetBlobContainerClient("probe");
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var body = BinaryData.FromString(new string('x', 2048));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };
        var watch = Stopwatch.StartNew();
        await Parallel.ForAsync(0, Blobs, parallel, async (i, ct) => await container.GetBlobClient($"p/{i}").UploadAsync(body, overwrite: true, ct));
        await Parallel.ForAsync(0, Blobs, parallel, async (i, ct) => await container.GetBlobClient($"p/{i}").DownloadContentAsync(ct));
        await Parallel.ForAsync(0, Blobs, parallel, async (i, ct) => await container.GetBlobClient($"p/{i}").ExistsAsync(ct));
        await Parallel.ForAsync(0, Blobs / 8, parallel, async (i, ct) => await container.GetBlobClient($"p/{i}").DeleteIfExistsAsync(cancellationToken: ct));
        return watch.Elapsed;
    }

    /// <summary>Writes <paramref name="count"/> articles, their verdicts and index entries, named as Watcher names them.</summary>
    private static async Task PrefillAsync(BlobServiceClient blobs, int count, int days, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return;
        }

        var articles = blobs.GetBlobContainerClient(StorageNames.ArticlesContainer);
        var classified = blobs.GetBlobContainerClient(StorageNames.ClassifiedContainer);
        var state = blobs.GetBlobContainerClient(StorageNames.StateContainer);
        var today = DateTimeOffset.UtcNow.Date;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = PrefillConcurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var storedAt = new DateTimeOffset(today, TimeSpan.Zero).AddDays(-1 - (i % days)).AddMinutes(i % 1440);
            var article = new Article
            {
                Id = ArticleId.FromGuid("https://history.example.org/feed", i.ToString(CultureInfo.InvariantCulture)),
                Url = $"https://history.example.org/story-{i}",
                Title = $"Earlier story {i} about networks and markets",
                Text = string.Concat(Enumerable.Repeat($"Paragraph of an earlier story number {i}, of the kind a news feed carries every day. ", 6)),
                Language = i % 2 == 0 ? "nl" : "en",
                Published = storedAt.AddMinutes(-30),
                FetchedAt = storedAt,
                Source = new ArticleSource { FeedName = "history", FeedUrl = "https://history.example.org/feed" },
            };
            var blobName = ArticleStore.BlobNameFor(article);
            var etag = await JsonBlobs.UpsertAsync(articles.GetBlobClient(blobName), article, ct);
            var verdict = new ClassifiedArticle
            {
                Id = article.Id,
                ArticleBlob = blobName,
                Language = article.Language,
                Topics = [],
                Summary = article.Text[..120],
                SummaryBy = "local",
                Classifier = "local",
                ClassifierVersion = "history",
            };
            await JsonBlobs.UpsertAsync(
                classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(blobName)),
                verdict,
                new Dictionary<string, string> { [ArticleClassificationService.ArticleETagMetadata] = etag.ToString().Trim('"') },
                ct);
            await JsonBlobs.UpsertAsync(
                state.GetBlobClient($"articles/{article.Id}.json"),
                new ArticleIndexEntry { Id = article.Id, BlobName = blobName, Sources = [article.Source], ClaimedAt = storedAt },
                ct);
        });
    }

    public static string Report(IReadOnlyList<StoreCycle> cycles, string command)
    {
        ArgumentNullException.ThrowIfNull(cycles);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"Command: `{command}`");
        text.AppendLine(c, $"Date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; machine: {BenchEnvironment.MachineLine()}");
        text.AppendLine();
        text.Append(MarkdownTable.Render(
            ["store", "history", "written in", "trigger pass + sweep before", "cycle", "new articles", "matched", "storage requests", "per new article", "peak GC heap", "failures", "Azurite probe"],
            cycles.Select(k => (IReadOnlyList<string>)
            [
                k.Store,
                k.History.ToString("N0", c),
                k.History == 0 ? "-" : $"{k.Prefill.TotalSeconds:0} s",
                $"{k.Preparation.TotalSeconds:0.0} s",
                $"{k.Cycle.TotalSeconds:0.00} s",
                k.NewArticles.ToString(c),
                k.Matched.ToString(c),
                k.TotalRequests.ToString(c),
                k.NewArticles == 0 ? "-" : (k.TotalRequests / (double)k.NewArticles).ToString("0.00", c),
                $"{k.PeakGcHeapBytes / (1024.0 * 1024):0} MiB",
                k.Failures.ToString(c),
                $"{k.Probe.TotalSeconds:0.00} s",
            ])));
        text.AppendLine();
        var kinds = cycles.SelectMany(k => k.Requests.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        text.Append(MarkdownTable.Render(
            ["request", .. cycles.Select(k => k.Store)],
            kinds.Select(kind => (IReadOnlyList<string>)[kind, .. cycles.Select(k => k.Requests.TryGetValue(kind, out var n) ? n.ToString(c) : "0")])));
        if (cycles.Count == 2)
        {
            var (empty, full) = (cycles[0], cycles[1]);
            text.AppendLine();
            text.AppendLine(c, $"Full store against empty: cycle time {full.Cycle.TotalSeconds / empty.Cycle.TotalSeconds:0.00}x; the Azurite probe (the same 1,250 requests without Watcher) {full.Probe.TotalSeconds / empty.Probe.TotalSeconds:0.00}x.");
            text.AppendLine(c, $"Requests {full.TotalRequests} vs {empty.TotalRequests}; apart from{StoreCycle.RacingPrefix} (run-to-run races) {full.SteadyRequests} vs {empty.SteadyRequests}, kind by kind {(full.SameRequestsAs(empty) ? "equal" : "NOT equal")}.");
        }

        return text.ToString();
    }
}
