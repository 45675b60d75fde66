using System.Collections.Concurrent;
using Azure;
using Cronos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Configuration;
using Watcher.Delivery;
using Watcher.Digests;
using Watcher.Feeds;
using Watcher.Storage;

namespace Watcher.Local.Hosting;

/// <summary>
/// The Functions host on one machine: the timers (<c>FetchFeeds</c>, <c>SendDigests</c>) on their
/// cron schedules in UTC, with the <see cref="LocalBlobTrigger"/> and <see cref="LocalQueueTrigger"/>
/// polled between them, and once a day the <see cref="Retention"/> sweep that a lifecycle policy
/// does in Azure.
/// </summary>
internal sealed class LocalFunctionsHost(
    WatcherStorage storage,
    FeedPoller feeds,
    ArticleClassificationService classifier,
    SummaryDeliveryService delivery,
    DigestService digests,
    PoisonQueue poison,
    Retention retention,
    ArticleStore articles,
    IOptions<WatcherOptions> options,
    TimeProvider clock,
    ILoggerFactory loggers) : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often a running host lists the recent articles for what this process did not write
    /// itself (another instance, a crash); what it writes is classified on the next tick.
    /// </summary>
    private static readonly TimeSpan ListingInterval = TimeSpan.FromMinutes(1);

    /// <summary>How long <see cref="RunOnceAsync"/> waits for the fetch to store more when a trigger pass found nothing to do.</summary>
    private static readonly TimeSpan TriggerPause = TimeSpan.FromMilliseconds(300);

    private readonly ILogger logger = loggers.CreateLogger<LocalFunctionsHost>();

    private readonly LocalBlobTrigger blobTrigger = new(storage, articles, classifier, clock, loggers.CreateLogger<LocalBlobTrigger>());

    private readonly LocalQueueTrigger queueTrigger = new(storage, delivery, loggers.CreateLogger<LocalQueueTrigger>());

    /// <summary>How long a failed summary message waits for its retry (host.json <c>visibilityTimeout</c> in Azure).</summary>
    public TimeSpan QueueRetryDelay
    {
        get => queueTrigger.QueueRetryDelay;
        set => queueTrigger.QueueRetryDelay = value;
    }

    /// <summary>
    /// One full cycle: fetch, with classify and deliver passes while it runs and once after it,
    /// then send due digests. Returns the failures.
    /// </summary>
    public Task<IReadOnlyList<string>> RunOnceAsync(CancellationToken cancellationToken) => RunOnceAsync(counters: null, cancellationToken);

    /// <summary>One full cycle, counting what it does into <paramref name="counters"/> as it goes.</summary>
    public async Task<IReadOnlyList<string>> RunOnceAsync(CycleCounters? counters, CancellationToken cancellationToken)
    {
        await EnsureStorageAsync(cancellationToken);
        var triggerFailures = new List<string>();
        var failedThisCycle = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var waiting = new Dictionary<string, string>(StringComparer.Ordinal);
        async Task<bool> TriggerPassAsync(bool list)
        {
            var (classified, classifyFailures) = list
                ? await blobTrigger.PassAsync(failedThisCycle, cancellationToken)
                : await blobTrigger.PassWrittenAsync(failedThisCycle, cancellationToken);
            var drain = await queueTrigger.DeliverVisibleSummariesAsync(cancellationToken);
            counters?.AddClassified(classified);
            counters?.AddSummaries(drain.Received);
            triggerFailures.AddRange(classifyFailures);
            triggerFailures.AddRange(drain.Failures);
            foreach (var (body, reason) in drain.MailWaits)
            {
                if (reason is null)
                {
                    waiting.Remove(body);
                }
                else
                {
                    waiting[body] = reason;
                }
            }

            return classified + drain.Received > 0;
        }

        // In Azure the blob and queue triggers fire while the timer function is still running.
        // The fetch mostly waits on per-host politeness, so what it has stored is handled
        // meanwhile; one listing pass at the start and one after the fetch find everything else.
        using var stopFetch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fetch = feeds.PollAllAsync(counters, stopFetch.Token);
        try
        {
            await TriggerPassAsync(list: true);
            while (!fetch.IsCompleted)
            {
                if (!await TriggerPassAsync(list: false))
                {
                    await Task.WhenAny(fetch, Task.Delay(TriggerPause, clock, cancellationToken));
                }
            }
        }
        catch
        {
            // A trigger pass failed (storage gone, or cancelled): the fetch must not run on
            // unobserved after this method has returned.
            await stopFetch.CancelAsync();
            await ((Task)fetch).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        var polls = await fetch;
        await TriggerPassAsync(list: true);
        var digestRun = await digests.SendDueAsync(clock.GetUtcNow(), cancellationToken);
        counters?.AddDigests(digestRun.DigestsSent);
        await poison.SettleAsync(cancellationToken);
        await retention.SweepIfDueAsync(cancellationToken);

        // A message retried within the cycle fails the same way each time: one problem, reported once.
        return
        [
            .. polls.Where(r => r.Error is not null).Select(r => $"feed {r.FeedName}: {r.Error}"),
            .. triggerFailures.Distinct(StringComparer.Ordinal),
            .. digestRun.Failures.Select(f => $"digest {f}"),
            .. waiting.Values.Distinct(StringComparer.Ordinal).Take(1).Select(reason =>
                $"mail: {reason}; {waiting.Count} summaries wait on the queue, without spending their tries, and go out when the server answers (watcher run keeps trying). Start the mail server (./demo.sh starts MailDev) or correct Watcher:Smtp"),
        ];
    }

    /// <summary>Runs until cancelled: timers on their schedules, blob and queue triggers polled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await EnsureStorageAsync(cancellationToken);
        var schedules = options.Value.Schedules;
        var fetchCron = CronExpression.Parse(schedules.FetchFeeds, CronFormat.IncludeSeconds);
        var digestCron = CronExpression.Parse(schedules.SendDigests, CronFormat.IncludeSeconds);
        logger.LogInformation("Watcher running. FetchFeeds '{Fetch}', SendDigests '{Digests}' (UTC). Ctrl+C stops.", schedules.FetchFeeds, schedules.SendDigests);

        // Like the Functions host on a fresh start, poll feeds at once rather than at the next tick.
        var nextFetch = clock.GetUtcNow();
        var nextDigests = digestCron.GetNextOccurrence(clock.GetUtcNow(), TimeZoneInfo.Utc) ?? DateTimeOffset.MaxValue;
        var nextListing = clock.GetUtcNow();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var now = clock.GetUtcNow();
                if (now >= nextFetch)
                {
                    await feeds.PollAllAsync(cancellationToken);
                    nextFetch = fetchCron.GetNextOccurrence(clock.GetUtcNow(), TimeZoneInfo.Utc) ?? DateTimeOffset.MaxValue;
                    nextListing = now;
                }

                if (now >= nextListing)
                {
                    await blobTrigger.ProcessNewArticlesAsync(cancellationToken);
                    nextListing = now + ListingInterval;
                }
                else
                {
                    await blobTrigger.PassWrittenAsync(new ConcurrentDictionary<string, bool>(StringComparer.Ordinal), cancellationToken);
                }

                await queueTrigger.DrainSummariesAsync(cancellationToken);

                if (now >= nextDigests)
                {
                    await digests.SendDueAsync(now, cancellationToken);
                    await poison.SettleAsync(cancellationToken);
                    await retention.SweepIfDueAsync(cancellationToken);
                    nextDigests = digestCron.GetNextOccurrence(clock.GetUtcNow(), TimeZoneInfo.Utc) ?? DateTimeOffset.MaxValue;
                }

                await Task.Delay(PollInterval, clock, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (RequestFailedException e)
            {
                logger.LogError("Storage error: {Message}; retrying in {Delay}s", e.Message, PollInterval.TotalSeconds);
                await Task.Delay(PollInterval, clock, CancellationToken.None);
            }
        }

        logger.LogInformation("Watcher stopped.");
    }

    public void Dispose() => blobTrigger.Dispose();

    private async Task EnsureStorageAsync(CancellationToken cancellationToken)
    {
        try
        {
            await storage.EnsureCreatedAsync(cancellationToken);
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or HttpRequestException)
        {
            throw new WatcherStartupException($"Storage at {storage.Blobs.Uri} cannot be reached: {e.Message}");
        }
    }
}
