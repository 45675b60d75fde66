using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Configuration;
using Watcher.Storage;

namespace Watcher.Articles;

/// <summary>
/// Finds the first article of the same story among recent ones. Each band of a new article's
/// <see cref="StorySignature"/> is claimed create-only as <c>state/similar/{band}/{hash}.json</c>,
/// pointing to the article; a band that is already taken names a candidate, confirmed by comparing
/// the full signatures. The lookup costs one write per band whatever the number of stored
/// articles, and entries older than <see cref="FetchOptions.SimilarStoryWindow"/> are taken over.
/// </summary>
public sealed class SimilarStoryIndex(WatcherStorage storage, IOptions<WatcherOptions> options, ILogger<SimilarStoryIndex> logger)
{
    /// <summary>The id of the first article of the same story, or null when this one is the first.</summary>
    public async Task<string?> FindOrRegisterAsync(string articleId, uint[] signature, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var window = options.Value.Fetch.SimilarStoryWindow;
        var entry = new StoryBandEntry { ArticleId = articleId, StoryId = articleId, Signature = signature, Registered = now };
        var keys = StorySignature.BandKeys(signature).ToList();
        var claimed = new bool[keys.Count];
        var candidates = await Task.WhenAll(keys.Select(async (key, i) =>
        {
            var blob = storage.State.GetBlobClient($"similar/{key}.json");
            if (await JsonBlobs.TryCreateAsync(blob, entry, cancellationToken))
            {
                claimed[i] = true;
                return null;
            }

            var (existing, etag) = await JsonBlobs.ReadAsync<StoryBandEntry>(blob, cancellationToken);
            if (existing is null || existing.ArticleId == articleId)
            {
                return null;
            }

            if (now - existing.Registered > window)
            {
                claimed[i] = await JsonBlobs.TryReplaceAsync(blob, entry, etag, cancellationToken);
                return null;
            }

            return existing;
        }));

        var best = candidates
            .OfType<StoryBandEntry>()
            .DistinctBy(c => c.ArticleId)
            .Select(c => (Entry: c, Similarity: StorySignature.Similarity(signature, c.Signature)))
            .Where(c => c.Similarity >= StorySignature.SameStoryThreshold)
            .OrderByDescending(c => c.Similarity)
            .FirstOrDefault();
        if (best.Entry is null)
        {
            return null;
        }

        // Bands this article took now lead to the story's first article, not to this copy.
        var storyId = best.Entry.StoryId;
        for (var i = 0; i < keys.Count; i++)
        {
            if (claimed[i])
            {
                await JsonBlobs.UpsertAsync(storage.State.GetBlobClient($"similar/{keys[i]}.json"), entry with { StoryId = storyId }, cancellationToken);
            }
        }

        logger.LogInformation("Article {ArticleId} tells the same story as {StoryId} (similarity {Similarity:0.00})", articleId, storyId, best.Similarity);
        return storyId;
    }
}

/// <summary>One band of a stored article's signature.</summary>
public sealed record StoryBandEntry
{
    public int Schema { get; init; } = 1;

    public required string ArticleId { get; init; }

    /// <summary>The first article of the story this article belongs to (itself when it was the first).</summary>
    public required string StoryId { get; init; }

    public required uint[] Signature { get; init; }

    public DateTimeOffset Registered { get; init; }
}
