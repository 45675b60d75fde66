using Microsoft.Extensions.DependencyInjection;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Storage;
using Watcher.Tests.Feeds.Fetching;

namespace Watcher.Tests.Articles;

/// <summary>
/// The similar-story index on real Azurite, reached as in the pipeline: articles are stored, then
/// classified; a syndicated copy points to the first article, a different story does not.
/// </summary>
public sealed class SameStoryTests(FetchTestHost host) : IClassFixture<FetchTestHost>
{
    private static async Task<string?> StoreAndClassifyAsync(IServiceProvider provider, Article article)
    {
        Assert.Equal(ArticleStoreResult.Stored, await provider.GetRequiredService<ArticleStore>().StoreAsync(article, CancellationToken.None));
        var classified = await provider.GetRequiredService<ArticleClassificationService>().ClassifyBlobAsync(ArticleStore.BlobNameFor(article), CancellationToken.None);
        Assert.NotNull(classified);
        return classified.SameStoryAs;
    }

    private static async Task<int> BandBlobCountAsync(IServiceProvider provider)
    {
        var count = 0;
        await foreach (var _ in provider.GetRequiredService<WatcherStorage>().State.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "similar/", CancellationToken.None))
        {
            count++;
        }

        return count;
    }

    private static Article ArticleFrom(StorySimilarityTests.StoryText story, string site, DateTimeOffset fetchedAt)
    {
        Assert.True(CanonicalUrl.TryCreate($"https://{site}/{Guid.NewGuid():n}", null, out var url));
        return new Article
        {
            Id = ArticleId.FromCanonicalUrl(url),
            Url = url.AbsoluteUri,
            Title = story.Title,
            Text = story.Text,
            FetchedAt = fetchedAt,
            Source = new ArticleSource { FeedName = site, FeedUrl = $"https://{site}/feed" },
        };
    }

    [Fact]
    public async Task Syndicated_copy_records_the_first_article_and_other_stories_stay_apart()
    {
        using var provider = await FetchTestHost.BuildAsync(host.WriteConfig([]));
        var pairs = StorySimilarityTests.Pairs;
        var same = pairs.First(p => p.Id == "en-italy-5g/same");
        var different = pairs.First(p => p.Id.StartsWith("en-italy-5g~", StringComparison.Ordinal));
        var now = DateTimeOffset.UtcNow;

        var first = ArticleFrom(same.A, "wire.example", now);
        var copy = ArticleFrom(same.B, "paper.example", now);
        var other = ArticleFrom(different.B, "other.example", now);
        Assert.Null(await StoreAndClassifyAsync(provider, first));
        Assert.Equal(first.Id, await StoreAndClassifyAsync(provider, copy));
        Assert.Null(await StoreAndClassifyAsync(provider, other));

        // Classifying again (a blob trigger retry) gives the same link.
        var again = await provider.GetRequiredService<ArticleClassificationService>().ClassifyBlobAsync(ArticleStore.BlobNameFor(copy), CancellationToken.None);
        Assert.Equal(first.Id, again!.SameStoryAs);

        // A third copy points to the story's first article too, also through bands the second one took.
        var third = ArticleFrom(same.B with { Title = same.B.Title + " (update)" }, "radio.example", now);
        Assert.Equal(first.Id, await StoreAndClassifyAsync(provider, third));
    }

    [Fact]
    public async Task Articles_that_match_no_topic_cost_no_band_writes()
    {
        using var provider = await FetchTestHost.BuildAsync(host.WriteConfig([]));
        var before = await BandBlobCountAsync(provider);
        var offTopic = new StorySimilarityTests.StoryText(
            "Local bakery wins regional bread award",
            "A family bakery in the old town won the regional award for sourdough bread on Saturday. The jury praised the crust and the long fermentation. The owners said they would keep their prices unchanged.");
        var article = ArticleFrom(offTopic, "bakery.example", DateTimeOffset.UtcNow);
        Assert.Null(await StoreAndClassifyAsync(provider, article));
        Assert.Equal(before, await BandBlobCountAsync(provider));

        var matched = ArticleFrom(StorySimilarityTests.Pairs.First(p => p.Id == "en-tiktok/same").A, "tiktok.example", DateTimeOffset.UtcNow);
        await StoreAndClassifyAsync(provider, matched);
        Assert.Equal(before + StorySignature.Bands, await BandBlobCountAsync(provider));
    }

    [Fact]
    public async Task Stories_older_than_the_window_are_not_matched()
    {
        using var provider = await FetchTestHost.BuildAsync(host.WriteConfig([], new System.Text.Json.Nodes.JsonObject { ["SimilarStoryWindow"] = "1.00:00:00" }));
        var pair = StorySimilarityTests.Pairs.First(p => p.Id == "nl-xiaomi/same");
        var old = ArticleFrom(pair.A, "oud.example", DateTimeOffset.UtcNow.AddDays(-3));
        var recent = ArticleFrom(pair.B, "nieuw.example", DateTimeOffset.UtcNow);
        Assert.Null(await StoreAndClassifyAsync(provider, old));
        Assert.Null(await StoreAndClassifyAsync(provider, recent));
    }
}
