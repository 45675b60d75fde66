using Microsoft.Extensions.DependencyInjection;
using Watcher.Feeds;

namespace Watcher.Tests.Feeds.Fetching;

/// <summary>Every feed's state shares one blob; writers that race must not lose each other's feeds.</summary>
public sealed class FeedStateStoreTests(FetchTestHost host) : IClassFixture<FetchTestHost>
{
    [Fact]
    public async Task Concurrent_writers_of_different_feeds_keep_each_others_states()
    {
        using var provider = await FetchTestHost.BuildAsync(host.WriteConfig([]));
        var store = provider.GetRequiredService<FeedStateStore>();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            store.WriteAsync(new FeedState { FeedName = $"writer {i}", FeedUrl = $"https://w{i}.example/feed", ItemsSeen = i }, CancellationToken.None)));

        var (states, _) = await store.ReadAllAsync(CancellationToken.None);
        Assert.All(Enumerable.Range(0, 20), i => Assert.Equal(i, states[$"writer {i}"].ItemsSeen));

        await store.WriteAsync(states["writer 3"] with { ItemsSeen = 300 }, CancellationToken.None);
        var (feed3, _) = await store.ReadAsync("writer 3", CancellationToken.None);
        var (feed4, _) = await store.ReadAsync("writer 4", CancellationToken.None);
        Assert.Equal(300, feed3!.ItemsSeen);
        Assert.Equal(4, feed4!.ItemsSeen);
        Assert.Null((await store.ReadAsync("never polled", CancellationToken.None)).State);
    }
}
