using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Watcher.Storage;

namespace Watcher.Digests;

/// <summary>
/// Pending bundles, delivered markers and sent markers in the <c>digests</c> container. Together
/// they make delivery idempotent: an item is pending until a digest holding it was accepted by
/// the mail server, then it is marked delivered and never queued for that subscriber again.
/// Items arriving together are pending as one bundle
/// (<c>pending/{subscriber}/{bundle}.json</c>), removed once every item in it was delivered.
/// </summary>
public sealed class DigestStore(WatcherStorage storage)
{
    private static readonly TimeSpan LockDuration = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Queues items for a subscriber as one pending bundle (one write however many items arrived
    /// together); returns the items queued. Adding the same items again while they are pending
    /// writes nothing.
    /// </summary>
    /// <remarks>
    /// Whether an item was delivered before is not asked here but once, when the pending items are
    /// read to be sent (<see cref="ReadPendingAsync"/> has to ask anyway, for what a crash during
    /// <see cref="CompleteAsync"/> left): asking twice cost a request per item and subscriber. An
    /// item delivered before (a message handled twice) is then pending again only until the next
    /// read, which leaves it out and removes its bundle once nothing in it is undelivered.
    /// </remarks>
    public async Task<IReadOnlyList<DigestItem>> AddPendingAsync(string subscriberKey, IReadOnlyList<DigestItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var added = items.DistinctBy(i => i.ArticleId, StringComparer.Ordinal).ToList();
        if (added.Count == 0)
        {
            return [];
        }

        var bundleId = IdsHash(added.Select(i => i.ArticleId));
        var created = await JsonBlobs.TryCreateAsync(storage.Digests.GetBlobClient($"{PendingPrefix(subscriberKey)}{bundleId}.json"), new PendingBundle { Items = added }, cancellationToken);
        return created ? added : [];
    }

    /// <summary>
    /// The subscriber's items that are pending and not yet delivered, oldest first, each once
    /// (a retried delivery may have queued an item in two bundles).
    /// </summary>
    public async Task<PendingItems> ReadPendingAsync(string subscriberKey, CancellationToken cancellationToken)
    {
        var names = await ListNamesAsync(PendingPrefix(subscriberKey), cancellationToken).ToListAsync(cancellationToken);
        var bundles = new PendingBundle?[names.Count];
        await Parallel.ForAsync(0, names.Count, Parallelism(cancellationToken), async (i, ct) =>
            bundles[i] = await ReadBundleAsync(names[i], ct));

        var read = names.Zip(bundles).Where(b => b.Second is not null).Select(b => (Name: b.First, b.Second!.Items)).ToList();
        var items = read.SelectMany(b => b.Items)
            .DistinctBy(i => i.ArticleId, StringComparer.Ordinal)
            .OrderBy(i => i.AddedAt)
            .ThenBy(i => i.ArticleId, StringComparer.Ordinal)
            .ToList();

        // Delivered yet still pending: left by a crash during CompleteAsync, or a bundle only
        // part of which went out in an earlier mail.
        var delivered = await DeliveredAmongAsync(subscriberKey, items.Select(i => i.ArticleId).ToList(), cancellationToken);
        return new PendingItems(
            items.Where(i => !delivered.Contains(i.ArticleId)).ToList(),
            read.Select(b => new PendingItems.Bundle(b.Name, b.Items.Select(i => i.ArticleId).ToList())).ToList(),
            delivered);
    }

    /// <summary>A pending bundle; an entry written before bundles existed (one item per blob) reads as a bundle of one.</summary>
    private async Task<PendingBundle?> ReadBundleAsync(string name, CancellationToken cancellationToken)
    {
        var (document, _) = await JsonBlobs.ReadAsync<JsonObject>(storage.Digests.GetBlobClient(name), cancellationToken);
        return document is null ? null
            : document.ContainsKey("items") ? document.Deserialize<PendingBundle>(JsonBlobs.SerializerOptions)
            : new PendingBundle { Items = [document.Deserialize<DigestItem>(JsonBlobs.SerializerOptions)!] };
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

    /// <summary>Whether a digest holding the article was accepted by the mail server for this subscriber.</summary>
    public async Task<bool> IsDeliveredAsync(string subscriberKey, string articleId, CancellationToken cancellationToken) =>
        await JsonBlobs.ExistsAsync(storage.Digests.GetBlobClient(DeliveredName(subscriberKey, articleId)), cancellationToken);

    private async Task<HashSet<string>> DeliveredAmongAsync(string subscriberKey, List<string> articleIds, CancellationToken cancellationToken)
    {
        var delivered = new bool[articleIds.Count];
        await Parallel.ForAsync(0, articleIds.Count, Parallelism(cancellationToken), async (i, ct) =>
            delivered[i] = await JsonBlobs.ExistsAsync(storage.Digests.GetBlobClient(DeliveredName(subscriberKey, articleIds[i])), ct));
        return articleIds.Where((_, i) => delivered[i]).ToHashSet(StringComparer.Ordinal);
    }

    public async Task<SentDigest?> ReadSentAsync(string subscriberKey, string digestId, CancellationToken cancellationToken) =>
        (await JsonBlobs.ReadAsync<SentDigest>(storage.Digests.GetBlobClient(SentName(subscriberKey, digestId)), cancellationToken)).Document;

    public async Task MarkSentAsync(string subscriberKey, SentDigest sent, CancellationToken cancellationToken) =>
        await JsonBlobs.TryCreateAsync(storage.Digests.GetBlobClient(SentName(subscriberKey, sent.DigestId)), sent, cancellationToken);

    /// <summary>
    /// After a digest was accepted: every item in it is marked delivered (unless it was already),
    /// then the pending bundles that hold nothing undelivered any more are removed.
    /// </summary>
    public async Task CompleteAsync(string subscriberKey, SentDigest sent, PendingItems pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sent);
        ArgumentNullException.ThrowIfNull(pending);
        var newlyDelivered = sent.ArticleIds.Where(pending.Delivered.Add).ToList();
        await Parallel.ForEachAsync(newlyDelivered, Parallelism(cancellationToken), async (articleId, ct) =>
            await JsonBlobs.TryCreateAsync(
                storage.Digests.GetBlobClient(DeliveredName(subscriberKey, articleId)),
                new { schema = 1, digestId = sent.DigestId, deliveredAt = sent.SentAt },
                ct));
        await RemoveSettledAsync(pending, cancellationToken);
    }

    /// <summary>
    /// Removes the pending bundles whose items were all delivered (including those a crash during
    /// <see cref="CompleteAsync"/> left behind).
    /// </summary>
    public async Task RemoveSettledAsync(PendingItems pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);

        // A bundle goes only when every item in it is delivered; deleting is what Azurite does
        // slowest (it scans every blob in the account), so it is done once per bundle, not per item.
        var settled = pending.Bundles.Where(b => b.ArticleIds.All(pending.Delivered.Contains)).ToList();
        await Parallel.ForEachAsync(settled, Parallelism(cancellationToken), async (bundle, ct) =>
            await storage.Digests.GetBlobClient(bundle.Name).DeleteIfExistsAsync(cancellationToken: ct));
        pending.Bundles.RemoveAll(settled.Contains);
    }

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

        // An acquire cancelled after the service granted the lease would leave the subscriber
        // locked for a minute with nothing to release it (a run stopped with Ctrl+C, then started
        // again, found "another delivery in progress"): it is let finish and released when a stop
        // was asked meanwhile.
        var lease = blob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(LockDuration, cancellationToken: CancellationToken.None);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return null;
        }

        var held = new Lease(lease);
        if (cancellationToken.IsCancellationRequested)
        {
            await held.DisposeAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }

        return held;
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

    private static string PendingPrefix(string subscriberKey) => $"pending/{subscriberKey}/";

    /// <summary>A short name for a set of articles, the same whatever their order.</summary>
    internal static string IdsHash(IEnumerable<string> articleIds) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', articleIds.Order(StringComparer.Ordinal)))).AsSpan(0, 8));

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
