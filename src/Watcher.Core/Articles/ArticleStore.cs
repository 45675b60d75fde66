using Azure;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Watcher.Storage;

namespace Watcher.Articles;

/// <summary>
/// Stores articles exactly once. An index entry <c>state/articles/{id}.json</c> is claimed first
/// (create-only) and names the article's blob, so a crash between the claim and the article write
/// is finished by the next run at the same blob name, and a second source is remembered there
/// without touching the article blob (which would fire the blob trigger again).
/// </summary>
/// <remarks>
/// A new article costs two writes and nothing more, because storing is the hot path of a fetch
/// cycle; comparing its content with other stories waits for classification, and only for the
/// articles that matched a topic (<see cref="SimilarStoryIndex"/>).
/// </remarks>
public sealed class ArticleStore(WatcherStorage storage, ILogger<ArticleStore> logger) : IDisposable
{
    /// <summary>
    /// How much article text (in characters) stays in memory after it is written, for the
    /// classification that follows in the same process: the blob trigger of a local host (and of
    /// a Functions instance that fetched the article) then reads nothing, which saves one request
    /// per new article. A cached article is the very version written (its ETag is the upload's),
    /// and is handed out once.
    /// </summary>
    private const long JustWrittenTextLimit = 16 * 1024 * 1024;

    private static readonly TimeSpan JustWrittenLifetime = TimeSpan.FromMinutes(10);

    private readonly MemoryCache justWritten = new(new MemoryCacheOptions { SizeLimit = JustWrittenTextLimit });

    /// <summary>
    /// Raised after a new article blob was written (its name and ETag). The local host classifies
    /// it at once, as Event Grid tells the Functions host, instead of listing the day's articles
    /// again and again while a fetch runs; its listing stays the safety net.
    /// </summary>
    public event EventHandler<ArticleWrittenEventArgs>? ArticleWritten;

    /// <summary>
    /// How long after its claim an article that was never written is written by the next fetch
    /// that sees it. A crash between the two writes is finished by the next cycle; a claim older
    /// than this is an article that retention deleted (<see cref="RetentionOptions.Articles"/> is
    /// at least a week), and writing it again would classify and mail it again.
    /// </summary>
    public static readonly TimeSpan FinishWindow = TimeSpan.FromDays(2);

    /// <summary>
    /// Named by the day it was stored, not the day it was published: a day prefix then holds what
    /// arrived that day, so the local blob trigger lists only recent days however old an item is.
    /// </summary>
    public static string BlobNameFor(Article article)
    {
        var day = article.FetchedAt.UtcDateTime;
        return $"{day:yyyy}/{day:MM}/{day:dd}/{article.Id}.json";
    }

    public static string IdFromBlobName(string blobName) => Path.GetFileNameWithoutExtension(blobName);

    /// <summary>Stores a new article, or records another source of a known one.</summary>
    public async Task<ArticleStoreResult> StoreAsync(Article article, CancellationToken cancellationToken)
    {
        var indexBlob = storage.State.GetBlobClient(IndexBlobName(article.Id));
        var claim = new ArticleIndexEntry { Id = article.Id, BlobName = BlobNameFor(article), Sources = [article.Source], ClaimedAt = article.FetchedAt };

        if (!await JsonBlobs.TryCreateAsync(indexBlob, claim, cancellationToken))
        {
            var (existing, etag) = await JsonBlobs.ReadAsync<ArticleIndexEntry>(indexBlob, cancellationToken);
            if (existing is null)
            {
                throw new InvalidOperationException($"Article index entry {indexBlob.Name} vanished while it was being read.");
            }

            var written = false;
            if (existing.ClaimedAt is { } claimedAt && article.FetchedAt - claimedAt < FinishWindow)
            {
                (existing, etag, written) = await FinishAsync(indexBlob, existing, etag, article, cancellationToken);
            }

            var sourceAdded = await AddSourceAsync(indexBlob, existing, etag, article.Source, cancellationToken);
            return written ? ArticleStoreResult.Stored : sourceAdded ? ArticleStoreResult.SourceAdded : ArticleStoreResult.Known;
        }

        await CreateAsync(claim.BlobName, article, cancellationToken);
        return ArticleStoreResult.Stored;
    }

    /// <summary>
    /// Writes the article of a claim whose writer crashed before writing it. Under today's name
    /// when the claim was made on another day (the index entry is moved first), so the blob lands
    /// where a scan of recent days finds it.
    /// </summary>
    private async Task<(ArticleIndexEntry Entry, Azure.ETag ETag, bool Written)> FinishAsync(Azure.Storage.Blobs.BlobClient indexBlob, ArticleIndexEntry entry, Azure.ETag etag, Article article, CancellationToken cancellationToken)
    {
        var today = BlobNameFor(article);
        while (entry.BlobName != today)
        {
            if (await JsonBlobs.ExistsAsync(storage.Articles.GetBlobClient(entry.BlobName), cancellationToken))
            {
                return (entry, etag, false);
            }

            var moved = entry with { BlobName = today };
            if (await JsonBlobs.TryReplaceAsync(indexBlob, moved, etag, cancellationToken))
            {
                (_, etag) = await JsonBlobs.ReadAsync<ArticleIndexEntry>(indexBlob, cancellationToken);
                entry = moved;
                break;
            }

            (var reread, etag) = await JsonBlobs.ReadAsync<ArticleIndexEntry>(indexBlob, cancellationToken);
            entry = reread ?? throw new InvalidOperationException($"Article index entry {indexBlob.Name} vanished while it was being moved.");
        }

        var written = await CreateAsync(entry.BlobName, article, cancellationToken);
        return (entry, etag, written);
    }

    private async Task<bool> CreateAsync(string blobName, Article article, CancellationToken cancellationToken)
    {
        if (await JsonBlobs.TryCreateVersionAsync(storage.Articles.GetBlobClient(blobName), article, cancellationToken) is not { } etag)
        {
            return false;
        }

        justWritten.Set(blobName, (article, etag), new MemoryCacheEntryOptions
        {
            Size = article.Title.Length + article.Text.Length + 1,
            AbsoluteExpirationRelativeToNow = JustWrittenLifetime,
        });
        ArticleWritten?.Invoke(this, new ArticleWrittenEventArgs(blobName, etag));
        return true;
    }

    public async Task<Article?> ReadAsync(string blobName, CancellationToken cancellationToken) =>
        (await ReadVersionAsync(blobName, cancellationToken)).Article;

    /// <summary>The article and the ETag of the blob version read (the one this process just wrote, if it did).</summary>
    public async Task<(Article? Article, ETag ETag)> ReadVersionAsync(string blobName, CancellationToken cancellationToken)
    {
        if (justWritten.TryGetValue(blobName, out (Article Article, ETag ETag) written))
        {
            justWritten.Remove(blobName);
            return written;
        }

        return await JsonBlobs.ReadAsync<Article>(storage.Articles.GetBlobClient(blobName), cancellationToken);
    }

    public void Dispose() => justWritten.Dispose();

    /// <summary>Whether an article with this id was stored (or claimed) before.</summary>
    public async Task<bool> IsKnownAsync(string articleId, CancellationToken cancellationToken) =>
        await JsonBlobs.ExistsAsync(storage.State.GetBlobClient(IndexBlobName(articleId)), cancellationToken);

    public async Task<ArticleIndexEntry?> ReadIndexAsync(string articleId, CancellationToken cancellationToken) =>
        (await JsonBlobs.ReadAsync<ArticleIndexEntry>(storage.State.GetBlobClient(IndexBlobName(articleId)), cancellationToken)).Document;

    private async Task<bool> AddSourceAsync(Azure.Storage.Blobs.BlobClient indexBlob, ArticleIndexEntry entry, Azure.ETag etag, ArticleSource source, CancellationToken cancellationToken)
    {
        while (!entry.Sources.Any(s => s.FeedUrl == source.FeedUrl))
        {
            var updated = entry with { Sources = [.. entry.Sources, source] };
            if (await JsonBlobs.TryReplaceAsync(indexBlob, updated, etag, cancellationToken))
            {
                logger.LogInformation("Article {ArticleId} also seen in feed {FeedName}", entry.Id, source.FeedName);
                return true;
            }

            (var reread, etag) = await JsonBlobs.ReadAsync<ArticleIndexEntry>(indexBlob, cancellationToken);
            entry = reread ?? throw new InvalidOperationException($"Article index entry {indexBlob.Name} vanished while it was being updated.");
        }

        return false;
    }

    private static string IndexBlobName(string articleId) => $"articles/{articleId}.json";
}

/// <summary>An article blob this process wrote: its name in the <c>articles</c> container and the ETag of the version written.</summary>
public sealed class ArticleWrittenEventArgs(string blobName, ETag etag) : EventArgs
{
    public string BlobName { get; } = blobName;

    public ETag ETag { get; } = etag;
}

public enum ArticleStoreResult
{
    /// <summary>The article is new and was stored.</summary>
    Stored,

    /// <summary>The article was known; this feed was recorded as another source.</summary>
    SourceAdded,

    /// <summary>The article and this source were both known.</summary>
    Known,
}

/// <summary>Which blob holds an article and every feed it was seen in.</summary>
public sealed record ArticleIndexEntry
{
    public int Schema { get; init; } = 1;

    public required string Id { get; init; }

    public required string BlobName { get; init; }

    public required List<ArticleSource> Sources { get; init; }

    /// <summary>When the id was claimed; null in entries of builds before retention, which are never finished.</summary>
    public DateTimeOffset? ClaimedAt { get; init; }
}
