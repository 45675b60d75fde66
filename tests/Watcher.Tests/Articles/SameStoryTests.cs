using Microsoft.Extensions.DependencyInjection;
using Watcher.Articles;
using Watcher.Tests.Feeds.Fetching;

namespace Watcher.Tests.Articles;

/// <summary>The similar-story index on real Azurite: a syndicated copy points to the first article, a different story does not.</summary>
public sealed class SameStoryTests(FetchTestHost host) : IClassFixture<FetchTestHost>
{
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
        var store = provider.GetRequiredService<ArticleStore>();
        var pairs = StorySimilarityTests.Pairs;
        var same = pairs.First(p => p.Id == "en-italy-5g/same");
        var different = pairs.First(p => p.Id.StartsWith("en-italy-5g~", StringComparison.Ordinal));
        var now = DateTimeOffset.UtcNow;

        var first = ArticleFrom(same.A, "wire.example", now);
        var copy = ArticleFrom(same.B, "paper.example", now);
        var other = ArticleFrom(different.B, "other.example", now);
        Assert.Equal(ArticleStoreResult.Stored, await store.StoreAsync(first, CancellationToken.None));
        Assert.Equal(ArticleStoreResult.Stored, await store.StoreAsync(copy, CancellationToken.None));
        Assert.Equal(ArticleStoreResult.Stored, await store.StoreAsync(other, CancellationToken.None));

        Assert.Null((await store.ReadIndexAsync(first.Id, CancellationToken.None))!.SameStoryAs);
        Assert.Equal(first.Id, (await store.ReadIndexAsync(copy.Id, CancellationToken.None))!.SameStoryAs);
        Assert.Null((await store.ReadIndexAsync(other.Id, CancellationToken.None))!.SameStoryAs);
        var storedCopy = await store.ReadAsync(ArticleStore.BlobNameFor(copy), CancellationToken.None);
        Assert.Equal(first.Id, storedCopy!.SameStoryAs);

        // A third copy points to the story's first article too, also through bands the second one took.
        var third = ArticleFrom(same.B with { Title = same.B.Title + " (update)" }, "radio.example", now);
        await store.StoreAsync(third, CancellationToken.None);
        Assert.Equal(first.Id, (await store.ReadIndexAsync(third.Id, CancellationToken.None))!.SameStoryAs);
    }

    [Fact]
    public async Task Stories_older_than_the_window_are_not_matched()
    {
        using var provider = await FetchTestHost.BuildAsync(host.WriteConfig([], new System.Text.Json.Nodes.JsonObject { ["SimilarStoryWindow"] = "1.00:00:00" }));
        var store = provider.GetRequiredService<ArticleStore>();
        var pair = StorySimilarityTests.Pairs.First(p => p.Id == "nl-xiaomi/same");
        var old = ArticleFrom(pair.A, "oud.example", DateTimeOffset.UtcNow.AddDays(-3));
        var recent = ArticleFrom(pair.B, "nieuw.example", DateTimeOffset.UtcNow);
        await store.StoreAsync(old, CancellationToken.None);
        await store.StoreAsync(recent, CancellationToken.None);
        Assert.Null((await store.ReadIndexAsync(recent.Id, CancellationToken.None))!.SameStoryAs);
    }
}
