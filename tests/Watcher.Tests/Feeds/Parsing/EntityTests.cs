using static Watcher.Tests.Feeds.Parsing.FeedFixtures;

namespace Watcher.Tests.Feeds.Parsing;

public class EntityTests
{
    [Fact]
    public void Html_entities_undefined_in_xml_are_decoded_and_the_feed_flagged()
    {
        var feed = ParseText("""
            <rss version="2.0"><channel><title>Caf&eacute;&nbsp;Zo&euml; &copy; &hellip;</title>
            <item><title>Bare &amp; escaped &amp;amp; &#233;</title></item></channel></rss>
            """);

        Assert.Equal("Café\u00A0Zoë © …", feed.Title);
        // An entity reference makes the plain-text RSS title look like HTML, so it is decoded once more.
        Assert.Equal("Bare & escaped & é", feed.Items[0].Title);
        Assert.True(feed.Bozo);
        Assert.Contains("not well-formed", feed.BozoReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_entities_and_bare_ampersands_are_kept_as_text()
    {
        var feed = ParseText("""<rss version="2.0"><channel><title>AT&T &bogus; R&D</title></channel></rss>""");

        Assert.Equal("AT&T &bogus; R&D", feed.Title);
        Assert.True(feed.Bozo);
    }

    [Fact]
    public void Entities_inside_cdata_are_left_alone()
    {
        var feed = ParseText("""
            <rss version="2.0"><channel><title>&nbsp;x</title>
            <item><title><![CDATA[literal &bogus; & stays]]></title></item></channel></rss>
            """);

        Assert.True(feed.Bozo);
        Assert.Equal("literal &bogus; & stays", feed.Items[0].Title);
    }

    [Fact]
    public void Literal_entities_declared_in_the_internal_subset_are_used()
    {
        var feed = ParseText("""
            <!DOCTYPE rss [<!ENTITY site "tag:example.com,">]>
            <rss version="2.0"><channel><item><guid isPermaLink="false">&site;2006:1</guid></item></channel></rss>
            """);

        Assert.Equal("tag:example.com,2006:1", Assert.Single(feed.Items).Id);
    }
}
