using Watcher.Feeds;
using static Watcher.Tests.Feeds.Parsing.FeedFixtures;

namespace Watcher.Tests.Feeds.Parsing;

public class FeedFormatTests
{
    [Theory]
    [InlineData("0.91", "rss091u")]
    [InlineData("0.92", "rss092")]
    [InlineData("0.93", "rss093")]
    [InlineData("0.94", "rss094")]
    [InlineData("2.0", "rss20")]
    [InlineData("", "rss")]
    public void Rss_versions_are_recognised_and_items_read(string declared, string expected)
    {
        var feed = ParseText($"""
            <rss version="{declared}"><channel><title>Channel</title><link>http://a.example/</link>
            <item><title>One</title><link>http://a.example/1</link><description>First &amp; best</description></item>
            </channel></rss>
            """);

        Assert.Equal(expected, feed.Version);
        Assert.Equal("Channel", feed.Title);
        var item = Assert.Single(feed.Items);
        Assert.Equal("One", item.Title);
        Assert.Equal("http://a.example/1", item.Link);
        Assert.Equal("First & best", item.SummaryText);
    }

    [Fact]
    public void Netscape_rss_091_is_told_apart_by_its_doctype()
    {
        var feed = ParseText("""
            <!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
            <rss version="0.91"><channel><title>Old</title><item><title>Item</title></item></channel></rss>
            """);

        Assert.Equal("rss091n", feed.Version);
        Assert.Equal("Item", Assert.Single(feed.Items).Title);
    }

    [Fact]
    public void Rss10_rdf_reads_items_outside_the_channel_and_ignores_the_image_title()
    {
        var feed = ParseFile("rss10-rdf.xml");

        Assert.Equal("rss10", feed.Version);
        Assert.Equal("RDF Site", feed.Title);
        Assert.Equal("en", feed.Language);
        var item = Assert.Single(feed.Items);
        Assert.Equal("https://rdf.example/tiktok", item.Id);
        Assert.Equal("Wire Desk", item.Author);
        Assert.Equal(new DateTimeOffset(2020, 9, 11, 12, 0, 0, TimeSpan.Zero), item.Updated);
    }

    [Fact]
    public void Rss090_is_recognised_by_its_namespace()
    {
        var feed = ParseText("""
            <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
              <channel><title>Ninety</title><link>http://n.example/</link></channel>
              <item><title>Old item</title><link>http://n.example/1</link></item>
            </rdf:RDF>
            """);

        Assert.Equal("rss090", feed.Version);
        Assert.Equal("http://n.example/1", Assert.Single(feed.Items).Link);
    }

    [Fact]
    public void Atom03_reads_escaped_html_titles_and_issued_modified_dates()
    {
        var feed = ParseText("""
            <feed version="0.3" xmlns="http://purl.org/atom/ns#">
              <title>Atom 0.3</title>
              <link rel="alternate" type="text/html" href="http://o.example/"/>
              <entry>
                <title type="text/html" mode="escaped">Huawei &lt;b&gt;ban&lt;/b&gt;</title>
                <link rel="alternate" type="text/html" href="http://o.example/1"/>
                <id>tag:o.example,2004:1</id>
                <issued>2004-01-01T10:00:00+01:00</issued>
                <modified>2004-01-02T10:00:00Z</modified>
              </entry>
            </feed>
            """);

        Assert.Equal("atom03", feed.Version);
        Assert.Equal("http://o.example/", feed.Link);
        var entry = Assert.Single(feed.Items);
        Assert.Equal("Huawei <b>ban</b>", entry.RawTitle);
        Assert.Equal("Huawei ban", entry.Title);
        Assert.Equal(new DateTimeOffset(2004, 1, 1, 9, 0, 0, TimeSpan.Zero), entry.Published);
        Assert.Equal(new DateTimeOffset(2004, 1, 2, 10, 0, 0, TimeSpan.Zero), entry.Updated);
    }

    [Fact]
    public void Atom10_reads_titles_authors_dates_and_xhtml_content()
    {
        var feed = ParseFile("atom10-xmlbase.xml");

        Assert.Equal("atom10", feed.Version);
        Assert.Equal("World <em>news</em>", feed.RawTitle);
        Assert.Equal("World news", feed.Title);
        Assert.Equal("en", feed.Language);
        Assert.Equal(new DateTimeOffset(2021, 1, 14, 20, 0, 0, TimeSpan.Zero), feed.Updated);
        var entry = feed.Items[0];
        Assert.Equal("Jane Reporter (jane@news.example)", entry.Author);
        Assert.Equal(new DateTimeOffset(2021, 1, 15, 2, 30, 0, TimeSpan.Zero), entry.Published);
        Assert.Equal("US investors must divest.", entry.SummaryText);
        Assert.Equal("<p>See <a href=\"https://cdn.news.example/docs/list.pdf\">the list</a>.</p>", entry.ContentHtml);
    }

    [Fact]
    public void Json_feed_11_is_read_with_relative_urls_resolved_against_the_feed_url()
    {
        var feed = ParseFile("jsonfeed11.json");

        Assert.Equal("json11", feed.Version);
        Assert.Equal("JSON Nieuws", feed.Title);
        Assert.Equal("nl", feed.Language);
        Assert.Equal(2, feed.Items.Count);
        var first = feed.Items[0];
        Assert.Equal("https://json.example/artikel/1", first.Link);
        Assert.Equal("De verkoop van TikTok.", first.SummaryText);
        Assert.Equal(new DateTimeOffset(2020, 9, 13, 8, 0, 0, TimeSpan.Zero), first.Published);
        Assert.Equal(["TikTok", "divestment"], first.Categories);
        Assert.Equal(new MediaEnclosure("https://json.example/a.mp3", "audio/mpeg", 42), Assert.Single(first.Enclosures));
        Assert.Equal("Redactie", first.Author);
        Assert.Null(feed.Items[1].Link);
        Assert.Equal("Alleen tekst, geen titel of link.", feed.Items[1].SummaryText);
    }

    [Fact]
    public void A_json_document_that_is_not_a_json_feed_is_rejected_with_a_reason()
    {
        var error = Assert.Throws<FeedParseException>(() => ParseText("""{"hello": "world"}"""));

        Assert.Contains("not a JSON Feed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cdf_channels_and_items_are_read_from_their_attributes()
    {
        var feed = ParseText("""
            <CHANNEL HREF="http://cdf.example/" LASTMOD="2004-04-06T23:05:43-05:00">
              <TITLE>CDF channel</TITLE>
              <ITEM HREF="http://cdf.example/item"><TITLE>CDF item</TITLE><ABSTRACT>About it</ABSTRACT></ITEM>
            </CHANNEL>
            """);

        Assert.Equal("cdf", feed.Version);
        Assert.Equal("http://cdf.example/", feed.Link);
        Assert.Equal(new DateTimeOffset(2004, 4, 7, 4, 5, 43, TimeSpan.Zero), feed.Updated);
        var item = Assert.Single(feed.Items);
        Assert.Equal("http://cdf.example/item", item.Link);
        Assert.Equal("About it", item.SummaryText);
    }

    [Fact]
    public void An_empty_feed_has_no_items_and_is_not_an_error()
    {
        var feed = ParseText("""<rss version="2.0"><channel><title>Nothing yet</title></channel></rss>""");

        Assert.Equal("Nothing yet", feed.Title);
        Assert.Empty(feed.Items);
        Assert.False(feed.Bozo);
    }

    [Fact]
    public void Items_without_links_or_dates_keep_their_guid_and_null_dates()
    {
        var feed = ParseText("""
            <rss version="2.0"><channel><title>T</title>
              <item><title>No link</title><guid isPermaLink="false">id-1</guid></item>
              <item><description>Neither title nor link</description></item>
            </channel></rss>
            """);

        Assert.Equal(2, feed.Items.Count);
        Assert.Equal("id-1", feed.Items[0].Id);
        Assert.Null(feed.Items[0].Link);
        Assert.Null(feed.Items[0].Published);
        Assert.Null(feed.Items[0].Updated);
        Assert.Null(feed.Items[1].Title);
        Assert.Null(feed.Items[1].Link);
    }

    [Fact]
    public void A_permalink_guid_stands_in_for_a_missing_link()
    {
        var feed = ParseText("""<rss version="2.0"><channel><item><guid>http://g.example/post/1</guid></item></channel></rss>""");

        Assert.Equal("http://g.example/post/1", Assert.Single(feed.Items).Link);
    }
}
