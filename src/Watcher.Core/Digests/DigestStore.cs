using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Watcher.Storage;

namespace Watcher.Digests;

/// <summary>
/// Pending items, delivered markers and sent markers in the <c>digests</c> container. Together
/// they make delivery idempotent: an item is pending until a digest holding it was accepted by
/// the mail server, then it is marked delivered and never queued for that subscriber again.
/// </summary>
public sealed class DigestStore(WatcherStorage storage)
{
    private static readonly TimeSpan LockDuration = TimeSpan.FromSeconds(60);

    /// <summary>Queues an item for a subscriber; false when it is already pending or was delivered.</summary>
    public async Task<bool> AddPendingAsync(string subscriberKey, DigestItem item, CancellationToken cancellationToken)
    {
        if (await JsonBlobs.ExistsAsync(storage.Digests.GetBlobClient(DeliveredName(subscriberKey, item.ArticleId)), cancellationToken))
        {
            return false;
        }

        return await JsonBlobs.TryCreateAsync(storage.Digests.GetBlobClient(PendingName(subscriberKey, item.ArticleId)), item, cancellationToken);
    }

    public async Task<IReadOnlyList<DigestItem>> ListPendingAsync(string subscriberKey, CancellationToken cancellationToken)
    {
        var names = await ListNamesAsync($"pending/{subscriberKey}/", cancellationToken).ToListAsync(cancellationToken);
        var items = new DigestItem?[names.Count];
        await Parallel.ForAsync(0, names.Count, Parallelism(cancellationToken), async (i, ct) =>
            (items[i], _) = await JsonBlobs.ReadAsync<DigestItem>(storage.Digests.GetBlobClient(names[i]), ct));
        return items.OfType<DigestItem>().ToList();
    }

    /// <summary>Subscriber keys that have at least one pending item.</summary>
    public async Task<IReadOnlySet<string>> SubscribersWithPendingAsync(CancellationToken cancellationToken)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in storage.Digests.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", "pending/", cancellationToken))
        {
            if (item.IsPrefix)
            {
                keys.Add(item.Prefix["pending/".Length..].TrimEnd('/'));
            }
        }

        return keys;
    }

    public async Task<bool> IsDeliveredAsync(string subscriberKey, string articleId, CancellationToken cancellationToken) =>
        await JsonBlobs.ExistsAsync(storage.Digests.GetBlobClient(DeliveredName(subscriberKey, articleId)), cancellationToken);

    /// <summary>The subset of these articles that were delivered to the subscriber.</summary>
    public async Task<IReadOnlySet<string>> DeliveredAmongAsync(string subscriberKey, IReadOnlyList<string> articleIds, CancellationToken cancellationToken)
    {
        var delivered = new bool[articleIds.Count];
        await Parallel.ForAsync(0, articleIds.Count, Parallelism(cancellationToken), async (i, ct) =>
            delivered[i] = await IsDeliveredAsync(subscriberKey, articleIds[i], ct));
        return articleIds.Where((_, i) => delivered[i]).ToHashSet(StringComparer.Ordinal);
    }

    public async Task<SentDigest?> ReadSentAsync(string subscriberKey, string digestId, CancellationToken cancellationToken) =>
        (await JsonBlobs.ReadAsync<SentDigest>(storage.Digests.GetBlobClient(SentName(subscriberKey, digestId)), cancellationToken)).Document;

    public async Task MarkSentAsync(string subscriberKey, SentDigest sent, CancellationToken cancellationToken) =>
        await JsonBlobs.TryCreateAsync(storage.Digests.GetBlobClient(SentName(subscriberKey, sent.DigestId)), sent, cancellationToken);

    /// <summary>After a digest was accepted: every item in it is delivered, then no longer pending.</summary>
    public async Task CompleteAsync(string subscriberKey, SentDigest sent, CancellationToken cancellationToken)
    {
        // Every delivered marker is written before any pending entry goes, whatever the order
        // within each step.
        await Parallel.ForEachAsync(sent.ArticleIds, Parallelism(cancellationToken), async (articleId, ct) =>
            await JsonBlobs.TryCreateAsync(
                storage.Digests.GetBlobClient(DeliveredName(subscriberKey, articleId)),
                new { schema = 1, digestId = sent.DigestId, deliveredAt = sent.SentAt },
                ct));
        await Parallel.ForEachAsync(sent.ArticleIds, Parallelism(cancellationToken), async (articleId, ct) =>
            await storage.Digests.GetBlobClient(PendingName(subscriberKey, articleId)).DeleteIfExistsAsync(cancellationToken: ct));
    }

    /// <summary>Drops a pending item whose delivery was already recorded (a crash during <see cref="CompleteAsync"/>).</summary>
    public async Task RemovePendingAsync(string subscriberKey, string articleId, CancellationToken cancellationToken) =>
        await storage.Digests.GetBlobClient(PendingName(subscriberKey, articleId)).DeleteIfExistsAsync(cancellationToken: cancellationToken);

    /// <summary>
    /// Holds a blob lease for one subscriber, so two deliveries running at once (queue trigger
    /// instances in Azure) cannot both send the same pending items.
    /// </summary>
    public async Task<IAsyncDisposable?> TryLockAsync(string subscriberKey, CancellationToken cancellationToken)
    {
        var blob = storage.Digests.GetBlobClient($"locks/{subscriberKey}");
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new Azure.Storage.Blobs.Models.BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // The lock blob exists already; only its lease matters.
        }

        var lease = blob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(LockDuration, cancellationToken: cancellationToken);
            return new Lease(lease);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return null;
        }
    }

    /// <summary>A digest of a few hundred items is that many small requests; they need not wait for each other.</summary>
    private static ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken };

    private async IAsyncEnumerable<string> ListNamesAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var blob in storage.Digests.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken))
        {
            yield return blob.Name;
        }
    }

    private static string PendingName(string subscriberKey, string articleId) => $"pending/{subscriberKey}/{articleId}.json";

    private static string DeliveredName(string subscriberKey, string articleId) => $"delivered/{subscriberKey}/{articleId}.json";

    private static string SentName(string subscriberKey, string digestId) => $"sent/{subscriberKey}/{digestId}.json";

    private sealed class Lease(BlobLeaseClient lease) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await lease.ReleaseAsync();
            }
            catch (RequestFailedException)
            {
                // An expired lease is released already; nothing to undo.
            }
        }
    }
}

