using static Watcher.Tests.Feeds.Parsing.FeedFixtures;

namespace Watcher.Tests.Feeds.Parsing;

public class FeedExtensionTests
{
    private static readonly Watcher.Feeds.FeedParseContext FromFeedUrl = new() { BaseUri = new Uri("https://techblad.example/feed.xml"), ContentType = "application/rss+xml" };

    [Fact]
    public void Content_encoded_is_the_content_sanitized_with_links_resolved()
    {
        var item = ParseFile("rss20-extensions.xml", FromFeedUrl).Items[0];

        Assert.Equal("<p>Italië zegt <a href=\"https://techblad.example/tags/huawei\">Huawei</a> geen nee.</p>", item.ContentHtml);
        Assert.Equal("Rome kiest voor strengere controles.", item.SummaryText);
    }

    [Fact]
    public void Dublin_core_creator_and_date_are_read()
    {
        var item = ParseFile("rss20-extensions.xml").Items[0];

        Assert.Equal("Marieke de Vries", item.Author);
        Assert.Equal(new DateTimeOffset(2019, 3, 12, 7, 15, 0, TimeSpan.Zero), item.Updated);
        Assert.Null(item.Published);
    }

    [Fact]
    public void Media_rss_content_thumbnail_and_enclosures_are_read()
    {
        var item = ParseFile("rss20-extensions.xml", FromFeedUrl).Items[0];

        Assert.Equal("https://techblad.example/img/huawei-thumb.jpg", item.ThumbnailUrl);
        Assert.Collection(
            item.Enclosures,
            image => Assert.Equal("https://cdn.techblad.example/img/huawei.jpg", image.Url),
            audio => Assert.Equal(new Watcher.Feeds.MediaEnclosure("https://cdn.techblad.example/audio/podcast.mp3", "audio/mpeg", 123456), audio));
    }

    [Fact]
    public void Atom_link_inside_rss_gives_the_item_link_and_self_links_are_ignored()
    {
        var feed = ParseFile("rss20-extensions.xml");

        Assert.Equal("https://techblad.example/", feed.Link);
        Assert.Equal("https://techblad.example/2019/03/belgie", feed.Items[1].Link);
    }

    [Fact]
    public void Categories_language_and_pubdate_are_read()
    {
        var feed = ParseFile("rss20-extensions.xml");

        Assert.Equal("nl-NL", feed.Language);
        Assert.Equal(["5G", "Huawei"], feed.Items[0].Categories);
        Assert.Equal(new DateTimeOffset(2019, 3, 13, 10, 0, 0, TimeSpan.Zero), feed.Items[1].Published);
        Assert.Equal("redactie@techblad.example (Redactie)", feed.Items[1].Author);
    }

    [Fact]
    public void Script_in_content_is_removed()
    {
        var item = ParseFile("rss20-extensions.xml").Items[0];

        Assert.DoesNotContain("script", item.ContentHtml ?? "", StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("alert", item.ContentHtml ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void Html_in_a_plain_rss_title_is_recognised_and_unsafe_links_dropped()
    {
        var feed = ParseText("""
            <rss version="2.0"><channel><item>
              <title>&lt;a href="javascript:alert(1)" onclick="x()"&gt;Click&lt;/a&gt; &amp;amp; more</title>
            </item></channel></rss>
            """);

        var item = Assert.Single(feed.Items);
        Assert.Equal("<a href=\"\">Click</a> &amp; more", item.RawTitle);
        Assert.Equal("Click & more", item.Title);
    }
}
