using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Watcher.Articles;
using Watcher.Feeds;
using Watcher.Feeds.Fetching;

namespace Watcher.Tests.Feeds.Fetching;

/// <summary>How Watcher treats a server: conditional GET, compression, its name, redirects, back-off and politeness.</summary>
public sealed class PollingBehaviourTests(FetchTestHost host) : IClassFixture<FetchTestHost>
{
    private static string Rss(string path, int items) =>
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Feed " + path + "</title>" +
        string.Concat(Enumerable.Range(1, items).Select(i => $"<item><title>Story {i} of {path}</title><link>http://news.example.org{path}/story-{i}?utm_source=rss</link><pubDate>Mon, 02 Mar 2026 10:0{i % 10}:00 GMT</pubDate><description>Story number {i} published under {path} about something else entirely {Guid.NewGuid()}.</description></item>")) +
        "</channel></rss>";

    private async Task<(FeedPoller Poller, FeedStateStore States, ServiceProvider Provider)> PollerAsync(JsonArray feeds, JsonObject? fetch = null, JsonObject? smtp = null)
    {
        var provider = await FetchTestHost.BuildAsync(host.WriteConfig(feeds, fetch, smtp));
        return (provider.GetRequiredService<FeedPoller>(), provider.GetRequiredService<FeedStateStore>(), provider);
    }

    [Fact]
    public async Task A_huge_feed_is_stored_newest_first_a_capped_number_per_poll_and_the_rest_follow()
    {
        const string Path = "/huge-list";
        var items = string.Concat(Enumerable.Range(1, 25).Select(i =>
            $"<item><title>Item {i:00}</title><link>http://news.example.org/huge/{i}</link><pubDate>{new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).AddHours(i):R}</pubDate><description>Body {i}.</description></item>"));
        var body = $"<rss version=\"2.0\"><channel><title>Huge</title>{items}</channel></rss>";
        host.Server.Map(Path, async context =>
        {
            if (context.Request.Headers.IfNoneMatch.ToString() == "\"h1\"")
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            context.Response.Headers.ETag = "\"h1\"";
            context.Response.ContentType = "application/rss+xml";
            await context.Response.WriteAsync(body);
        });
        var (poller, states, provider) = await PollerAsync([FetchTestHost.Feed("huge-list", host.Server.Url(Path))], new JsonObject { ["PollInterval"] = "00:00:00", ["MaxNewItemsPerPoll"] = 10 });
        using (provider)
        {
            async Task<List<string>> TitlesAsync()
            {
                var titles = new List<string>();
                var store = provider.GetRequiredService<ArticleStore>();
                await foreach (var blob in provider.GetRequiredService<Watcher.Storage.WatcherStorage>().Articles.GetBlobsAsync())
                {
                    var article = await store.ReadAsync(blob.Name, CancellationToken.None);
                    if (article!.Source.FeedName == "huge-list")
                    {
                        titles.Add(article.Title);
                    }
                }

                return [.. titles.Order(StringComparer.Ordinal)];
            }

            Assert.Equal(10, Assert.Single(await poller.PollAllAsync(CancellationToken.None)).NewArticles);
            Assert.Equal(Enumerable.Range(16, 10).Select(i => $"Item {i:00}"), await TitlesAsync());
            foreach (var expected in new[] { 10, 5, 0 })
            {
                Assert.Equal(expected, Assert.Single(await poller.PollAllAsync(CancellationToken.None)).NewArticles);
            }

            Assert.Equal(25, (await TitlesAsync()).Count);
            var (state, _) = await states.ReadAsync("huge-list", CancellationToken.None);
            Assert.Equal(25, state!.ArticlesStored);
            var requests = host.Server.Requests.Where(r => r.Path == Path).ToList();
            Assert.Equal(["", "", "", "\"h1\""], requests.Select(r => r.IfNoneMatch));

        }
    }

    [Fact]
    public async Task A_warning_names_the_deferred_items_and_a_5_MB_title_is_capped_before_storage()
    {
        const string Path = "/huge-title";
        var title = new string('T', 5 * 1024 * 1024);
        host.Server.MapText(Path, $"<rss version=\"2.0\"><channel><title>Big</title><item><title>{title}</title><link>http://news.example.org/big/1</link><description>Short body.</description></item><item><title>Second</title><link>http://news.example.org/big/2</link><description>Other.</description></item></channel></rss>");
        var (poller, states, provider) = await PollerAsync([FetchTestHost.Feed("huge-title", host.Server.Url(Path))], new JsonObject { ["PollInterval"] = "00:00:00", ["MaxNewItemsPerPoll"] = 1 });
        using (provider)
        {
            Assert.Equal(1, Assert.Single(await poller.PollAllAsync(CancellationToken.None)).NewArticles);
            var (state, _) = await states.ReadAsync("huge-title", CancellationToken.None);
            Assert.Contains("1 older items wait for the next poll: at most 1 new articles per poll (Watcher:Fetch:MaxNewItemsPerPoll)", state!.LastWarning, StringComparison.Ordinal);

            Assert.Equal(1, Assert.Single(await poller.PollAllAsync(CancellationToken.None)).NewArticles);
            var store = provider.GetRequiredService<ArticleStore>();
            await foreach (var blob in provider.GetRequiredService<Watcher.Storage.WatcherStorage>().Articles.GetBlobsAsync())
            {
                var article = await store.ReadAsync(blob.Name, CancellationToken.None);
                if (article!.Source.FeedName == "huge-title")
                {
                    Assert.True(article.Title.Length <= ArticleFactory.MaxTitleLength, $"title of {article.Title.Length} characters");
                }
            }
        }
    }

    [Fact]
    public async Task Second_poll_is_a_conditional_get_answered_304_and_the_user_agent_names_watcher()
    {
        const string Path = "/conditional";
        var body = Rss(Path, 3);
        host.Server.Map(Path, async context =>
        {
            if (context.Request.Headers.IfNoneMatch.ToString() == "\"v1\"")
            {
                context.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }

            context.Response.Headers.ETag = "\"v1\"";
            context.Response.Headers.LastModified = "Mon, 02 Mar 2026 10:00:00 GMT";
            context.Response.ContentType = "application/rss+xml";
            await context.Response.WriteAsync(body);
        });
        var (poller, states, provider) = await PollerAsync([FetchTestHost.Feed("conditional", host.Server.Url(Path))], new JsonObject { ["PollInterval"] = "00:00:00", ["ContactUrl"] = "https://watcher.example/contact" });
        using (provider)
        {
            var first = await poller.PollAllAsync(CancellationToken.None);
            var (_, afterFirst) = await states.ReadAsync("conditional", CancellationToken.None);
            var second = await poller.PollAllAsync(CancellationToken.None);
            var (_, afterSecond) = await states.ReadAsync("conditional", CancellationToken.None);

            // A routine 304 leaves the state blob as it was: one storage write saved per poll.
            Assert.Equal(afterFirst, afterSecond);
            Assert.Equal(3, first[0].NewArticles);
            Assert.Equal(0, second[0].Items);
            var requests = host.Server.Requests.Where(r => r.Path == Path).ToList();
            Assert.Equal(2, requests.Count);
            Assert.Equal("\"v1\"", requests[1].IfNoneMatch);
            Assert.Equal("Mon, 02 Mar 2026 10:00:00 GMT", requests[1].IfModifiedSince);
            Assert.Matches(@"^Watcher/\S+ \(\+https://watcher\.example/contact\)$", requests[0].UserAgent);
            var (state, _) = await states.ReadAsync("conditional", CancellationToken.None);
            Assert.Equal("\"v1\"", state!.ETag);
            Assert.Equal(3, state.ItemsSeen);
        }
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task Compressed_answers_are_read(string encoding)
    {
        var path = "/compressed-" + encoding;
        var plain = Encoding.UTF8.GetBytes(Rss(path, 2));
        using var packed = new MemoryStream();
        await using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new ZLibStream(packed, CompressionLevel.Fastest, leaveOpen: true),
            _ => new BrotliStream(packed, CompressionLevel.Fastest, leaveOpen: true),
        })
        {
            await compressor.WriteAsync(plain);
        }

        var compressed = packed.ToArray();
        host.Server.Map(path, async context =>
        {
            context.Response.Headers.ContentEncoding = encoding;
            context.Response.ContentType = "application/rss+xml";
            await context.Response.Body.WriteAsync(compressed);
        });
        var (poller, _, provider) = await PollerAsync([FetchTestHost.Feed("compressed " + encoding, host.Server.Url(path))]);
        using (provider)
        {
            var result = Assert.Single(await poller.PollAllAsync(CancellationToken.None));
            Assert.Null(result.Error);
            Assert.Equal(2, result.NewArticles);
            Assert.Contains(encoding, host.Server.Requests.First(r => r.Path == path).AcceptEncoding, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Permanent_redirect_moves_the_feed_in_its_state_and_later_polls_go_there()
    {
        host.Server.Map("/old-home", context =>
        {
            context.Response.Redirect("/interim", permanent: true);
            return Task.CompletedTask;
        });
        host.Server.Map("/interim", context =>
        {
            context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
            context.Response.Headers.Location = "/new-home";
            return Task.CompletedTask;
        });
        host.Server.MapText("/new-home", Rss("/new-home", 1));
        var (poller, states, provider) = await PollerAsync([FetchTestHost.Feed("moved", host.Server.Url("/old-home"))], new JsonObject { ["PollInterval"] = "00:00:00" });
        using (provider)
        {
            Assert.Null((await poller.PollAllAsync(CancellationToken.None))[0].Error);
            var (state, _) = await states.ReadAsync("moved", CancellationToken.None);
            Assert.Equal(host.Server.Url("/new-home").AbsoluteUri, state!.FeedUrl);
            Assert.Equal(host.Server.Url("/old-home").AbsoluteUri, state.ConfiguredUrl);

            await poller.PollAllAsync(CancellationToken.None);
            Assert.Equal(1, host.Server.HitsOn("/old-home"));
            Assert.Equal(2, host.Server.HitsOn("/new-home"));
        }
    }

    [Fact]
    public async Task Temporary_redirect_does_not_move_the_feed()
    {
        host.Server.Map("/temporary", context =>
        {
            context.Response.Redirect("/temporary-target");
            return Task.CompletedTask;
        });
        host.Server.MapText("/temporary-target", Rss("/temporary-target", 1));
        var (poller, states, provider) = await PollerAsync([FetchTestHost.Feed("temporary", host.Server.Url("/temporary"))]);
        using (provider)
        {
            Assert.Null((await poller.PollAllAsync(CancellationToken.None))[0].Error);
            var (state, _) = await states.ReadAsync("temporary", CancellationToken.None);
            Assert.Equal(host.Server.Url("/temporary").AbsoluteUri, state!.FeedUrl);
        }
    }

    [Fact]
    public async Task A_healthy_feed_waits_for_its_poll_interval()
    {
        host.Server.MapText("/interval", Rss("/interval", 1));
        var (poller, states, provider) = await PollerAsync([FetchTestHost.Feed("interval", host.Server.Url("/interval"))], new JsonObject { ["PollInterval"] = "01:00:00" });
        using (provider)
        {
            await poller.PollAllAsync(CancellationToken.None);
            var skipped = Assert.Single(await poller.PollAllAsync(CancellationToken.None));
            Assert.Contains("not due", skipped.SkippedBecause, StringComparison.Ordinal);
            Assert.Equal(1, host.Server.HitsOn("/interval"));
            var (state, _) = await states.ReadAsync("interval", CancellationToken.None);
            Assert.InRange(state!.NextPoll!.Value - state.LastSuccess!.Value, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        }
    }

    [Fact]
    public async Task More_than_five_redirects_is_an_error()
    {
        for (var i = 0; i < 7; i++)
        {
            var next = $"/chain-{i + 1}";
            host.Server.Map($"/chain-{i}", context =>
            {
                context.Response.Redirect(next);
                return Task.CompletedTask;
            });
        }

        var (poller, states, provider) = await PollerAsync([FetchTestHost.Feed("chain", host.Server.Url("/chain-0"))]);
        using (provider)
        {
            await poller.PollAllAsync(CancellationToken.None);
            var (state, _) = await states.ReadAsync("chain", CancellationToken.None);
            Assert.Equal(FeedErrorKind.TooManyRedirects, state!.LastErrorKind);
            Assert.Equal(6, host.Server.Requests.Count(r => r.Path.StartsWith("/chain-", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Failures_back_off_exponentially_up_to_the_cap()
    {
        host.Server.Map("/failing", context =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        var (poller, states, provider) = await PollerAsync(
            [FetchTestHost.Feed("failing", host.Server.Url("/failing"))],
            new JsonObject { ["InitialBackoff"] = "00:00:00.200", ["MaxBackoff"] = "00:00:00.800" });
        using (provider)
        {
            var waits = new List<TimeSpan>();
            for (var i = 0; i < 4; i++)
            {
                var (before, _) = await states.ReadAsync("failing", CancellationToken.None);
                if (before?.NextPoll is { } next && next > DateTimeOffset.UtcNow)
                {
                    await Task.Delay(next - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(20));
                }

                await poller.PollAllAsync(CancellationToken.None);
                var (after, _) = await states.ReadAsync("failing", CancellationToken.None);
                waits.Add(after!.NextPoll!.Value - after.LastAttempt!.Value);
                Assert.Equal(i + 1, after.ConsecutiveFailures);
                Assert.Equal(FeedErrorKind.HttpStatus, after.LastErrorKind);
                Assert.Equal(500, after.LastStatusCode);
            }

            Assert.Equal([200, 400, 800, 800], waits.Select(w => (int)Math.Round(w.TotalMilliseconds)).ToArray());

            // Not due yet: skipped without a request.
            var hits = host.Server.HitsOn("/failing");
            var skipped = Assert.Single(await poller.PollAllAsync(CancellationToken.None));
            Assert.NotNull(skipped.SkippedBecause);
            Assert.Equal(hits, host.Server.HitsOn("/failing"));
        }
    }

    [Fact]
    public async Task A_gone_feed_polls_again_once_the_configuration_changes_its_url()
    {
        host.Server.Map("/removed", context =>
        {
            context.Response.StatusCode = StatusCodes.Status410Gone;
            return Task.CompletedTask;
        });
        host.Server.MapText("/replacement", Rss("/replacement", 1));
        var (poller, states, provider) = await PollerAsync([FetchTestHost.Feed("relocated", host.Server.Url("/removed"))]);
        using (provider)
        {
            await poller.PollAllAsync(CancellationToken.None);
            Assert.True((await states.ReadAsync("relocated", CancellationToken.None)).State!.Disabled);
        }

        var (moved, movedStates, movedProvider) = await PollerAsync([FetchTestHost.Feed("relocated", host.Server.Url("/replacement"))]);
        using (movedProvider)
        {
            Assert.Null((await moved.PollAllAsync(CancellationToken.None))[0].Error);
            var (state, _) = await movedStates.ReadAsync("relocated", CancellationToken.None);
            Assert.False(state!.Disabled);
            Assert.Equal(host.Server.Url("/replacement").AbsoluteUri, state.FeedUrl);
        }
    }

    [Fact]
    public async Task One_host_gets_at_most_the_configured_concurrent_requests()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        var feeds = new JsonArray();
        for (var i = 0; i < 8; i++)
        {
            var path = $"/polite-{i}";
            var body = Rss(path, 1);
            host.Server.Map(path, async context =>
            {
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref maxInFlight, now);
                await Task.Delay(150);
                Interlocked.Decrement(ref inFlight);
                context.Response.ContentType = "application/rss+xml";
                await context.Response.WriteAsync(body);
            });
            feeds.Add(FetchTestHost.Feed($"polite {i}", host.Server.Url(path)));
        }

        // A generous timeout: the test is about concurrency, and on a busy machine the first
        // connections can take longer than the fixture's one second.
        var (poller, _, provider) = await PollerAsync(feeds, new JsonObject { ["MaxConcurrencyPerHost"] = 2, ["MinIntervalPerHost"] = "00:00:00", ["Timeout"] = "00:00:15" });
        using (provider)
        {
            var results = await poller.PollAllAsync(CancellationToken.None);
            Assert.All(results, r => Assert.Null(r.Error));
            Assert.Equal(2, maxInFlight);
        }
    }

    [Fact]
    public async Task Requests_to_one_host_start_the_minimum_interval_apart()
    {
        // Arrival times at the server carry each request's own connection latency, so the check
        // is on the spread of all starts: without the interval the eight would arrive within a
        // few milliseconds of each other.
        var feeds = new JsonArray();
        for (var i = 0; i < 8; i++)
        {
            var path = $"/spaced-{i}";
            host.Server.MapText(path, Rss(path, 1));
            feeds.Add(FetchTestHost.Feed($"spaced {i}", host.Server.Url(path)));
        }

        var (poller, _, provider) = await PollerAsync(feeds, new JsonObject { ["MaxConcurrencyPerHost"] = 8, ["MinIntervalPerHost"] = "00:00:00.100" });
        using (provider)
        {
            var results = await poller.PollAllAsync(CancellationToken.None);
            Assert.All(results, r => Assert.Null(r.Error));
            var starts = host.Server.Requests.Where(r => r.Path.StartsWith("/spaced-", StringComparison.Ordinal)).Select(r => r.At).Order().ToList();
            Assert.Equal(8, starts.Count);
            Assert.True(starts[^1] - starts[0] >= TimeSpan.FromMilliseconds(7 * 100 * 0.8), $"8 starts within {(starts[^1] - starts[0]).TotalMilliseconds} ms");
        }
    }

    [Fact]
    public async Task Same_story_from_two_feeds_is_stored_once_with_both_sources()
    {
        const string Item = "<item><title>Shared story</title><link>http://News.Example.org:80/shared-story?utm_medium=feed&amp;id=7#comments</link><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate><description>One story in two feeds.</description></item>";
        host.Server.MapText("/first-feed", $"<rss version=\"2.0\"><channel><title>First</title>{Item}</channel></rss>");
        host.Server.MapText("/second-feed", $"<rss version=\"2.0\"><channel><title>Second</title>{Item.Replace("utm_medium=feed", "fbclid=abc", StringComparison.Ordinal)}</channel></rss>");
        var (poller, _, provider) = await PollerAsync([FetchTestHost.Feed("first", host.Server.Url("/first-feed")), FetchTestHost.Feed("second", host.Server.Url("/second-feed"))]);
        using (provider)
        {
            var results = await poller.PollAllAsync(CancellationToken.None);
            Assert.Equal(1, results.Sum(r => r.NewArticles));
            Assert.True(CanonicalUrl.TryCreate("http://news.example.org/shared-story?id=7", null, out var canonical));
            var entry = await provider.GetRequiredService<ArticleStore>().ReadIndexAsync(ArticleId.FromCanonicalUrl(canonical), CancellationToken.None);
            Assert.NotNull(entry);
            Assert.Equal(["first", "second"], entry.Sources.Select(s => s.FeedName).Order().ToArray());
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
