using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Watcher.Articles;
using Watcher.Feeds;
using Watcher.Feeds.Fetching;
using Watcher.Storage;

namespace Watcher.Tests.Feeds.Fetching;

/// <summary>
/// Every class of bad input served next to a healthy feed, all polled in one run: each broken
/// feed ends with a named problem in its own state and a log line, and the healthy feed is read.
/// </summary>
public sealed class BadInputTests(BadInputTests.Host host) : IClassFixture<BadInputTests.Host>
{
    public static readonly TheoryData<string> ParserProblems = new() { "malformed", "html", "wrong-encoding", "invalid-utf8" };

    [Fact]
    public void Healthy_feed_is_read_in_the_same_poll()
    {
        var state = host.States["healthy"];
        Assert.Null(state.LastError);
        Assert.Equal(2, host.Results["healthy"].NewArticles);
        Assert.NotNull(state.LastSuccess);
    }

    [Theory]
    [InlineData("xxe", FeedErrorKind.DtdRefused)]
    [InlineData("billion-laughs", FeedErrorKind.DtdRefused)]
    [InlineData("huge", FeedErrorKind.TooLarge)]
    [InlineData("redirect-loop", FeedErrorKind.RedirectLoop)]
    [InlineData("redirect-metadata", FeedErrorKind.NotAllowed)]
    [InlineData("redirect-loopback", FeedErrorKind.NotAllowed)]
    [InlineData("silent", FeedErrorKind.Timeout)]
    [InlineData("not-found", FeedErrorKind.HttpStatus)]
    [InlineData("gone", FeedErrorKind.Gone)]
    [InlineData("rate-limited", FeedErrorKind.RateLimited)]
    [InlineData("empty", FeedErrorKind.Empty)]
    public void Fetch_problem_is_a_named_error_in_the_feeds_state(string feed, FeedErrorKind kind)
    {
        var state = host.States[feed];
        Assert.Equal(kind, state.LastErrorKind);
        Assert.False(string.IsNullOrWhiteSpace(state.LastError));
        Assert.InRange(state.ConsecutiveFailures, 1, 2);
        Assert.NotNull(host.Results[feed].Error);
        Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains($"Feed {feed} failed ({kind})", StringComparison.Ordinal));
    }

    /// <summary>
    /// A document that is not (quite) a feed is either refused by the parser or read leniently;
    /// both leave the problem named in the feed's state.
    /// </summary>
    [Theory]
    [MemberData(nameof(ParserProblems))]
    public void Parser_problem_is_named_in_the_feeds_state(string feed)
    {
        var state = host.States[feed];
        if (state.LastErrorKind is not null)
        {
            Assert.Equal(FeedErrorKind.Parse, state.LastErrorKind);
            Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Error && e.Message.Contains($"Feed {feed} failed", StringComparison.Ordinal));
        }
        else
        {
            Assert.False(string.IsNullOrWhiteSpace(state.LastWarning), $"{feed} was read without error or warning");
        }
    }

    [Fact]
    public void Xxe_never_reads_the_local_file()
    {
        Assert.DoesNotContain(host.StoredTexts, text => text.Contains("SECRET-FROM-DISK", StringComparison.Ordinal));
    }

    [Fact]
    public void Huge_body_is_cut_off_while_streaming()
    {
        // No Content-Length was announced, so only the cap applied while reading can have stopped it.
        Assert.Contains("sent more than the 1048576-byte limit", host.States["huge"].LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Items_without_links_or_dates_are_stored_or_skipped_with_a_warning()
    {
        var state = host.States["no-links"];
        Assert.Null(state.LastError);
        Assert.Contains("neither link nor guid", state.LastWarning, StringComparison.Ordinal);
        Assert.Contains("no date", state.LastWarning, StringComparison.Ordinal);
        Assert.Equal(2, host.Results["no-links"].NewArticles);
    }

    [Fact]
    public void Gone_feed_is_disabled_and_rate_limited_feed_waits_for_retry_after()
    {
        Assert.True(host.States["gone"].Disabled);
        Assert.Contains("410", host.States["gone"].DisabledReason, StringComparison.Ordinal);
        Assert.True(host.States["rate-limited"].NextPoll >= host.PolledAt.AddSeconds(3590), $"next poll {host.States["rate-limited"].NextPoll}");

        // The second poll calls neither again, while a feed whose back-off is over is retried.
        Assert.Equal(1, host.HitsAfterFirstPoll["/gone"]);
        Assert.Equal(1, host.HitsAfterSecondPoll["/gone"]);
        Assert.Equal(1, host.HitsAfterSecondPoll["/rate-limited"]);
        Assert.Contains("disabled", host.SecondPoll["gone"].SkippedBecause, StringComparison.Ordinal);
        Assert.Equal(2, host.HitsAfterSecondPoll["/not-found"]);
    }

    /// <summary>
    /// About 10,000 nested elements once overflowed the stack in the tree mapper and aborted the
    /// process (this test host with it); now the readers stop at a named depth.
    /// </summary>
    [Theory]
    [InlineData("deep")]
    [InlineData("deep-unclosed")]
    public void Deeply_nested_feed_is_a_named_parse_error(string feed)
    {
        var state = host.States[feed];
        Assert.Equal(FeedErrorKind.Parse, state.LastErrorKind);
        Assert.Contains("more than 256 levels deep", state.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Deeply_nested_html_in_an_item_is_stored_as_text()
    {
        Assert.Null(host.States["deep-html"].LastError);
        Assert.Equal(1, host.Results["deep-html"].NewArticles);
        Assert.Contains(host.StoredTexts, text => text.Contains("bottom of the nest", StringComparison.Ordinal));
    }

    [Fact]
    public void Retry_after_years_ahead_is_capped_at_the_maximum_back_off()
    {
        var next = host.States["parked"].NextPoll;
        Assert.InRange(next!.Value, host.PolledAt.AddHours(2).AddMinutes(-1), host.PolledAt.AddHours(2).AddMinutes(5));
    }

    public sealed class Host : FetchTestHost
    {
        private static readonly string[] Names =
        [
            "healthy", "malformed", "html", "xxe", "billion-laughs", "huge", "wrong-encoding", "invalid-utf8",
            "redirect-loop", "redirect-metadata", "redirect-loopback", "silent", "not-found", "gone", "rate-limited", "empty", "no-links",
            "deep", "deep-unclosed", "deep-html", "parked",
        ];

        public Dictionary<string, FeedState> States { get; } = [];

        public Dictionary<string, FeedPollResult> Results { get; } = [];

        public Dictionary<string, FeedPollResult> SecondPoll { get; } = [];

        public Dictionary<string, int> HitsAfterFirstPoll { get; } = [];

        public Dictionary<string, int> HitsAfterSecondPoll { get; } = [];

        public List<string> StoredTexts { get; } = [];

        public LogSink Logs { get; } = new();

        public DateTimeOffset PolledAt { get; private set; }

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var secretFile = Path.Combine(Root, "secret.txt");
            Directory.CreateDirectory(Root);
            await File.WriteAllTextAsync(secretFile, "SECRET-FROM-DISK");
            MapFeeds(new Uri(secretFile).AbsoluteUri);

            var feeds = new JsonArray(Names.Select(n => (JsonNode)Feed(n, Server.Url(n))).ToArray());
            var config = WriteConfig(feeds, new JsonObject { ["MaxResponseBytes"] = 1024 * 1024, ["InitialBackoff"] = "00:00:00.001", ["MaxBackoff"] = "02:00:00" });
            await using var provider = await BuildAsync(config, Logs);
            var poller = provider.GetRequiredService<FeedPoller>();
            PolledAt = DateTimeOffset.UtcNow;
            foreach (var result in await poller.PollAllAsync(CancellationToken.None))
            {
                Results[result.FeedName] = result;
            }

            foreach (var name in Names)
            {
                HitsAfterFirstPoll["/" + name] = Server.HitsOn("/" + name);
            }

            foreach (var result in await poller.PollAllAsync(CancellationToken.None))
            {
                SecondPoll[result.FeedName] = result;
            }

            foreach (var name in Names)
            {
                HitsAfterSecondPoll["/" + name] = Server.HitsOn("/" + name);
            }

            var (states, _) = await provider.GetRequiredService<FeedStateStore>().ReadAllAsync(CancellationToken.None);
            foreach (var (name, state) in states)
            {
                States[name] = state;
            }

            var storage = provider.GetRequiredService<WatcherStorage>();
            await foreach (var blob in storage.Articles.GetBlobsAsync())
            {
                StoredTexts.Add((await storage.Articles.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToString());
            }
        }

        private void MapFeeds(string secretUrl)
        {
            var server = Server;
            server.MapText("/healthy", Rss(
                Item("Healthy one", server.Url("/articles/one").AbsoluteUri, "Mon, 02 Mar 2026 10:00:00 GMT", "Italy blocks a 5G contract with Huawei on security grounds."),
                Item("Healthy two", server.Url("/articles/two").AbsoluteUri, "Mon, 02 Mar 2026 11:00:00 GMT", "The Commerce Department adds companies to the Entity List.")));
            server.MapText("/malformed", "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Broken</title><item><title>Unclosed <b>tags</item></channel>");
            server.MapText("/html", "<!DOCTYPE html><html><head><title>Welcome</title></head><body><p>This is a web page, not a feed.</p></body></html>", "text/html; charset=utf-8");
            server.MapText("/xxe", $"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY secret SYSTEM "{secretUrl}">]><rss version="2.0"><channel><title>XXE</title><item><title>&secret;</title><link>http://example.org/xxe</link></item></channel></rss>""");
            server.MapText("/billion-laughs", """
                <?xml version="1.0"?>
                <!DOCTYPE lolz [
                  <!ENTITY lol "lol">
                  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
                  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
                  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
                  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
                  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
                  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
                  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
                  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
                ]>
                <rss version="2.0"><channel><title>&lol9;</title></channel></rss>
                """);
            server.Map("/huge", async context =>
            {
                // 50 MB in chunks without a Content-Length: only a streaming cap stops it early.
                context.Response.ContentType = "application/rss+xml";
                var chunk = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
                await context.Response.WriteAsync("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>");
                try
                {
                    for (var sent = 0L; sent < 50L * 1024 * 1024 && !context.RequestAborted.IsCancellationRequested; sent += chunk.Length)
                    {
                        await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    }
                }
                catch (OperationCanceledException)
                {
                    // The client hung up, as it should.
                }
                catch (IOException)
                {
                    // Likewise.
                }
            });
            server.MapBytes("/wrong-encoding", Encoding.Latin1.GetBytes(Rss(Item("Beëindiging van het contract met Huawei", "http://example.org/wrong-encoding", "Mon, 02 Mar 2026 10:00:00 GMT", "Café, ruïne en privé."))), "application/rss+xml; charset=utf-16");
            var invalid = Encoding.UTF8.GetBytes(Rss(Item("Invalid XX bytes", "http://example.org/invalid-utf8", "Mon, 02 Mar 2026 10:00:00 GMT", "text")));
            var marker = Encoding.UTF8.GetBytes("XX");
            var at = invalid.AsSpan().IndexOf(marker);
            invalid[at] = 0xC3;
            invalid[at + 1] = 0x28;
            server.MapBytes("/invalid-utf8", invalid, "application/rss+xml; charset=utf-8");
            server.Map("/redirect-loop", context =>
            {
                context.Response.Redirect("/redirect-loop-b");
                return Task.CompletedTask;
            });
            server.Map("/redirect-loop-b", context =>
            {
                context.Response.Redirect("/redirect-loop");
                return Task.CompletedTask;
            });
            server.Map("/redirect-metadata", context =>
            {
                context.Response.Redirect("http://169.254.169.254/latest/meta-data/");
                return Task.CompletedTask;
            });
            server.Map("/redirect-loopback", context =>
            {
                context.Response.Redirect($"http://[::1]:{server.BaseUrl.Port}/healthy");
                return Task.CompletedTask;
            });
            server.Map("/silent", async context =>
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up, as configured.
                }
            });
            server.Map("/gone", context =>
            {
                context.Response.StatusCode = StatusCodes.Status410Gone;
                return Task.CompletedTask;
            });
            server.Map("/rate-limited", context =>
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = "3600";
                return Task.CompletedTask;
            });
            server.Map("/parked", context =>
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "Thu, 01 Jan 2037 00:00:00 GMT";
                return Task.CompletedTask;
            });
            var nest = string.Concat(Enumerable.Repeat("<x>", 10_000));
            server.MapText("/deep", Rss(Item("Deep", "http://example.org/deep", "Mon, 02 Mar 2026 10:00:00 GMT", "deep")).Replace("</channel>", nest + string.Concat(Enumerable.Repeat("</x>", 10_000)) + "</channel>", StringComparison.Ordinal));
            server.MapText("/deep-unclosed", Rss(Item("Deep", "http://example.org/deep-unclosed", "Mon, 02 Mar 2026 10:00:00 GMT", "deep")).Replace("</channel>", nest + "</channel>", StringComparison.Ordinal));
            var html = string.Concat(Enumerable.Repeat("&lt;div&gt;", 10_000)) + "bottom of the nest" + string.Concat(Enumerable.Repeat("&lt;/div&gt;", 10_000));
            server.MapText("/deep-html", Rss(Item("Deep markup", "http://example.org/deep-html", "Mon, 02 Mar 2026 10:00:00 GMT", html)));
            server.MapText("/empty", "");
            server.MapText("/no-links", Rss(
                "<item><title>Neither link nor guid</title><description>Lost item</description></item>",
                "<item><title>Guid only</title><guid isPermaLink=\"false\">urn:watcher:test:guid-only</guid><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate><description>Identified by its guid.</description></item>",
                Item("No date", "http://example.org/no-date", null, "An item without any date.")));
        }

        private static string Rss(params string[] items) =>
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Test feed</title><link>http://example.org/</link>{string.Concat(items)}</channel></rss>";

        private static string Item(string title, string link, string? date, string description) =>
            $"<item><title>{title}</title><link>{link}</link>{(date is null ? "" : $"<pubDate>{date}</pubDate>")}<description>{description}</description></item>";
    }
}
