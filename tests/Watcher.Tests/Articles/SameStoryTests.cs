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

    /// <summary>Bytes in today's story log: every article compared with other stories adds a line.</summary>
    private static async Task<long> StoryLogLengthAsync(IServiceProvider provider)
    {
        var log = provider.GetRequiredService<WatcherStorage>().State.GetBlobClient($"similar/{DateTimeOffset.UtcNow:yyyy-MM-dd}.log");
        return await log.ExistsAsync() ? (await log.GetPropertiesAsync()).Value.ContentLength : 0;
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
    public async Task Articles_that_match_no_topic_are_not_written_to_the_story_log()
    {
        using var provider = await FetchTestHost.BuildAsync(host.WriteConfig([]));
        var before = await StoryLogLengthAsync(provider);
        var offTopic = new StorySimilarityTests.StoryText(
            "Local bakery wins regional bread award",
            "A family bakery in the old town won the regional award for sourdough bread on Saturday. The jury praised the crust and the long fermentation. The owners said they would keep their prices unchanged.");
        var article = ArticleFrom(offTopic, "bakery.example", DateTimeOffset.UtcNow);
        Assert.Null(await StoreAndClassifyAsync(provider, article));
        Assert.Equal(before, await StoryLogLengthAsync(provider));

        var matched = ArticleFrom(StorySimilarityTests.Pairs.First(p => p.Id == "en-tiktok/same").A, "tiktok.example", DateTimeOffset.UtcNow);
        await StoreAndClassifyAsync(provider, matched);
        Assert.True(await StoryLogLengthAsync(provider) > before);
    }

    [Fact]
    public async Task Instances_classifying_copies_at_once_agree_on_which_came_first()
    {
        // Three hosts over one storage account, as Functions instances scaled out: each keeps
        // its own copy of the story log, yet all must reach the same story for every article.
        var config = host.WriteConfig([]);
        using var one = await FetchTestHost.BuildAsync(config);
        using var two = await FetchTestHost.BuildAsync(config);
        using var three = await FetchTestHost.BuildAsync(config);
        var pair = StorySimilarityTests.Pairs.First(p => p.Id == "en-zte/same");
        var now = DateTimeOffset.UtcNow;
        var a = ArticleFrom(pair.A with { Title = pair.A.Title + " (a)" }, "one.example", now);
        var b = ArticleFrom(pair.B with { Title = pair.B.Title + " (b)" }, "two.example", now);
        var store = one.GetRequiredService<ArticleStore>();
        await store.StoreAsync(a, CancellationToken.None);
        await store.StoreAsync(b, CancellationToken.None);

        var results = await Task.WhenAll(
            one.GetRequiredService<ArticleClassificationService>().ClassifyBlobAsync(ArticleStore.BlobNameFor(a), CancellationToken.None),
            two.GetRequiredService<ArticleClassificationService>().ClassifyBlobAsync(ArticleStore.BlobNameFor(b), CancellationToken.None));

        var firstOfStory = Assert.Single(results, r => r!.SameStoryAs is null)!.Id;
        Assert.Equal(firstOfStory, Assert.Single(results, r => r!.SameStoryAs is not null)!.SameStoryAs);
        var c = ArticleFrom(pair.B with { Title = pair.B.Title + " (c)" }, "three.example", now);
        Assert.Equal(firstOfStory, await StoreAndClassifyAsync(three, c));
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
