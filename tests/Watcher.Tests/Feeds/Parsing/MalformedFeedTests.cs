using Watcher.Feeds;
using static Watcher.Tests.Feeds.Parsing.FeedFixtures;

namespace Watcher.Tests.Feeds.Parsing;

public class MalformedFeedTests
{
    [Fact]
    public void Unclosed_and_mismatched_tags_are_recovered_and_flagged()
    {
        var feed = ParseText("""
            <rss version="2.0"><channel><title>Broken</title>
              <item><title>First</title><link>http://b.example/1</link>
              <item><title>Second <b>bold</title><link>http://b.example/2</link></item>
            </channel>
            """);

        Assert.True(feed.Bozo);
        Assert.Contains("not well-formed", feed.BozoReason, StringComparison.Ordinal);
        Assert.Equal("Broken", feed.Title);
        Assert.Equal(["http://b.example/1", "http://b.example/2"], feed.Items.Select(i => i.Link));
    }

    [Fact]
    public void An_unterminated_cdata_section_is_recovered()
    {
        var feed = ParseText("""<rss version="2.0"><channel><title>T</title><item><title>Fine</title><description><![CDATA[cut off""");

        Assert.True(feed.Bozo);
        Assert.Equal("Fine", Assert.Single(feed.Items).Title);
    }

    [Fact]
    public void An_undeclared_namespace_prefix_is_recovered()
    {
        var feed = ParseText("""<rss version="2.0"><channel><item><title>T</title><dc:creator>Writer</dc:creator></item></channel></rss>""");

        Assert.True(feed.Bozo);
        Assert.Equal("Writer", Assert.Single(feed.Items).Author);
    }

    [Fact]
    public void An_html_page_is_rejected_with_a_clear_message()
    {
        var error = Assert.Throws<FeedParseException>(() => ParseText("""
            <!DOCTYPE html>
            <html lang="nl"><head><title>Welkom</title></head><body><p>Geen feed hier<br></body></html>
            """));

        Assert.Equal("the document looks like an HTML page, not a feed.", error.Message);
    }

    [Fact]
    public void A_well_formed_xhtml_page_is_rejected_too()
    {
        var error = Assert.Throws<FeedParseException>(() => ParseText("""<html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head><body/></html>"""));

        Assert.Contains("looks like an HTML page, not a feed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_document_is_rejected()
    {
        var error = Assert.Throws<FeedParseException>(() => ParseBytes([]));

        Assert.Equal("the document is empty.", error.Message);
    }

    [Fact]
    public void Text_without_any_markup_is_rejected_with_the_reason()
    {
        var error = Assert.Throws<FeedParseException>(() => ParseText("Service temporarily unavailable"));

        Assert.StartsWith("the document has no elements", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Xml_that_is_not_a_feed_is_rejected()
    {
        var error = Assert.Throws<FeedParseException>(() => ParseText("""<configuration><appSettings/></configuration>"""));

        Assert.Contains("not RSS, Atom, RDF or CDF", error.Message, StringComparison.Ordinal);
    }
}
