using Microsoft.Extensions.DependencyInjection;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Local.DevServices;
using Watcher.Local.Hosting;
using Watcher.Storage;
using Watcher.Tests.Infrastructure;

namespace Watcher.Tests.Hosting;

/// <summary>The local blob trigger's scan: receipts for every blob, then only what changed since the last complete scan.</summary>
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
        await storage.EnsureCreatedAsync();
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
        var verdict = storage.Classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(article.Id));

        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalFunctionsHost>(services).ProcessNewArticlesAsync(CancellationToken.None));
        Assert.True(await verdict.ExistsAsync());

        await verdict.DeleteAsync();
        await storage.State.GetBlobClient($"receipts/ClassifyArticle/{ArticleStore.BlobNameFor(article)}").DeleteAsync();
        Assert.Empty(await ActivatorUtilities.CreateInstance<LocalFunctionsHost>(services).ProcessNewArticlesAsync(CancellationToken.None));

        Assert.False(await verdict.ExistsAsync());
    }

    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
