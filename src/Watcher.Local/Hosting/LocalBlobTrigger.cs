using System.Collections.Concurrent;
using System.Globalization;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Hosting;
using Watcher.Storage;

namespace Watcher.Local.Hosting;

/// <summary>
/// The <c>ClassifyArticle</c> blob trigger (<c>src/Watcher.Functions/Functions/ClassifyArticleFunction.cs</c>):
/// every article blob whose current ETag has neither a verdict nor a receipt is classified once.
/// As in the Functions host, a blob that fails five times is reported to
/// <c>webjobs-blobtrigger-poison</c> and not tried again. The articles this process writes are
/// classified without a listing (<see cref="PassWrittenAsync"/>), as Event Grid hands the
/// Functions host each new blob; a listing pass (<see cref="PassAsync"/>) finds everything else.
/// </summary>
internal sealed class LocalBlobTrigger : IDisposable
{
    /// <summary>Where the blob trigger keeps one receipt per failed article blob, named after it.</summary>
    private const string ReceiptPrefix = $"receipts/{FunctionNames.ClassifyArticle}/";

    /// <summary>Blobs classified at once; the Functions host also runs blob-triggered invocations concurrently.</summary>
    private const int Concurrency = 16;

    private readonly WatcherStorage storage;

    private readonly ArticleStore articles;

    private readonly ArticleClassificationService classifier;

    private readonly ILogger<LocalBlobTrigger> logger;

    private readonly ArticleDayScan scan;

    private readonly ConcurrentQueue<(string Name, string ETag)> written = new();

    // Blobs this process saw handled, so a long-running host need not list the verdicts and
    // receipts when nothing new arrived. Only names in the days a pass still lists are kept.
    private readonly ConcurrentDictionary<string, bool> handledBlobs = new(StringComparer.Ordinal);

    private string? forgottenBefore;

    public LocalBlobTrigger(WatcherStorage storage, ArticleStore articles, ArticleClassificationService classifier, TimeProvider clock, ILogger<LocalBlobTrigger> logger)
    {
        this.storage = storage;
        this.articles = articles;
        this.classifier = classifier;
        this.logger = logger;
        scan = new ArticleDayScan(storage.State.GetBlobClient($"receipts/{FunctionNames.ClassifyArticle}.scan.json"), clock);
        articles.ArticleWritten += OnArticleWritten;
    }

    public void Dispose() => articles.ArticleWritten -= OnArticleWritten;

    /// <summary>One pass over what arrived since the last complete one; returns the failures.</summary>
    public async Task<IReadOnlyList<string>> ProcessNewArticlesAsync(CancellationToken cancellationToken) =>
        (await PassAsync(new ConcurrentDictionary<string, bool>(StringComparer.Ordinal), cancellationToken)).Failures;

    /// <summary>
    /// One pass; returns how many blobs it tried to classify. A blob that failed earlier in the
    /// same cycle (<paramref name="failedThisCycle"/>) waits for the next cycle: several passes per
    /// cycle must not use up its five attempts faster than one pass did.
    /// </summary>
    public async Task<(int Tried, IReadOnlyList<string> Failures)> PassAsync(ConcurrentDictionary<string, bool> failedThisCycle, CancellationToken cancellationToken)
    {
        var failures = new ConcurrentQueue<string>();
        var retryPending = !failedThisCycle.IsEmpty;
        var tried = 0;

        // What was written before the listing begins is in the listing.
        written.Clear();
        var pass = await scan.BeginAsync(cancellationToken);
        ForgetDaysBefore(pass.FirstDay);
        var changed = await pass.ListAsync(storage.Articles, "", BlobTraits.None, cancellationToken)
            .Select(blob => (blob.Name, ETag: blob.Properties.ETag?.ToString() ?? ""))
            .Where(blob => !handledBlobs.ContainsKey(HandledKey(blob.Name, blob.ETag)) && !failedThisCycle.ContainsKey(HandledKey(blob.Name, blob.ETag)))
            .ToListAsync(cancellationToken);

        // Two listings of the same days instead of a read per blob, skipped when there is nothing
        // to look up (most passes while the fetch runs): a verdict names the article version it
        // judged, so a receipt is written only for a failure.
        var verdicts = changed.Count == 0 ? [] : await ListVerdictsAsync(pass, cancellationToken);
        var receipts = changed.Count == 0 ? [] : await ListReceiptsAsync(pass, cancellationToken);

        await Parallel.ForEachAsync(changed, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (blob, ct) =>
        {
            var handledKey = HandledKey(blob.Name, blob.ETag);
            if (verdicts.TryGetValue(blob.Name, out var judged) && judged == blob.ETag)
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
            if (await TryClassifyAsync(blob, receipt, failedThisCycle, failures, ct) is false)
            {
                Volatile.Write(ref retryPending, true);
            }
        });

        // Every blob stored before this pass began is handled now, unless one waits for a retry:
        // later passes list only the days since.
        if (!retryPending)
        {
            await scan.CompleteAsync(pass, cancellationToken);
        }

        return (tried, [.. failures]);
    }

    /// <summary>
    /// Classifies the articles this process wrote since the last pass, without listing anything:
    /// a version just written has no verdict yet. The watermark stays where it is; the next
    /// listing pass moves it.
    /// </summary>
    public async Task<(int Tried, IReadOnlyList<string> Failures)> PassWrittenAsync(ConcurrentDictionary<string, bool> failedThisCycle, CancellationToken cancellationToken)
    {
        var batch = new List<(string Name, string ETag)>();
        while (written.TryDequeue(out var blob))
        {
            if (!handledBlobs.ContainsKey(HandledKey(blob.Name, blob.ETag)) && !failedThisCycle.ContainsKey(HandledKey(blob.Name, blob.ETag)))
            {
                batch.Add(blob);
            }
        }

        var failures = new ConcurrentQueue<string>();
        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken }, async (blob, ct) =>
            await TryClassifyAsync(blob, receipt: null, failedThisCycle, failures, ct));
        return (batch.Count, [.. failures]);
    }

    private void OnArticleWritten(object? sender, ArticleWrittenEventArgs e) =>

        // Unquoted, as a listing shows ETags (an upload's response header quotes them).
        written.Enqueue((e.BlobName, e.ETag.ToString().Trim('"')));

    /// <summary>
    /// Classifies one article version; on failure counts it in its receipt and, after the last
    /// try, reports it to poison. Null when it was classified or poisoned, false when it waits for
    /// a retry in a later cycle.
    /// </summary>
    private async Task<bool?> TryClassifyAsync((string Name, string ETag) blob, BlobReceipt? receipt, ConcurrentDictionary<string, bool> failedThisCycle, ConcurrentQueue<string> failures, CancellationToken cancellationToken)
    {
        var handledKey = HandledKey(blob.Name, blob.ETag);
        try
        {
            await classifier.ClassifyBlobAsync(blob.Name, cancellationToken);
            handledBlobs.TryAdd(handledKey, true);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var failuresSoFar = (receipt?.BlobETag == blob.ETag ? receipt.Failures : 0) + 1;
            await WriteReceiptAsync(storage.State.GetBlobClient(ReceiptPrefix + blob.Name), new BlobReceipt(blob.ETag, Done: false, failuresSoFar), cancellationToken);
            logger.LogError("ClassifyArticle {Blob} failed ({Count}/{Max}): {Message}", blob.Name, failuresSoFar, WatcherStorage.MaxDequeueCount, e.Message);
            failures.Enqueue($"classify {blob.Name}: {e.Message}");
            if (failuresSoFar < WatcherStorage.MaxDequeueCount)
            {
                failedThisCycle.TryAdd(handledKey, true);
                return false;
            }

            var poison = storage.Queues.GetQueueClient(StorageNames.BlobTriggerPoisonQueue);
            await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await poison.SendMessageAsync(
                BinaryData.FromObjectAsJson(new { Type = "BlobTrigger", FunctionId = FunctionNames.ClassifyArticle, ContainerName = StorageNames.ArticlesContainer, BlobName = blob.Name, blob.ETag }),
                cancellationToken: cancellationToken);
            return null;
        }
    }

    /// <summary>Names sort by day, so what sorts before the first day listed is never listed again.</summary>
    private void ForgetDaysBefore(string? firstDay)
    {
        // Passes run every few hundred milliseconds during a fetch; the first day changes daily.
        if (firstDay is null || firstDay == forgottenBefore)
        {
            return;
        }

        forgottenBefore = firstDay;

        foreach (var key in handledBlobs.Keys)
        {
            if (string.CompareOrdinal(key, firstDay) < 0)
            {
                handledBlobs.TryRemove(key, out _);
            }
        }
    }

    private static string HandledKey(string blobName, string etag) => blobName + "|" + etag;

    /// <summary>For every verdict of the pass's days, by article blob name, the ETag of the article version it judged.</summary>
    private async Task<Dictionary<string, string>> ListVerdictsAsync(ArticleScanPass pass, CancellationToken cancellationToken)
    {
        var verdicts = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var verdict in pass.ListAsync(storage.Classified, "", BlobTraits.Metadata, cancellationToken))
        {
            if (verdict.Metadata.TryGetValue(ArticleClassificationService.ArticleETagMetadata, out var articleETag))
            {
                verdicts[verdict.Name] = articleETag;
            }
        }

        return verdicts;
    }

    /// <summary>Every receipt of the pass's days by article blob name, with its metadata.</summary>
    private async Task<Dictionary<string, IDictionary<string, string>>> ListReceiptsAsync(ArticleScanPass pass, CancellationToken cancellationToken)
    {
        var receipts = new Dictionary<string, IDictionary<string, string>>(StringComparer.Ordinal);
        await foreach (var receipt in pass.ListAsync(storage.State, ReceiptPrefix, BlobTraits.Metadata, cancellationToken))
        {
            receipts[receipt.Name[ReceiptPrefix.Length..]] = receipt.Metadata;
        }

        return receipts;
    }

    /// <summary>The body keeps the receipt readable; the metadata lets the next pass read it from the listing.</summary>
    private static async Task WriteReceiptAsync(BlobClient receiptBlob, BlobReceipt receipt, CancellationToken cancellationToken) =>
        await JsonBlobs.UpsertAsync(receiptBlob, receipt, receipt.ToMetadata(), cancellationToken);

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
}
