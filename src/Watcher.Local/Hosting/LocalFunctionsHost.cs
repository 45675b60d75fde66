using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues.Models;
using Cronos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Configuration;
using Watcher.Delivery;
using Watcher.Digests;
using Watcher.Feeds;
using Watcher.Hosting;
using Watcher.Storage;

namespace Watcher.Local.Hosting;

/// <summary>
/// Fires the core's entry points with the Functions trigger semantics: cron timers in UTC, a blob
/// trigger that keeps receipts, and a queue trigger with visibility timeout and poison after
/// <see cref="WatcherStorage.MaxDequeueCount"/> dequeues.
/// </summary>
internal sealed class LocalFunctionsHost(
    WatcherStorage storage,
    FeedPoller feeds,
    ArticleClassificationService classifier,
    SummaryDeliveryService delivery,
    DigestService digests,
    PoisonQueue poison,
    IOptions<WatcherOptions> options,
    TimeProvider clock,
    ILogger<LocalFunctionsHost> logger)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    /// <summary>How long <see cref="RunOnceAsync"/> waits for the fetch to store more when a trigger pass found nothing to do.</summary>
    private static readonly TimeSpan TriggerPause = TimeSpan.FromMilliseconds(300);

    /// <summary>How far before the last complete scan a new scan still looks for changed blobs.</summary>
    private static readonly TimeSpan ScanOverlap = TimeSpan.FromMinutes(5);

    /// <summary>Where the blob trigger keeps one receipt per article blob, named after it.</summary>
    private const string ReceiptPrefix = $"receipts/{FunctionNames.ClassifyArticle}/";

    // Blobs this process saw handled: a long-running host lists the articles every poll and need
    // not list the verdicts and receipts when nothing new has changed.
    private readonly ConcurrentDictionary<string, bool> handledBlobs = new(StringComparer.Ordinal);

    /// <summary>Blobs classified at once; the Functions host also runs blob-triggered invocations concurrently.</summary>
    private const int BlobTriggerConcurrency = 16;

    /// <summary>The most the queue service hands out per receive.</summary>
    private const int MaxMessagesPerReceive = 32;

    /// <summary>
    /// How long a received summary message stays invisible: while it is handled, and after a
    /// failure until its retry (host.json <c>visibilityTimeout</c> in Azure).
    /// </summary>
    public TimeSpan QueueRetryDelay { get; set; } = WatcherStorage.QueueRetryDelay;

    /// <summary>
    /// One full cycle: fetch, with classify and deliver passes while it runs and once after it,
    /// then send due digests. Returns the failures.
    /// </summary>
    public async Task<IReadOnlyList<string>> RunOnceAsync(CancellationToken cancellationToken)
    {
        await EnsureStorageAsync(cancellationToken);
        var triggerFailures = new List<string>();
        var failedThisCycle = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var waiting = new Dictionary<string, string>(StringComparer.Ordinal);
        async Task<bool> TriggerPassAsync()
        {
            var (classified, classifyFailures) = await ClassifyNewArticlesAsync(failedThisCycle, cancellationToken);
            var drain = await DeliverVisibleSummariesAsync(cancellationToken);
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
        // The fetch mostly waits on per-host politeness, so what it has stored is handled meanwhile.
        using var stopFetch = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fetch = feeds.PollAllAsync(stopFetch.Token);
        try
        {
            while (!fetch.IsCompleted)
            {
                if (!await TriggerPassAsync())
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
        await TriggerPassAsync();
        var digestRun = await digests.SendDueAsync(clock.GetUtcNow(), cancellationToken);
        await poison.SettleAsync(cancellationToken);

        // A message retried within the cycle fails the same way each time: one problem, reported once.
        return
        [
            .. polls.Where(r => r.Error is not null).Select(r => $"feed {r.FeedName}: {r.Error}"),
            .. triggerFailures.Distinct(StringComparer.Ordinal),
            .. digestRun.Failures.Select(f => $"digest {f}"),
            .. waiting.Values.Distinct(StringComparer.Ordinal).Take(1).Select(reason =>
                $"mail: {reason}; {waiting.Count} summaries wait on the queue, without spending their tries, and go out when the server answers (watcher run keeps trying)"),
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
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var now = clock.GetUtcNow();
                if (now >= nextFetch)
                {
                    await feeds.PollAllAsync(cancellationToken);
                    nextFetch = fetchCron.GetNextOccurrence(clock.GetUtcNow(), TimeZoneInfo.Utc) ?? DateTimeOffset.MaxValue;
                }

                await ProcessNewArticlesAsync(cancellationToken);
                await DrainSummariesAsync(cancellationToken);

                if (now >= nextDigests)
                {
                    await digests.SendDueAsync(now, cancellationToken);
                    await poison.SettleAsync(cancellationToken);
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

    /// <summary>
    /// The blob trigger: every article blob whose current ETag has neither a verdict nor a receipt
    /// is classified once. As in the Functions host, a blob that fails five times is reported to
    /// <c>webjobs-blobtrigger-poison</c> and not tried again.
    /// </summary>
    public async Task<IReadOnlyList<string>> ProcessNewArticlesAsync(CancellationToken cancellationToken) =>
        (await ClassifyNewArticlesAsync(new ConcurrentDictionary<string, bool>(StringComparer.Ordinal), cancellationToken)).Failures;

    /// <summary>
    /// One scan of the blob trigger; returns how many blobs it tried to classify. A blob that
    /// failed earlier in the same cycle (<paramref name="failedThisCycle"/>) waits for the next
    /// cycle: several scans per cycle must not use up its five attempts faster than one scan did.
    /// </summary>
    private async Task<(int Tried, IReadOnlyList<string> Failures)> ClassifyNewArticlesAsync(ConcurrentDictionary<string, bool> failedThisCycle, CancellationToken cancellationToken)
    {
        var failures = new ConcurrentQueue<string>();
        var retryPending = !failedThisCycle.IsEmpty;
        var tried = 0;
        var scanStart = clock.GetUtcNow();
        var watermarkBlob = storage.State.GetBlobClient($"receipts/{FunctionNames.ClassifyArticle}.scan.json");
        var (watermark, _) = await JsonBlobs.ReadAsync<ScanWatermark>(watermarkBlob, cancellationToken);
        var changedSince = watermark?.CompleteUpTo - ScanOverlap;
        var changed = await storage.Articles.GetBlobsAsync(BlobTraits.None, BlobStates.None, null, cancellationToken)
            .Where(blob => blob.Properties.LastModified >= changedSince || changedSince is null)
            .Select(blob => (blob.Name, ETag: blob.Properties.ETag?.ToString() ?? ""))
            .Where(blob => !handledBlobs.ContainsKey(HandledKey(blob.Name, blob.ETag)) && !failedThisCycle.ContainsKey(HandledKey(blob.Name, blob.ETag)))
            .ToListAsync(cancellationToken);

        // Two listings instead of a read per blob, skipped when there is nothing to look up (most
        // passes while the fetch runs): a verdict names the article version it judged, so a
        // receipt is written only for a failure (older builds wrote one for every blob).
        var verdicts = changed.Count == 0 ? [] : await ListVerdictsAsync(cancellationToken);
        var receipts = changed.Count == 0 ? [] : await ListReceiptsAsync(cancellationToken);

        // Like the Functions host, several blobs are classified at once; each is independent.
        await Parallel.ForEachAsync(changed, new ParallelOptions { MaxDegreeOfParallelism = BlobTriggerConcurrency, CancellationToken = cancellationToken }, async (blob, ct) =>
        {
            var handledKey = HandledKey(blob.Name, blob.ETag);
            if (verdicts.TryGetValue(ArticleStore.IdFromBlobName(blob.Name), out var judged) && judged == blob.ETag)
            {
                handledBlobs.TryAdd(handledKey, true);
                return;
            }

            var receiptBlob = storage.State.GetBlobClient(ReceiptPrefix + blob.Name);
            var receipt = receipts.TryGetValue(blob.Name, out var metadata)
                ? BlobReceipt.FromMetadata(metadata) ?? (await JsonBlobs.ReadAsync<BlobReceipt>(receiptBlob, ct)).Document
                : null;
            if (receipt is not null && receipt.BlobETag == blob.ETag && (receipt.Done || receipt.Failures >= WatcherStorage.MaxDequeueCount))
            {
                handledBlobs.TryAdd(handledKey, true);
                return;
            }

            Interlocked.Increment(ref tried);
            try
            {
                await classifier.ClassifyBlobAsync(blob.Name, ct);
                handledBlobs.TryAdd(handledKey, true);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var failuresSoFar = (receipt?.BlobETag == blob.ETag ? receipt.Failures : 0) + 1;
                await WriteReceiptAsync(receiptBlob, new BlobReceipt(blob.ETag, Done: false, failuresSoFar), ct);
                logger.LogError("ClassifyArticle {Blob} failed ({Count}/{Max}): {Message}", blob.Name, failuresSoFar, WatcherStorage.MaxDequeueCount, e.Message);
                failures.Enqueue($"classify {blob.Name}: {e.Message}");
                if (failuresSoFar < WatcherStorage.MaxDequeueCount)
                {
                    failedThisCycle.TryAdd(handledKey, true);
                    Volatile.Write(ref retryPending, true);
                }
                else
                {
                    var poison = storage.Queues.GetQueueClient(StorageNames.BlobTriggerPoisonQueue);
                    await poison.CreateIfNotExistsAsync(cancellationToken: ct);
                    await poison.SendMessageAsync(
                        BinaryData.FromObjectAsJson(new { Type = "BlobTrigger", FunctionId = FunctionNames.ClassifyArticle, ContainerName = StorageNames.ArticlesContainer, BlobName = blob.Name, blob.ETag }),
                        cancellationToken: ct);
                }
            }
        });

        // Every blob changed before this scan began has its receipt now, unless one waits for
        // a retry: later scans look only at blobs changed since (with an overlap for clock skew
        // and uploads that finished during the listing).
        if (!retryPending)
        {
            await JsonBlobs.UpsertAsync(watermarkBlob, new ScanWatermark(scanStart), cancellationToken);
        }

        return (tried, [.. failures]);
    }

    private static string HandledKey(string blobName, string etag) => blobName + "|" + etag;

    /// <summary>For every verdict, by article id, the ETag of the article blob it judged, from one listing.</summary>
    private async Task<Dictionary<string, string>> ListVerdictsAsync(CancellationToken cancellationToken)
    {
        var verdicts = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var verdict in storage.Classified.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, null, cancellationToken))
        {
            if (verdict.Metadata.TryGetValue(ArticleClassificationService.ArticleETagMetadata, out var articleETag))
            {
                verdicts[ArticleStore.IdFromBlobName(verdict.Name)] = articleETag;
            }
        }

        return verdicts;
    }

    /// <summary>Every receipt of the blob trigger by article blob name, with its metadata, from one listing.</summary>
    private async Task<Dictionary<string, IDictionary<string, string>>> ListReceiptsAsync(CancellationToken cancellationToken)
    {
        var receipts = new Dictionary<string, IDictionary<string, string>>(StringComparer.Ordinal);
        await foreach (var receipt in storage.State.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, ReceiptPrefix, cancellationToken))
        {
            receipts[receipt.Name[ReceiptPrefix.Length..]] = receipt.Metadata;
        }

        return receipts;
    }

    /// <summary>The body keeps the receipt readable; the metadata lets the next scan read it from the listing.</summary>
    private static async Task WriteReceiptAsync(BlobClient receiptBlob, BlobReceipt receipt, CancellationToken cancellationToken) =>
        await JsonBlobs.UpsertAsync(receiptBlob, receipt, receipt.ToMetadata(), cancellationToken);

    /// <summary>
    /// The queue trigger: handles every visible message. A failure makes the message visible again
    /// after <see cref="QueueRetryDelay"/>; the fifth failure moves it to poison. Messages received
    /// together are delivered together, so an instant subscriber gets one mail for what arrived
    /// at once (the Functions host runs them concurrently, and the subscriber lock has the same
    /// effect there: whoever holds it sends every item pending by then).
    /// </summary>
    public async Task<IReadOnlyList<string>> DrainSummariesAsync(CancellationToken cancellationToken) =>
        (await DeliverVisibleSummariesAsync(cancellationToken)).Failures;

    /// <summary>
    /// One drain of the queue trigger: how many messages it received, what failed, and by message
    /// body why it waits for the mail server (null: it was delivered, no longer waits).
    /// </summary>
    private async Task<(int Received, IReadOnlyList<string> Failures, IReadOnlyDictionary<string, string?> MailWaits)> DeliverVisibleSummariesAsync(CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var waiting = new Dictionary<string, string?>(StringComparer.Ordinal);
        var received = 0;
        while (true)
        {
            // The queue service leases a received message for at least a second; a failure then
            // sets the retry delay itself, which may be zero as in the Functions host.
            var lease = QueueRetryDelay < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : QueueRetryDelay;
            QueueMessage[] batch = (await storage.Summaries.ReceiveMessagesAsync(MaxMessagesPerReceive, lease, cancellationToken)).Value;
            if (batch.Length == 0)
            {
                return (received, failures, waiting);
            }

            received += batch.Length;
            var outcomes = await delivery.DeliverAsync(batch.Select(m => m.Body.ToString()).ToList(), cancellationToken);
            foreach (var (message, outcome) in batch.Zip(outcomes))
            {
                if (outcome.Error is not { } error)
                {
                    waiting[message.Body.ToString()] = outcome.MailServerDown;

                    await storage.Summaries.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                    continue;
                }

                logger.LogError("DeliverSummaries message {MessageId} failed (dequeue {Count}/{Max}): {Message}", message.MessageId, message.DequeueCount, WatcherStorage.MaxDequeueCount, error.Message);
                failures.Add($"deliver {message.MessageId}: {error.Message}");
                if (message.DequeueCount >= WatcherStorage.MaxDequeueCount)
                {
                    await storage.SummariesPoison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
                    await storage.Summaries.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                    logger.LogError("Message {MessageId} moved to {Queue}", message.MessageId, StorageNames.SummariesPoisonQueue);
                }
                else
                {
                    await storage.Summaries.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: QueueRetryDelay, cancellationToken: cancellationToken);
                }
            }
        }
    }

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

    private sealed record BlobReceipt(string BlobETag, bool Done, int Failures)
    {
        // Metadata names must be C# identifiers; lower case, since storage compares them without case.
        public Dictionary<string, string> ToMetadata() => new(StringComparer.Ordinal)
        {
            ["blobetag"] = BlobETag,
            ["done"] = Done ? "true" : "false",
            ["failures"] = Failures.ToString(CultureInfo.InvariantCulture),
        };

        /// <summary>Null for a receipt written before receipts carried metadata: its body has the fields.</summary>
        public static BlobReceipt? FromMetadata(IDictionary<string, string> metadata) =>
            metadata.TryGetValue("blobetag", out var etag)
            && metadata.TryGetValue("done", out var done) && bool.TryParse(done, out var isDone)
            && metadata.TryGetValue("failures", out var failures) && int.TryParse(failures, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                ? new BlobReceipt(etag, isDone, count)
                : null;
    }

    private sealed record ScanWatermark(DateTimeOffset CompleteUpTo);
}
