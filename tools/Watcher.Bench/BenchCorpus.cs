using System.Globalization;
using System.Text;
using System.Xml;

namespace Watcher.Bench;

/// <summary>
/// The benchmark's news: <see cref="FeedCount"/> feeds of <see cref="ItemsPerFeed"/> items, Dutch
/// and English, RSS 2.0 and Atom. A share of the stories is on the three built-in topics, the rest
/// is unrelated tech news. Every tenth feed repeats the first story of the feed before it under a
/// tracking-parameter variant of its URL, as aggregators do. Documents are rendered on request from
/// a seed, so the corpus costs no memory however large it is and renders identically every time.
/// </summary>
public sealed class BenchCorpus
{
    private readonly DateTimeOffset baseTime;

    public BenchCorpus(int feedCount, int itemsPerFeed, DateTimeOffset baseTime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(feedCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(itemsPerFeed, 1);
        FeedCount = feedCount;
        ItemsPerFeed = itemsPerFeed;
        this.baseTime = baseTime;
    }

    public int FeedCount { get; }

    public int ItemsPerFeed { get; }

    public int TotalItems => FeedCount * ItemsPerFeed;

    /// <summary>Items that repeat a story of another feed (same article, URL with other tracking parameters).</summary>
    public int SharedItems => Enumerable.Range(0, FeedCount).Count(IsSharingFeed);

    /// <summary>Distinct stories, which is how many articles a deduplicating reader should store.</summary>
    public int UniqueStories => TotalItems - SharedItems;

    public static string FeedName(int feed) => $"bench-{feed:000}-{(IsDutch(feed) ? "nl" : "en")}";

    public static string FeedPath(int feed) => $"/feeds/{feed:000}.{(IsAtom(feed) ? "atom" : "xml")}";

    public static bool IsDutch(int feed) => feed % 2 == 0;

    public static bool IsAtom(int feed) => feed % 3 == 2;

    public static string ContentType(int feed) => IsAtom(feed) ? "application/atom+xml; charset=utf-8" : "application/rss+xml; charset=utf-8";

    /// <summary>A stable validator for conditional GETs: the document never changes for a corpus.</summary>
    public string ETag(int feed) => string.Create(CultureInfo.InvariantCulture, $"\"bench-{baseTime.ToUnixTimeSeconds():x}-{FeedCount}-{ItemsPerFeed}-{feed}\"");

    /// <summary>Story number an item carries; mail and storage checks find it again as <c>story-N</c> in the URL.</summary>
    public int StoryOf(int feed, int item) => item == 0 && IsSharingFeed(feed) ? StoryOf(feed - 1, 0) : (feed * ItemsPerFeed) + item;

    public byte[] Render(int feed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(feed);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(feed, FeedCount);
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, Async = false }))
        {
            if (IsAtom(feed))
            {
                WriteAtom(xml, feed);
            }
            else
            {
                WriteRss(xml, feed);
            }
        }

        return buffer.ToArray();
    }

    private static bool IsSharingFeed(int feed) => feed % 10 == 1;

    private void WriteRss(XmlWriter xml, int feed)
    {
        var dutch = IsDutch(feed);
        xml.WriteStartElement("rss");
        xml.WriteAttributeString("version", "2.0");
        xml.WriteStartElement("channel");
        xml.WriteElementString("title", SiteTitle(feed));
        xml.WriteElementString("link", $"https://{Site(feed)}/");
        xml.WriteElementString("description", dutch ? "Technologie- en beleidsnieuws" : "Technology and policy news");
        xml.WriteElementString("language", dutch ? "nl" : "en");
        for (var item = 0; item < ItemsPerFeed; item++)
        {
            var story = Story(feed, item);
            xml.WriteStartElement("item");
            xml.WriteElementString("title", story.Title);
            xml.WriteElementString("link", story.Link);
            xml.WriteStartElement("guid");
            xml.WriteAttributeString("isPermaLink", "false");
            xml.WriteString($"{Site(feed)}/item/{feed}-{item}");
            xml.WriteEndElement();
            xml.WriteElementString("pubDate", story.Published.ToString("r", CultureInfo.InvariantCulture));
            xml.WriteElementString("author", story.Author);
            xml.WriteElementString("description", story.Html);
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    private void WriteAtom(XmlWriter xml, int feed)
    {
        const string Atom = "http://www.w3.org/2005/Atom";
        var dutch = IsDutch(feed);
        xml.WriteStartElement("feed", Atom);
        xml.WriteAttributeString("xml", "lang", null, dutch ? "nl" : "en");
        xml.WriteElementString("title", Atom, SiteTitle(feed));
        xml.WriteElementString("id", Atom, $"tag:{Site(feed)},2026:feed");
        xml.WriteElementString("updated", Atom, XmlConvert.ToString(baseTime, "yyyy-MM-ddTHH:mm:ssZ"));
        for (var item = 0; item < ItemsPerFeed; item++)
        {
            var story = Story(feed, item);
            xml.WriteStartElement("entry", Atom);
            xml.WriteElementString("title", Atom, story.Title);
            xml.WriteStartElement("link", Atom);
            xml.WriteAttributeString("rel", "alternate");
            xml.WriteAttributeString("href", story.Link);
            xml.WriteEndElement();
            xml.WriteElementString("id", Atom, $"tag:{Site(feed)},2026:{feed}-{item}");
            var stamp = XmlConvert.ToString(story.Published.ToUniversalTime(), "yyyy-MM-ddTHH:mm:ssZ");
            xml.WriteElementString("published", Atom, stamp);
            xml.WriteElementString("updated", Atom, stamp);
            xml.WriteStartElement("author", Atom);
            xml.WriteElementString("name", Atom, story.Author);
            xml.WriteEndElement();
            xml.WriteStartElement("content", Atom);
            xml.WriteAttributeString("type", "html");
            xml.WriteString(story.Html);
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    private static string Site(int feed) => $"www.{(IsDutch(feed) ? "nieuwsbron" : "newsdesk")}{feed:000}.example";

    private static string SiteTitle(int feed) => IsDutch(feed) ? $"Nieuwsbron {feed:000} — Tech & Beleid" : $"Newsdesk {feed:000} — Tech & Policy";

    /// <summary>One item: a shared story keeps its first feed's text and URL, with this feed's tracking parameters.</summary>
    private BenchStory Story(int feed, int item)
    {
        var story = StoryOf(feed, item);
        var origin = story / ItemsPerFeed;
        var random = new Random(story);
        var dutch = IsDutch(origin);
        var kind = random.Next(100) switch
        {
            < 9 => StoryKind.FiveGBan,
            < 15 => StoryKind.Blacklist,
            < 20 => StoryKind.Divestment,
            _ => StoryKind.Unrelated,
        };
        var (title, paragraphs) = StoryTexts.Write(kind, dutch, random);
        var published = baseTime.AddMinutes(-(story % (ItemsPerFeed * 7)) * 11);
        var link = $"https://{Site(origin)}/{(dutch ? "nieuws" : "news")}/{published:yyyy}/{published:MM}/story-{story}";
        if (origin != feed)
        {
            link += $"?utm_source=bench-{feed:000}&utm_medium=rss&utm_campaign=syndication";
        }
        else if (feed % 4 == 3)
        {
            link += "?utm_source=rss";
        }

        var html = new StringBuilder();
        foreach (var paragraph in paragraphs)
        {
            html.Append("<p>").Append(System.Net.WebUtility.HtmlEncode(paragraph)).Append("</p>");
        }

        return new BenchStory(title, link, published, StoryTexts.Author(random, dutch), html.ToString());
    }

    private sealed record BenchStory(string Title, string Link, DateTimeOffset Published, string Author, string Html);
}

public enum StoryKind
{
    FiveGBan,
    Blacklist,
    Divestment,
    Unrelated,
}
