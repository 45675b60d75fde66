using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Local.DevServices;
using Watcher.Local.Hosting;
using Watcher.Storage;
using Watcher.Tests.Delivery;
using Watcher.Tests.Support;

namespace Watcher.Tests.Hosting;

/// <summary>
/// The local blob trigger's scan: verdicts and failure receipts, read from listings of their
/// metadata, over only the days since the last complete pass.
/// </summary>
public sealed class LocalBlobTriggerTests : IAsyncLifetime
{
    private AzuriteService azurite = null!;

    public async Task InitializeAsync() =>
        azurite = await AzuriteService.StartAsync(Path.Combine(Path.GetTempPath(), "watcher-blobtrigger-" + Guid.NewGuid().ToString("n")));

    public async Task DisposeAsync() => await azurite.DisposeAsync();

    [Fact]
    public async Task A_pass_lists_only_the_days_since_the_last_complete_pass_and_a_restart_continues_there()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        using var services = CoreServices.Build(
            new Dictionary<string, string?> { ["Watcher:Storage:ConnectionString"] = azurite.ConnectionString },
            s => s.AddSingleton<TimeProvider>(clock));
        var storage = services.GetRequiredService<WatcherStorage>();
        var old = await StoreArticleAsync(services, "a", clock.Now);
        var trigger = ActivatorUtilities.CreateInstance<LocalBlobTrigger>(services);
        Assert.Empty(await trigger.ProcessNewArticlesAsync(CancellationToken.None));
        Assert.True(await VerdictOf(storage, old).ExistsAsync());

        clock.Now += TimeSpan.FromDays(3);
        Assert.Empty(await trigger.ProcessNewArticlesAsync(CancellationToken.None));

        // Were its day still listed, the article without a verdict would be judged again.
        await VerdictOf(storage, old).DeleteAsync();
        var recent = await StoreArticleAsync(services, "b", clock.Now);
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalBlobTrigger>(services).ProcessNewArticlesAsync(CancellationToken.None));

        Assert.True(await VerdictOf(storage, recent).ExistsAsync());
        Assert.False(await VerdictOf(storage, old).ExistsAsync());
    }

    [Fact]
    public async Task Articles_stored_across_midnight_UTC_are_all_classified_once_including_one_named_before_and_written_after()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 12, 1, 23, 59, 30, TimeSpan.Zero));
        using var services = CoreServices.Build(
            new Dictionary<string, string?> { ["Watcher:Storage:ConnectionString"] = azurite.ConnectionString },
            s => s.AddSingleton<TimeProvider>(clock));
        var storage = services.GetRequiredService<WatcherStorage>();
        var trigger = ActivatorUtilities.CreateInstance<LocalBlobTrigger>(services);
        var beforeMidnight = await StoreArticleAsync(services, "a", clock.Now);
        Assert.Empty(await trigger.ProcessNewArticlesAsync(CancellationToken.None));
        var firstVerdict = (await VerdictOf(storage, beforeMidnight).GetPropertiesAsync()).Value.ETag;

        clock.Now = new DateTimeOffset(2026, 12, 2, 0, 0, 30, TimeSpan.Zero);
        var afterMidnight = await StoreArticleAsync(services, "b", clock.Now);
        var late = await StoreArticleAsync(services, "c", new DateTimeOffset(2026, 12, 1, 23, 59, 50, TimeSpan.Zero));
        Assert.StartsWith("2026/12/01/", ArticleStore.BlobNameFor(late), StringComparison.Ordinal);
        Assert.StartsWith("2026/12/02/", ArticleStore.BlobNameFor(afterMidnight), StringComparison.Ordinal);
        Assert.Empty(await trigger.ProcessNewArticlesAsync(CancellationToken.None));
        clock.Now += TimeSpan.FromHours(3);
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalBlobTrigger>(services).ProcessNewArticlesAsync(CancellationToken.None));

        Assert.True(await VerdictOf(storage, afterMidnight).ExistsAsync());
        Assert.True(await VerdictOf(storage, late).ExistsAsync());
        Assert.Equal(firstVerdict, (await VerdictOf(storage, beforeMidnight).GetPropertiesAsync()).Value.ETag);
        Assert.Equal(3, (await storage.Summaries.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    private static BlobClient VerdictOf(WatcherStorage storage, Article article) =>
        storage.Classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(ArticleStore.BlobNameFor(article)));

    [Fact]
    public async Task A_verdict_is_the_receipt_for_the_article_version_it_judged()
    {
        using var services = CoreServices.Build(new Dictionary<string, string?> { ["Watcher:Storage:ConnectionString"] = azurite.ConnectionString });
        var storage = services.GetRequiredService<WatcherStorage>();
        var article = await StoreArticleAsync(services);
        var verdict = storage.Classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(ArticleStore.BlobNameFor(article)));
        var scanPosition = storage.State.GetBlobClient("receipts/ClassifyArticle.scan.json");
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalBlobTrigger>(services).ProcessNewArticlesAsync(CancellationToken.None));

        var judged = (await verdict.GetPropertiesAsync()).Value;
        Assert.Equal(await ListedETagAsync(storage, article), judged.Metadata[ArticleClassificationService.ArticleETagMetadata]);
        Assert.False(await storage.State.GetBlobClient($"receipts/ClassifyArticle/{ArticleStore.BlobNameFor(article)}").ExistsAsync());

        // A fresh host that scans everything again leaves the verdict alone...
        await scanPosition.DeleteAsync();
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalBlobTrigger>(services).ProcessNewArticlesAsync(CancellationToken.None));
        Assert.Equal(judged.ETag, (await verdict.GetPropertiesAsync()).Value.ETag);

        // ...until the article blob is written again: a new version is judged anew.
        var articleBlob = storage.Articles.GetBlobClient(ArticleStore.BlobNameFor(article));
        await articleBlob.UploadAsync((await articleBlob.DownloadContentAsync()).Value.Content, overwrite: true);
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalBlobTrigger>(services).ProcessNewArticlesAsync(CancellationToken.None));
        var rejudged = (await verdict.GetPropertiesAsync()).Value;
        Assert.NotEqual(judged.ETag, rejudged.ETag);
        Assert.Equal(await ListedETagAsync(storage, article), rejudged.Metadata[ArticleClassificationService.ArticleETagMetadata]);
    }

    [Fact]
    public async Task A_verdict_whose_summary_may_not_be_queued_is_not_a_receipt()
    {
        using var services = CoreServices.Build(new Dictionary<string, string?> { ["Watcher:Storage:ConnectionString"] = azurite.ConnectionString });
        var storage = services.GetRequiredService<WatcherStorage>();
        var article = await StoreArticleAsync(services);
        var verdict = storage.Classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(ArticleStore.BlobNameFor(article)));
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalBlobTrigger>(services).ProcessNewArticlesAsync(CancellationToken.None));

        // What a crash after the verdict and before its summary message leaves: an unmarked verdict, no message.
        await verdict.SetMetadataAsync(new Dictionary<string, string>());
        await storage.Summaries.ClearMessagesAsync();
        await storage.State.GetBlobClient("receipts/ClassifyArticle.scan.json").DeleteAsync();
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalBlobTrigger>(services).ProcessNewArticlesAsync(CancellationToken.None));

        Assert.Equal(1, (await storage.Summaries.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(await ListedETagAsync(storage, article), (await verdict.GetPropertiesAsync()).Value.Metadata[ArticleClassificationService.ArticleETagMetadata]);
    }

    [Fact]
    public async Task A_failure_receipt_is_read_from_its_metadata_in_the_receipt_listing()
    {
        using var services = CoreServices.Build(new Dictionary<string, string?> { ["Watcher:Storage:ConnectionString"] = azurite.ConnectionString });
        var storage = services.GetRequiredService<WatcherStorage>();
        var article = await StoreArticleAsync(services);
        var receipt = storage.State.GetBlobClient($"receipts/ClassifyArticle/{ArticleStore.BlobNameFor(article)}");

        // Failed five times: the blob is not tried again. The body is one the host cannot parse,
        // so this passes only if the receipt comes from the listing.
        var metadata = new Dictionary<string, string> { ["blobetag"] = await ListedETagAsync(storage, article), ["done"] = "false", ["failures"] = "5" };
        await receipt.UploadAsync(BinaryData.FromString("not the receipt"), new BlobUploadOptions { Metadata = metadata });
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalBlobTrigger>(services).ProcessNewArticlesAsync(CancellationToken.None));

        Assert.False(await storage.Classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(ArticleStore.BlobNameFor(article))).ExistsAsync());
    }

    [Fact]
    public async Task A_receipt_written_before_receipts_carried_metadata_is_read_from_its_body()
    {
        using var services = CoreServices.Build(new Dictionary<string, string?> { ["Watcher:Storage:ConnectionString"] = azurite.ConnectionString });
        var storage = services.GetRequiredService<WatcherStorage>();
        var article = await StoreArticleAsync(services);
        var receipt = storage.State.GetBlobClient($"receipts/ClassifyArticle/{ArticleStore.BlobNameFor(article)}");
        await JsonBlobs.UpsertAsync(receipt, new { BlobETag = await ListedETagAsync(storage, article), Done = true, Failures = 0 }, CancellationToken.None);
        Assert.Empty((await receipt.GetPropertiesAsync()).Value.Metadata);

        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalBlobTrigger>(services).ProcessNewArticlesAsync(CancellationToken.None));

        Assert.False(await storage.Classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(ArticleStore.BlobNameFor(article))).ExistsAsync());
    }

    [Fact]
    public async Task What_this_process_wrote_is_classified_without_a_listing_and_what_another_wrote_by_the_next_listing()
    {
        using var services = CoreServices.Build(new Dictionary<string, string?> { ["Watcher:Storage:ConnectionString"] = azurite.ConnectionString });
        var storage = services.GetRequiredService<WatcherStorage>();
        using var trigger = ActivatorUtilities.CreateInstance<LocalBlobTrigger>(services);
        var ours = await StoreArticleAsync(services, "ours");

        // Another process's article: written straight to storage, so this process hears nothing of it.
        var theirs = ours with { Id = ArticleId.FromGuid("https://news.example.com/feed", "theirs"), Url = "https://news.example.com/theirs" };
        await JsonBlobs.UpsertAsync(storage.Articles.GetBlobClient(ArticleStore.BlobNameFor(theirs)), theirs, CancellationToken.None);

        var noRetries = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var (tried, failures) = await trigger.PassWrittenAsync(noRetries, CancellationToken.None);
        Assert.Equal(1, tried);
        Assert.Empty(failures);
        Assert.Equal(await ListedETagAsync(storage, ours), (await VerdictOf(storage, ours).GetPropertiesAsync()).Value.Metadata[ArticleClassificationService.ArticleETagMetadata]);
        Assert.False(await VerdictOf(storage, theirs).ExistsAsync());
        Assert.Equal(0, (await trigger.PassWrittenAsync(noRetries, CancellationToken.None)).Tried);

        var listing = await trigger.PassAsync(noRetries, CancellationToken.None);
        Assert.Equal(1, listing.Tried);
        Assert.True(await VerdictOf(storage, theirs).ExistsAsync());
    }

    private static async Task<Article> StoreArticleAsync(IServiceProvider services, string name = "scan", DateTimeOffset? storedAt = null)
    {
        await services.GetRequiredService<WatcherStorage>().EnsureCreatedAsync();
        var article = new Article
        {
            Id = ArticleId.FromGuid("https://news.example.com/feed", name),
            Url = $"https://news.example.com/entity-list-{name}",
            Title = "US adds Chinese chipmakers to the Entity List",
            Text = "The US Commerce Department added two Chinese chipmakers to its Entity List, a trade blacklist that bars American suppliers from selling to them.",
            FetchedAt = storedAt ?? DateTimeOffset.UtcNow,
            Source = new ArticleSource { FeedName = "Test", FeedUrl = "https://news.example.com/feed" },
        };
        await services.GetRequiredService<ArticleStore>().StoreAsync(article, CancellationToken.None);
        return article;
    }

    /// <summary>The article blob's ETag as the host sees it: from the container listing.</summary>
    private static async Task<string> ListedETagAsync(WatcherStorage storage, Article article)
    {
        await foreach (var blob in storage.Articles.GetBlobsAsync(BlobTraits.None, BlobStates.None, ArticleStore.BlobNameFor(article), CancellationToken.None))
        {
            return blob.Properties.ETag?.ToString() ?? "";
        }

        throw new InvalidOperationException($"{ArticleStore.BlobNameFor(article)} is not stored.");
    }
}
