using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using AngleSharp.Html.Parser;

namespace Watcher.Feeds;

/// <summary>Reads RSS 2.0 and Atom 1.0 documents.</summary>
public static class FeedParser
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";
    private static readonly XNamespace Content = "http://purl.org/rss/1.0/modules/content/";
    private static readonly XNamespace Dc = "http://purl.org/dc/elements/1.1/";
    private static readonly HtmlParser Html = new();

    public static ParsedFeed Parse(ReadOnlyMemory<byte> document, FeedParseContext context)
    {
        XDocument xml;
        try
        {
            using var stream = new MemoryStream(document.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            xml = XDocument.Load(reader);
        }
        catch (XmlException e)
        {
            throw new FeedParseException($"not well-formed XML: {e.Message}", e);
        }

        var root = xml.Root ?? throw new FeedParseException("the document is empty.");
        return root.Name.LocalName switch
        {
            "rss" => ParseRss(root, context),
            "feed" when root.Name.Namespace == Atom => ParseAtom(root, context),
            _ => throw new FeedParseException($"root element <{root.Name.LocalName}> is not RSS or Atom."),
        };
    }

    private static ParsedFeed ParseRss(XElement rss, FeedParseContext context)
    {
        var channel = rss.Element("channel") ?? throw new FeedParseException("RSS document has no <channel>.");
        var baseUri = context.BaseUri;
        return new ParsedFeed
        {
            Version = "rss20",
            Title = Text(channel.Element("title")),
            Link = Resolve(Text(channel.Element("link")), baseUri),
            Language = Text(channel.Element("language")) ?? context.ContentLanguage,
            Items = channel.Elements("item").Select(item => new ParsedItem
            {
                Id = Text(item.Element("guid")),
                Title = Text(item.Element("title")),
                Link = Resolve(Text(item.Element("link")), baseUri),
                Published = Date(Text(item.Element("pubDate")) ?? Text(item.Element(Dc + "date"))),
                Author = Text(item.Element(Dc + "creator")) ?? Text(item.Element("author")),
                SummaryText = HtmlToText(Text(item.Element("description"))),
                ContentHtml = Text(item.Element(Content + "encoded")),
            }).ToList(),
        };
    }

    private static ParsedFeed ParseAtom(XElement feed, FeedParseContext context)
    {
        var baseUri = context.BaseUri;
        return new ParsedFeed
        {
            Version = "atom10",
            Title = Text(feed.Element(Atom + "title")),
            Link = Resolve(AlternateLink(feed), baseUri),
            Language = (string?)feed.Attribute(XNamespace.Xml + "lang") ?? context.ContentLanguage,
            Updated = Date(Text(feed.Element(Atom + "updated"))),
            Items = feed.Elements(Atom + "entry").Select(entry => new ParsedItem
            {
                Id = Text(entry.Element(Atom + "id")),
                Title = Text(entry.Element(Atom + "title")),
                Link = Resolve(AlternateLink(entry), baseUri),
                Published = Date(Text(entry.Element(Atom + "published"))),
                Updated = Date(Text(entry.Element(Atom + "updated"))),
                Author = Text(entry.Element(Atom + "author")?.Element(Atom + "name")),
                SummaryText = HtmlToText(Text(entry.Element(Atom + "summary"))),
                ContentHtml = Text(entry.Element(Atom + "content")),
                Language = (string?)entry.Attribute(XNamespace.Xml + "lang"),
            }).ToList(),
        };
    }

    private static string? AlternateLink(XElement parent) =>
        parent.Elements(Atom + "link")
            .Where(l => ((string?)l.Attribute("rel") ?? "alternate") == "alternate")
            .Select(l => (string?)l.Attribute("href"))
            .FirstOrDefault();

    private static string? Text(XElement? element)
    {
        var value = element?.Value.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private static string? Resolve(string? link, Uri? baseUri)
    {
        if (link is null)
        {
            return null;
        }

        return Uri.TryCreate(link, UriKind.Absolute, out var absolute) ? absolute.AbsoluteUri
            : baseUri is not null && Uri.TryCreate(baseUri, link, out var resolved) ? resolved.AbsoluteUri
            : link;
    }

    private static DateTimeOffset? Date(string? value) =>
        value is not null && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : null;

    internal static string? HtmlToText(string? html)
    {
        if (html is null)
        {
            return null;
        }

        var text = Html.ParseDocument(html).Body?.TextContent ?? html;
        return string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }
}
