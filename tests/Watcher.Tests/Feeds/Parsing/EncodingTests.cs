using System.Text;
using Watcher.Feeds;
using static Watcher.Tests.Feeds.Parsing.FeedFixtures;

namespace Watcher.Tests.Feeds.Parsing;

public class EncodingTests
{
    private const string DutchTitle = "Ministerie: geen één Chinese leverancier in kernnetwerk – ‘definitief’";

    static EncodingTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static byte[] Feed(string declaration, string title, Encoding encoding, bool bom = false)
    {
        var text = $"{declaration}<rss version=\"2.0\"><channel><title>{title}</title></channel></rss>";
        var body = encoding.GetBytes(text);
        return bom ? [.. encoding.GetPreamble(), .. body] : body;
    }

    [Fact]
    public void A_windows_1252_dutch_feed_declared_as_utf8_comes_out_right_and_is_flagged()
    {
        var feed = ParseFile("dutch-windows-1252-declared-utf8.xml");

        Assert.Equal(DutchTitle, feed.Items[0].Title);
        Assert.Equal("Financiële sector reageert op België’s besluit; coöperatie tevreden. Prijs €5.", feed.Items[0].SummaryText);
        Assert.Equal("windows-1252", feed.Encoding);
        Assert.True(feed.Bozo);
        Assert.Equal("document declared as utf-8, but parsed as windows-1252", feed.BozoReason);
    }

    [Fact]
    public void A_windows_1252_feed_declared_as_latin1_gets_its_curly_quotes_and_dashes()
    {
        var feed = ParseFile("dutch-windows-1252-declared-latin1.xml");

        Assert.Equal(DutchTitle, feed.Items[0].Title);
        Assert.False(feed.Bozo);
    }

    [Fact]
    public void An_iso_8859_1_declaration_is_honoured_without_http()
    {
        var feed = ParseBytes(Feed("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>", "Café één", Encoding.Latin1));

        Assert.Equal("Café één", feed.Title);
        Assert.Equal("iso-8859-1", feed.Encoding);
    }

    [Fact]
    public void The_byte_order_mark_decides_utf16()
    {
        var feed = ParseBytes(Feed("<?xml version=\"1.0\" encoding=\"utf-16\"?>", "Zoë", Encoding.Unicode, bom: true));

        Assert.Equal("Zoë", feed.Title);
        Assert.Equal("utf-16le", feed.Encoding);
    }

    [Fact]
    public void Utf16_big_endian_without_bom_is_sniffed_from_the_declaration_bytes()
    {
        var feed = ParseBytes(Feed("<?xml version=\"1.0\" encoding=\"utf-16be\"?>", "Zoë", Encoding.BigEndianUnicode));

        Assert.Equal("Zoë", feed.Title);
    }

    [Fact]
    public void A_utf8_bom_is_skipped()
    {
        var feed = ParseBytes(Feed("", "Zoë", new UTF8Encoding(true), bom: true));

        Assert.Equal("Zoë", feed.Title);
        Assert.False(feed.Bozo);
    }

    [Fact]
    public void The_http_charset_overrides_the_declaration_for_application_xml()
    {
        var body = Feed("<?xml version=\"1.0\" encoding=\"utf-8\"?>", "één", Encoding.GetEncoding("windows-1252"));

        var feed = ParseBytes(body, new FeedParseContext { ContentType = "application/rss+xml; charset=windows-1252" });

        Assert.Equal("één", feed.Title);
        Assert.False(feed.Bozo);
        Assert.Equal("windows-1252", feed.Encoding);
    }

    [Fact]
    public void Application_xml_without_charset_uses_the_declaration()
    {
        var body = Feed("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>", "één", Encoding.Latin1);

        var feed = ParseBytes(body, new FeedParseContext { ContentType = "application/xml" });

        Assert.Equal("één", feed.Title);
        Assert.Equal("iso-8859-1", feed.Encoding);
    }

    [Fact]
    public void Text_xml_without_charset_means_us_ascii_and_non_ascii_content_is_an_override()
    {
        var body = Feed("<?xml version=\"1.0\" encoding=\"utf-8\"?>", "één", Encoding.UTF8);

        var feed = ParseBytes(body, new FeedParseContext { ContentType = "text/xml" });

        Assert.Equal("één", feed.Title);
        Assert.True(feed.Bozo);
        Assert.Equal("document declared as us-ascii, but parsed as utf-8", feed.BozoReason);
    }

    [Fact]
    public void A_non_xml_content_type_is_read_but_flagged()
    {
        var feed = ParseBytes(Feed("", "Plain", Encoding.UTF8), new FeedParseContext { ContentType = "text/plain; charset=utf-8" });

        Assert.Equal("Plain", feed.Title);
        Assert.True(feed.Bozo);
        Assert.Contains("not an XML media type", feed.BozoReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_falls_back_to_windows_1252()
    {
        byte[] body = [.. Encoding.ASCII.GetBytes("<rss version=\"2.0\"><channel><title>Caf"), 0xE9, .. Encoding.ASCII.GetBytes("</title></channel></rss>")];

        var feed = ParseBytes(body);

        Assert.Equal("Café", feed.Title);
        Assert.True(feed.Bozo);
    }
}
