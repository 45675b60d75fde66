using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Watcher.Articles;
using Watcher.Feeds;
using Watcher.Feeds.Fetching;
using Watcher.Storage;
using Watcher.Tests.Feeds.Fetching;

namespace Watcher.Tests.Articles;

/// <summary>The article-page fetch: main text extracted and sanitized, internal addresses refused unless allow-listed.</summary>
public sealed class FullTextTests(FetchTestHost host) : IClassFixture<FetchTestHost>
{
    private const string Page = """
        <!DOCTYPE html><html lang="en"><head><title>Italy blocks Huawei deal</title><script>alert('x')</script></head>
        <body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
        <article><h1>Italy blocks Huawei deal</h1>
        <p>Italy's government has used its golden power rules to block a deal under which Fastweb would buy 5G core network equipment from Huawei, people familiar with the matter said on Friday.</p>
        <p>The cabinet decided the contract posed a risk to national security. Fastweb, owned by Swisscom, had notified the government of the supply agreement in September.</p>
        <p>Huawei said it was disappointed and that it had always complied with Italian law. <img src="x" onerror="alert(1)"> The company may appeal the decision in court, according to a spokesperson.</p>
        <p>Analysts said the decision follows similar moves elsewhere in Europe, where governments have limited the role of Chinese vendors in the most sensitive parts of their networks.</p>
        </article><footer>Copyright</footer></body></html>
        """;

    private void MapSite(string prefix)
    {
        host.Server.MapText($"/{prefix}/page", Page, "text/html; charset=utf-8");
        host.Server.MapText($"/{prefix}/feed", $"<rss version=\"2.0\"><channel><title>Short</title><item><title>Italy blocks Huawei deal</title><link>{host.Server.Url($"/{prefix}/page")}</link><description>Teaser only.</description></item></channel></rss>");
    }

    private async Task<Article> PollOneAsync(string prefix, JsonArray allowed)
    {
        MapSite(prefix);
        using var provider = await FetchTestHost.BuildAsync(host.WriteConfig([FetchTestHost.Feed(prefix, host.Server.Url($"/{prefix}/feed"), fullText: true)], new JsonObject { ["AllowedPrivateHosts"] = allowed }));
        Assert.Null(Assert.Single(await provider.GetRequiredService<FeedPoller>().PollAllAsync(CancellationToken.None)).Error);
        var storage = provider.GetRequiredService<WatcherStorage>();
        var store = provider.GetRequiredService<ArticleStore>();
        await foreach (var blob in storage.Articles.GetBlobsAsync())
        {
            var article = await store.ReadAsync(blob.Name, CancellationToken.None);
            if (article!.Source.FeedName == prefix)
            {
                return article;
            }
        }

        throw new InvalidOperationException("no article stored");
    }

    [Fact]
    public async Task Allow_listed_page_gives_its_main_text_as_plain_text()
    {
        var article = await PollOneAsync("allowed", ["127.0.0.0/8"]);
        Assert.Contains("golden power rules", article.Text, StringComparison.Ordinal);
        Assert.Contains("Chinese vendors", article.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("alert", article.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<", article.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Copyright", article.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_windows_1252_page_is_decoded_by_its_declared_charset()
    {
        var page = Page.Replace("Huawei said it was disappointed", "Huawei noemde de beëindiging teleurstellend", StringComparison.Ordinal);
        host.Server.MapBytes("/cp1252/page", System.Text.CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes(page), "text/html; charset=windows-1252");
        using var provider = await FetchTestHost.BuildAsync(host.WriteConfig([], new JsonObject { ["AllowedPrivateHosts"] = new JsonArray("127.0.0.1") }));
        var reader = provider.GetRequiredService<ArticlePageReader>();
        var (html, _) = await reader.FetchPageAsync(host.Server.Url("/cp1252/page"), CancellationToken.None);
        Assert.Contains("beëindiging", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loopback_page_is_refused_and_the_feed_text_kept()
    {
        var article = await PollOneAsync("refused", []);
        Assert.Equal("Teaser only.", article.Text);
        Assert.Equal(0, host.Server.HitsOn("/refused/page"));
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.20.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("0.0.0.0")]
    public void Internal_addresses_are_not_public(string address) => Assert.False(PrivateAddressGuard.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946")]
    public void Internet_addresses_are_public(string address) => Assert.True(PrivateAddressGuard.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public async Task Localhost_by_name_is_refused_after_resolving()
    {
        var guard = new PrivateAddressGuard([]);
        var refused = await Assert.ThrowsAsync<BlockedAddressException>(() => guard.ResolveAsync("localhost", CancellationToken.None));
        Assert.Contains("localhost", refused.Message, StringComparison.Ordinal);
        Assert.NotEmpty(await new PrivateAddressGuard(["localhost"]).ResolveAsync("localhost", CancellationToken.None));
    }

    [Fact]
    public async Task A_redirect_from_an_allowed_host_to_an_internal_one_is_checked_again()
    {
        host.Server.Map("/hop", context =>
        {
            context.Response.Redirect($"http://[::1]:{host.Server.BaseUrl.Port}/allowed/page");
            return Task.CompletedTask;
        });
        MapSite("allowed");
        using var provider = await FetchTestHost.BuildAsync(host.WriteConfig([], new JsonObject { ["AllowedPrivateHosts"] = new JsonArray("127.0.0.1") }));
        var reader = provider.GetRequiredService<ArticlePageReader>();
        var (html, _) = await reader.FetchPageAsync(host.Server.Url("/allowed/page"), CancellationToken.None);
        Assert.Contains("golden power", html, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<PageFetchException>(() => reader.FetchPageAsync(host.Server.Url("/hop"), CancellationToken.None));
        Assert.Contains("::1", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_that_drips_its_body_is_cut_at_the_fetch_timeout()
    {
        host.Server.Map("/drip/page", async context =>
        {
            context.Response.ContentType = "text/html";
            await context.Response.StartAsync(context.RequestAborted);
            for (var i = 0; i < 300 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync("<p>x</p>"u8.ToArray(), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(100, context.RequestAborted);
            }
        });
        using var provider = await FetchTestHost.BuildAsync(host.WriteConfig([], new JsonObject { ["AllowedPrivateHosts"] = new JsonArray("127.0.0.1"), ["Timeout"] = "00:00:01" }));
        var reader = provider.GetRequiredService<ArticlePageReader>();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var cut = await Assert.ThrowsAsync<PageFetchException>(() => reader.FetchPageAsync(host.Server.Url("/drip/page"), CancellationToken.None));

        Assert.Contains("within 1 s (Watcher:Fetch:Timeout)", cut.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the 30-second drip held the fetch for {clock.Elapsed}");
    }

    [Fact]
    public async Task Only_web_schemes_are_fetched()
    {
        using var provider = await FetchTestHost.BuildAsync(host.WriteConfig([]));
        var reader = provider.GetRequiredService<ArticlePageReader>();
        await Assert.ThrowsAsync<PageFetchException>(() => reader.FetchPageAsync(new Uri("file:///etc/passwd"), CancellationToken.None));
    }
}
