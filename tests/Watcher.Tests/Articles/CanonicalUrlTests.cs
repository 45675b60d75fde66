using Watcher.Articles;

namespace Watcher.Tests.Articles;

public sealed class CanonicalUrlTests
{
    [Theory]
    [InlineData("https://Example.ORG/news/a?utm_source=rss&utm_medium=feed", "https://example.org/news/a")]
    [InlineData("https://example.org/news/a?fbclid=IwAR0x&gclid=abc&id=5", "https://example.org/news/a?id=5")]
    [InlineData("https://example.org:443/news/a#comments", "https://example.org/news/a")]
    [InlineData("http://example.org:80/news/a", "http://example.org/news/a")]
    [InlineData("http://example.org:8080/news/a", "http://example.org:8080/news/a")]
    [InlineData("https://example.org/news/a?b=2&a=1", "https://example.org/news/a?a=1&b=2")]
    [InlineData("https://example.org/news/a?pk_campaign=x&mc_cid=1&_ga=2.1&ocid=rss", "https://example.org/news/a")]
    [InlineData("https://user:secret@example.org/news/a", "https://example.org/news/a")]
    [InlineData("https://example.org./news/a", "https://example.org/news/a")]
    public void Tracking_case_port_fragment_and_order_do_not_change_the_url(string link, string expected)
    {
        Assert.True(CanonicalUrl.TryCreate(link, null, out var canonical));
        Assert.Equal(expected, canonical.AbsoluteUri);
    }

    [Fact]
    public void Variants_of_one_link_get_one_id_and_different_articles_do_not()
    {
        Assert.True(CanonicalUrl.TryCreate("https://EXAMPLE.org/a?utm_campaign=x#top", null, out var one));
        Assert.True(CanonicalUrl.TryCreate("https://example.org:443/a?fbclid=1", null, out var two));
        Assert.True(CanonicalUrl.TryCreate("https://example.org/a?id=2", null, out var other));
        Assert.Equal(ArticleId.FromCanonicalUrl(one), ArticleId.FromCanonicalUrl(two));
        Assert.NotEqual(ArticleId.FromCanonicalUrl(one), ArticleId.FromCanonicalUrl(other));
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("mailto:news@example.org")]
    [InlineData("file:///etc/passwd")]
    [InlineData("")]
    [InlineData("   ")]
    public void Only_web_links_qualify(string link) => Assert.False(CanonicalUrl.TryCreate(link, null, out _));

    [Fact]
    public void Relative_links_resolve_against_the_base() =>
        Assert.Equal("https://example.org/news/b", CanonicalUrl.TryCreate("../news/b?utm_source=x", new Uri("https://example.org/feeds/rss"), out var url) ? url.AbsoluteUri : null);

    [Fact]
    public void A_guid_is_only_unique_within_its_feed() =>
        Assert.NotEqual(ArticleId.FromGuid("https://a.example/feed", "42"), ArticleId.FromGuid("https://b.example/feed", "42"));
}
