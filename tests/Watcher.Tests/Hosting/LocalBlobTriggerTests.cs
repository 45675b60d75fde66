using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.DependencyInjection;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Local.DevServices;
using Watcher.Local.Hosting;
using Watcher.Storage;
using Watcher.Tests.Support;

namespace Watcher.Tests.Hosting;

/// <summary>
/// The local blob trigger's scan: verdicts and failure receipts, read from listings of their
/// metadata, then only what changed since the last complete scan.
/// </summary>
public sealed class LocalBlobTriggerTests : IAsyncLifetime
{
    private AzuriteService azurite = null!;

    public async Task InitializeAsync() =>
        azurite = await AzuriteService.StartAsync(Path.Combine(Path.GetTempPath(), "watcher-blobtrigger-" + Guid.NewGuid().ToString("n")));

    public async Task DisposeAsync() => await azurite.DisposeAsync();

    [Fact]
    public async Task A_scan_after_a_complete_one_skips_blobs_that_did_not_change_since()
    {
        // The host's clock runs an hour ahead, so the first scan's watermark lies after every
        // blob stored here: a second scan must not even look at them.
        using var services = CoreServices.Build(
            new Dictionary<string, string?> { ["Watcher:Storage:ConnectionString"] = azurite.ConnectionString },
            s => s.AddSingleton<TimeProvider>(new ShiftedClock(TimeSpan.FromHours(1))));
        var storage = services.GetRequiredService<WatcherStorage>();
        var article = await StoreArticleAsync(services);
        var verdict = storage.Classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(article.Id));

        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalFunctionsHost>(services).ProcessNewArticlesAsync(CancellationToken.None));
        Assert.True(await verdict.ExistsAsync());

        await verdict.DeleteAsync();
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalFunctionsHost>(services).ProcessNewArticlesAsync(CancellationToken.None));

        Assert.False(await verdict.ExistsAsync());
    }

    [Fact]
    public async Task A_verdict_is_the_receipt_for_the_article_version_it_judged()
    {
        using var services = CoreServices.Build(new Dictionary<string, string?> { ["Watcher:Storage:ConnectionString"] = azurite.ConnectionString });
        var storage = services.GetRequiredService<WatcherStorage>();
        var article = await StoreArticleAsync(services);
        var verdict = storage.Classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(article.Id));
        var scanPosition = storage.State.GetBlobClient("receipts/ClassifyArticle.scan.json");
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalFunctionsHost>(services).ProcessNewArticlesAsync(CancellationToken.None));

        var judged = (await verdict.GetPropertiesAsync()).Value;
        Assert.Equal(await ListedETagAsync(storage, article), judged.Metadata[ArticleClassificationService.ArticleETagMetadata]);
        Assert.False(await storage.State.GetBlobClient($"receipts/ClassifyArticle/{ArticleStore.BlobNameFor(article)}").ExistsAsync());

        // A fresh host that scans everything again leaves the verdict alone...
        await scanPosition.DeleteAsync();
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalFunctionsHost>(services).ProcessNewArticlesAsync(CancellationToken.None));
        Assert.Equal(judged.ETag, (await verdict.GetPropertiesAsync()).Value.ETag);

        // ...until the article blob is written again: a new version is judged anew.
        var articleBlob = storage.Articles.GetBlobClient(ArticleStore.BlobNameFor(article));
        await articleBlob.UploadAsync((await articleBlob.DownloadContentAsync()).Value.Content, overwrite: true);
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalFunctionsHost>(services).ProcessNewArticlesAsync(CancellationToken.None));
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
        var verdict = storage.Classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(article.Id));
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalFunctionsHost>(services).ProcessNewArticlesAsync(CancellationToken.None));

        // What a crash after the verdict and before its summary message leaves: an unmarked verdict, no message.
        await verdict.SetMetadataAsync(new Dictionary<string, string>());
        await storage.Summaries.ClearMessagesAsync();
        await storage.State.GetBlobClient("receipts/ClassifyArticle.scan.json").DeleteAsync();
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalFunctionsHost>(services).ProcessNewArticlesAsync(CancellationToken.None));

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
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalFunctionsHost>(services).ProcessNewArticlesAsync(CancellationToken.None));

        Assert.False(await storage.Classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(article.Id)).ExistsAsync());
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

        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalFunctionsHost>(services).ProcessNewArticlesAsync(CancellationToken.None));

        Assert.False(await storage.Classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(article.Id)).ExistsAsync());
    }

    private static async Task<Article> StoreArticleAsync(IServiceProvider services)
    {
        await services.GetRequiredService<WatcherStorage>().EnsureCreatedAsync();
        var article = new Article
        {
            Id = "fedcba9876543210fedcba9876543210",
            Url = "https://news.example.com/entity-list-scan",
            Title = "US adds Chinese chipmakers to the Entity List",
            Text = "The US Commerce Department added two Chinese chipmakers to its Entity List, a trade blacklist that bars American suppliers from selling to them.",
            FetchedAt = DateTimeOffset.UtcNow,
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

    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
