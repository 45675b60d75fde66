using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Configuration;

namespace Watcher.Storage;

/// <summary>One kind of stored data: the blob name prefixes (<c>container/path</c>) it lives under and how many days it is kept.</summary>
public sealed record RetentionRule(string Name, IReadOnlyList<string> Prefixes, int Days);

/// <summary>
/// Deletes what is older than <see cref="RetentionOptions"/> allows, as the lifecycle policy in
/// <c>infra/modules/storage.bicep</c> does in Azure (the template test checks both name the same
/// prefixes). Pending digest entries, locks, subscriber preferences and feed state are under no
/// rule: delivery removes the first, the others live as long as the subscriber or feed.
/// </summary>
public sealed class Retention(WatcherStorage storage, IOptions<WatcherOptions> options, TimeProvider clock, ILogger<Retention> logger)
{
    /// <summary>How often <see cref="SweepIfDueAsync"/> sweeps: the lifecycle policy also runs about once a day.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromDays(1);

    private const int DeleteConcurrency = 16;

    private const string LastSweepBlob = "retention.json";

    public static IReadOnlyList<RetentionRule> Rules(RetentionOptions retention) =>
    [
        new("articles", [$"{StorageNames.ArticlesContainer}/", $"{StorageNames.ClassifiedContainer}/"], retention.ArticleDays),
        new("dedup-index", [$"{StorageNames.StateContainer}/articles/", $"{StorageNames.DigestsContainer}/delivered/"], retention.IndexDays),
        new("markers", [$"{StorageNames.DigestsContainer}/sent/", $"{StorageNames.StateContainer}/similar/", $"{StorageNames.StateContainer}/receipts/"], retention.MarkerDays),
    ];

    /// <summary>Sweeps when the last sweep is a day old or there was none; null when it was not due.</summary>
    public async Task<IReadOnlyDictionary<string, int>?> SweepIfDueAsync(CancellationToken cancellationToken)
    {
        var marker = storage.State.GetBlobClient(LastSweepBlob);
        var (last, _) = await JsonBlobs.ReadAsync<SweepRecord>(marker, cancellationToken);
        var now = clock.GetUtcNow();
        if (last is not null && now - last.At < SweepInterval)
        {
            return null;
        }

        var deleted = await SweepAsync(cancellationToken);
        await JsonBlobs.UpsertAsync(marker, new SweepRecord(now, deleted), cancellationToken);
        return deleted;
    }

    /// <summary>Deletes every blob under a rule's prefixes last written more than its days ago; returns how many per rule.</summary>
    /// <remarks>
    /// A listing streams (5,000 names a page), so a sweep holds one page in memory however large
    /// the store; it runs once a day, apart from the cycles, whose cost depends only on what is new.
    /// </remarks>
    public async Task<IReadOnlyDictionary<string, int>> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var deleted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var rule in Rules(options.Value.Retention))
        {
            var cutoff = now - TimeSpan.FromDays(rule.Days);
            var count = 0;
            foreach (var prefix in rule.Prefixes)
            {
                var slash = prefix.IndexOf('/', StringComparison.Ordinal);
                var container = storage.Blobs.GetBlobContainerClient(prefix[..slash]);
                var aged = container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix[(slash + 1)..], cancellationToken)
                    .Where(blob => blob.Properties.LastModified < cutoff);
                await Parallel.ForEachAsync(aged, new ParallelOptions { MaxDegreeOfParallelism = DeleteConcurrency, CancellationToken = cancellationToken }, async (blob, ct) =>
                {
                    if ((await container.GetBlobClient(blob.Name).DeleteIfExistsAsync(cancellationToken: ct)).Value)
                    {
                        Interlocked.Increment(ref count);
                    }
                });
            }

            deleted[rule.Name] = count;
            if (count > 0)
            {
                logger.LogInformation("Retention: deleted {Count} blobs of {Rule} written before {Cutoff:u} ({Days} days)", count, rule.Name, cutoff, rule.Days);
            }
        }

        return deleted;
    }

    private sealed record SweepRecord(DateTimeOffset At, IReadOnlyDictionary<string, int> Deleted);
}
