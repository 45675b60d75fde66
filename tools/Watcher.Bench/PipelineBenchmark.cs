using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Text;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Watcher.Classification;
using Watcher.Configuration;
using Watcher.Digests;
using Watcher.Feeds;
using Watcher.Local.DevServices;
using Watcher.Local.Hosting;
using Watcher.Storage;
using Watcher.Subscribers;

namespace Watcher.Bench;

public sealed record PipelineBenchmarkOptions
{
    public int Feeds { get; init; } = 200;

    /// <summary>Feed items in total; spread evenly over the feeds.</summary>
    public int Articles { get; init; } = 10_000;

    public int Ports { get; init; } = 4;

    public required string DataDirectory { get; init; }
}

public sealed record StageTiming(string Stage, TimeSpan Elapsed, int Items, string ItemName);

public sealed record PipelineBenchmarkResult(
    BenchCorpus Corpus,
    IReadOnlyList<StageTiming> Stages,
    PipelineCounts Counts,
    IReadOnlyList<ReconciliationCheck> Checks,
    long PeakWorkingSetBytes,
    long PeakGcHeapBytes,
    TimeSpan ServicesStart,
    TimeSpan Reconcile,
    int Ports)
{
    public bool Reconciled => Checks.All(c => c.Holds);

    public TimeSpan PipelineTime => Stages.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Elapsed);
}

/// <summary>
/// <c>watcher-bench pipeline</c>: the whole pipeline over a generated corpus on Azurite, each stage
/// of <see cref="LocalFunctionsHost.RunOnceAsync"/> timed on its own, then the counts read back
/// from storage, the queues and MailDev and reconciled.
/// </summary>
public static partial class PipelineBenchmark
{
    private static readonly string[] AllTopics = [TopicIds.FiveGBan, TopicIds.Blacklist, TopicIds.Divestment];

    public static async Task<PipelineBenchmarkResult> RunAsync(PipelineBenchmarkOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var itemsPerFeed = Math.Max(1, options.Articles / options.Feeds);
        var corpus = new BenchCorpus(options.Feeds, itemsPerFeed, DateTimeOffset.UtcNow.AddMinutes(-5));
        var startServices = Stopwatch.StartNew();
        await using var environment = await BenchEnvironment.StartAsync(corpus, options.Ports, options.DataDirectory, cancellationToken);
        var servicesStart = startServices.Elapsed;

        var subscribers = new[]
        {
            BenchEnvironment.Subscriber("ann@example.org", "instant", AllTopics),
            BenchEnvironment.Subscriber("chris@example.org", "instant", [TopicIds.Blacklist, TopicIds.Divestment], language: "nl"),
            BenchEnvironment.Subscriber("bram@example.org", "daily", [TopicIds.FiveGBan], timeZone: "Europe/Brussels", sendAt: "07:00"),
            BenchEnvironment.Subscriber("dana@example.org", "daily", AllTopics),
        };
        var configPath = environment.WriteWatcherConfig("watcher.bench.json", subscribers);

        using var memory = new GcHeapSampler();
        using var app = WatcherApp.Build(configPath, LogLevel.Warning);
        var storage = app.GetRequiredService<WatcherStorage>();
        using var blobTrigger = ActivatorUtilities.CreateInstance<LocalBlobTrigger>(app);
        var queueTrigger = ActivatorUtilities.CreateInstance<LocalQueueTrigger>(app);
        await storage.EnsureCreatedAsync(cancellationToken);

        var stages = new List<StageTiming>();
        var watch = Stopwatch.StartNew();
        var polls = await app.GetRequiredService<FeedPoller>().PollAllAsync(cancellationToken);
        stages.Add(new("fetch + store", watch.Elapsed, polls.Sum(p => p.Items), "feed items"));

        watch.Restart();
        var classifyFailures = await blobTrigger.ProcessNewArticlesAsync(cancellationToken);
        var classifyTime = watch.Elapsed;
        var queued = (await storage.Summaries.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        stages.Add(new("classify", classifyTime, await CountBlobsAsync(storage.Articles, null, cancellationToken), "articles"));

        watch.Restart();
        var deliveryFailures = await queueTrigger.DrainSummariesAsync(cancellationToken);
        stages.Add(new("deliver (instant mail)", watch.Elapsed, queued, "summaries"));

        watch.Restart();
        var digestRun = await app.GetRequiredService<DigestService>().SendDueAsync(TimeProvider.System.GetUtcNow(), cancellationToken);
        stages.Add(new("digest (due digests)", watch.Elapsed, digestRun.DigestsSent, "digests"));

        var peakWorkingSet = Process.GetCurrentProcess().PeakWorkingSet64;
        var peakHeap = memory.Stop();

        watch.Restart();
        var counts = await CountAsync(storage, app.GetRequiredService<SubscriberDirectory>(), app.GetRequiredService<DigestStore>(), environment.MailDev, corpus, cancellationToken) with
        {
            FeedErrors = polls.Count(p => p.Error is not null),
            ClassifyFailures = classifyFailures.Count,
            SummariesQueued = queued,
        };
        var reconcile = watch.Elapsed;

        foreach (var failure in polls.Where(p => p.Error is not null).Select(p => $"feed {p.FeedName}: {p.Error}").Concat(classifyFailures).Concat(deliveryFailures).Concat(digestRun.Failures).Take(20))
        {
            Console.Error.WriteLine("  " + failure);
        }

        return new PipelineBenchmarkResult(corpus, stages, counts, Reconciliation.Check(counts), peakWorkingSet, peakHeap, servicesStart, reconcile, options.Ports);
    }

    public static string Report(PipelineBenchmarkResult result, string command)
    {
        ArgumentNullException.ThrowIfNull(result);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"Command: `{command}`");
        text.AppendLine(c, $"Date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; machine: {BenchEnvironment.MachineLine()}");
        text.AppendLine(c, $"Corpus: {result.Corpus.FeedCount} feeds x {result.Corpus.ItemsPerFeed} items = {result.Corpus.TotalItems} feed items, {result.Corpus.UniqueStories} distinct stories ({result.Corpus.SharedItems} repeated in a second feed under another tracking URL); served by Kestrel on {result.Ports} loopback ports, feeds assigned round-robin.");
        text.AppendLine(c, $"Azurite + MailDev + feed server start: {result.ServicesStart.TotalSeconds:0.0} s (not counted below).");
        text.AppendLine();
        text.Append(MarkdownTable.Render(
            ["stage", "wall time", "items", "items/s", "mean per item"],
            result.Stages.Select(s => (IReadOnlyList<string>)
            [
                s.Stage,
                $"{s.Elapsed.TotalSeconds.ToString("0.00", c)} s",
                $"{s.Items.ToString(c)} {s.ItemName}",
                s.Items == 0 ? "-" : (s.Items / s.Elapsed.TotalSeconds).ToString("0.0", c),
                s.Items == 0 ? "-" : $"{(s.Elapsed.TotalMilliseconds / s.Items).ToString("0.00", c)} ms",
            ])));
        text.AppendLine();
        var stored = result.Counts.ArticleBlobs;
        text.AppendLine(c, $"Whole pipeline: {result.PipelineTime.TotalSeconds:0.0} s for {stored} articles = **{stored / result.PipelineTime.TotalSeconds:0.0} articles/s** end to end ({result.Corpus.TotalItems / result.PipelineTime.TotalSeconds:0.0} feed items/s).");
        text.AppendLine(c, $"Peak memory of the bench process (Watcher + the Kestrel feed server): working set {result.PeakWorkingSetBytes / (1024.0 * 1024):0} MiB (`Process.PeakWorkingSet64`), GC heap {result.PeakGcHeapBytes / (1024.0 * 1024):0} MiB (sampled every 50 ms).");
        text.AppendLine();
        text.Append(MarkdownTable.Render(
            ["subscriber", "schedule", "wanted", "delivered", "pending", "mails sent", "mails in MailDev", "stories in those mails"],
            result.Counts.Subscribers.Select(s => (IReadOnlyList<string>)
            [
                s.Email, s.Schedule, s.Expected.ToString(c), s.Delivered.ToString(c), s.Pending.ToString(c), s.DigestsSent.ToString(c), s.MailsInMailDev.ToString(c), s.StoriesInMails.ToString(c),
            ])));
        text.AppendLine();
        text.Append(MarkdownTable.Render(
            ["reconciliation check", "expected", "actual", "ok"],
            result.Checks.Select(k => (IReadOnlyList<string>)[k.Name, k.Expected.ToString(c), k.Actual.ToString(c), k.Holds ? "yes" : "**NO**"])));
        text.AppendLine();
        text.AppendLine(result.Reconciled
            ? $"Counts reconcile: {stored} stored = {result.Counts.ClassifiedBlobs} classified; {result.Counts.Matched} matched = {result.Counts.SummariesQueued} queued; {result.Counts.Subscribers.Sum(s => s.Delivered)} entries delivered to {result.Counts.Subscribers.Count} subscribers. (Read-back took {result.Reconcile.TotalSeconds:0.0} s.)"
            : $"COUNTS DO NOT RECONCILE: {result.Checks.Count(k => !k.Holds)} check(s) failed.");
        return text.ToString();
    }

    private static async Task<PipelineCounts> CountAsync(WatcherStorage storage, SubscriberDirectory directory, DigestStore digests, MailDevService mailDev, BenchCorpus corpus, CancellationToken cancellationToken)
    {
        // The verdicts, read back in parallel: Azurite answers one request at a time per
        // connection, and ten thousand sequential reads would dominate the report's run time.
        var classifiedNames = new List<string>();
        await foreach (var blob in storage.Classified.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, cancellationToken))
        {
            classifiedNames.Add(blob.Name);
        }

        var verdicts = new ConcurrentBag<ClassifiedArticle>();
        await Parallel.ForEachAsync(classifiedNames, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (name, ct) =>
        {
            var (verdict, _) = await JsonBlobs.ReadAsync<ClassifiedArticle>(storage.Classified.GetBlobClient(name), ct);
            if (verdict is not null)
            {
                verdicts.Add(verdict);
            }
        });
        var matched = verdicts.Where(v => v.Topics.Count > 0).ToList();

        var subscriberCounts = new List<SubscriberCounts>();
        var sentTotal = 0;
        foreach (var subscriber in await directory.ActiveAsync(cancellationToken))
        {
            var key = SubscriberKey.For(subscriber.Email);
            var expected = matched.Count(v => AsDigestItem(v).TopicsFor(subscriber, []).Count > 0);
            var articlesInDigests = 0;
            var sent = 0;
            await foreach (var blob in storage.Digests.GetBlobsAsync(BlobTraits.None, BlobStates.None, $"sent/{key}/", cancellationToken))
            {
                var (marker, _) = await JsonBlobs.ReadAsync<SentDigest>(storage.Digests.GetBlobClient(blob.Name), cancellationToken);
                articlesInDigests += marker?.ArticleIds.Count ?? 0;
                sent++;
            }

            sentTotal += sent;
            subscriberCounts.Add(new SubscriberCounts
            {
                Email = subscriber.Email,
                Schedule = subscriber.Schedule.ToString().ToLowerInvariant(),
                Expected = expected,
                Pending = (await digests.ReadPendingAsync(key, cancellationToken)).Items.Count,
                Delivered = await CountBlobsAsync(storage.Digests, $"delivered/{key}/", cancellationToken),
                DigestsSent = sent,
                ArticlesInDigests = articlesInDigests,
                MailsInMailDev = 0,
            });
        }

        using var inbox = new MailDevInbox(mailDev.WebUrl);
        var mails = await inbox.WaitForCountAsync(sentTotal, TimeSpan.FromSeconds(30), cancellationToken);
        return new PipelineCounts
        {
            UniqueStories = corpus.UniqueStories,
            FeedErrors = 0,
            ClassifyFailures = 0,
            ArticleBlobs = await CountBlobsAsync(storage.Articles, null, cancellationToken),
            ClassifiedBlobs = classifiedNames.Count,
            Matched = matched.Count,
            SummariesQueued = 0,
            SummariesLeft = (await storage.Summaries.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount,
            PoisonMessages = (await storage.SummariesPoison.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount,
            Subscribers = subscriberCounts.Select(s => s with
            {
                MailsInMailDev = mails.Count(m => m.IsFor(s.Email)),
                StoriesInMails = mails.Where(m => m.IsFor(s.Email)).Sum(m => StoryCount().Match(m.Subject) is { Success: true } story ? int.Parse(story.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : 0),
            }).ToList(),
        };
    }

    /// <summary>The fields of a digest item <see cref="DigestItem.TopicsFor"/> looks at, taken from a verdict.</summary>
    private static DigestItem AsDigestItem(ClassifiedArticle verdict) => new()
    {
        ArticleId = verdict.Id,
        Title = "",
        Url = "",
        Source = "",
        Language = verdict.Language,
        Summary = verdict.Summary,
        Topics = verdict.Topics.Select(t => new DigestItemTopic(t.Id, t.Id, t.Score, null)).ToList(),
    };

    internal static async Task<int> CountBlobsAsync(Azure.Storage.Blobs.BlobContainerClient container, string? prefix, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var page in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken).AsPages(pageSizeHint: 5000))
        {
            count += page.Values.Count;
        }

        return count;
    }

    /// <summary>A digest's subject starts "Watcher: N new".</summary>
    [GeneratedRegex(@"^Watcher: (\d+) new")]
    private static partial Regex StoryCount();
}
