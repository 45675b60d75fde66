using Watcher.Feeds;
using static Watcher.Tests.Feeds.Parsing.FeedFixtures;

namespace Watcher.Tests.Feeds.Parsing;

public class XmlBaseTests
{
    [Fact]
    public void Xml_base_applies_at_feed_entry_and_element_level()
    {
        var feed = ParseFile("atom10-xmlbase.xml");

        Assert.Equal("https://news.example/world/index.html", feed.Link);
        Assert.Equal("https://news.example/archive/2021/xiaomi.html", feed.Items[0].Link);
        Assert.Contains("href=\"https://cdn.news.example/docs/list.pdf\"", feed.Items[0].ContentHtml, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_xml_base_links_resolve_against_the_document_url()
    {
        var feed = ParseText(
            """<rss version="2.0"><channel><link>/</link><item><link>story/7</link></item></channel></rss>""",
            new FeedParseContext { BaseUri = new Uri("https://site.example/feeds/main.xml"), ContentType = "application/xml" });

        Assert.Equal("https://site.example/", feed.Link);
        Assert.Equal("https://site.example/feeds/story/7", Assert.Single(feed.Items).Link);
    }

    [Fact]
    public void Xml_base_itself_relative_resolves_against_the_document_url()
    {
        var feed = ParseText(
            """<feed xmlns="http://www.w3.org/2005/Atom" xml:base="/blog/"><entry><link href="post.html"/></entry></feed>""",
            new FeedParseContext { BaseUri = new Uri("https://base.example/feeds/atom.xml"), ContentType = "application/atom+xml" });

        Assert.Equal("https://base.example/blog/post.html", Assert.Single(feed.Items).Link);
    }

    [Fact]
    public void Absolute_links_are_kept_as_written()
    {
        var feed = ParseText(
            """<rss version="2.0"><channel><item><link>http://Other.example/a%20b?x=1&amp;y=2</link></item></channel></rss>""",
            new FeedParseContext { BaseUri = new Uri("https://site.example/feed"), ContentType = "text/xml; charset=utf-8" });

        Assert.Equal("http://Other.example/a%20b?x=1&y=2", Assert.Single(feed.Items).Link);
    }
}
