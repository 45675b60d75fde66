using System.Globalization;
using System.Text;

namespace Watcher.Feeds.Parsing;

/// <summary>
/// Maps a <see cref="FeedTree"/> of any XML feed format (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF) to a
/// <see cref="ParsedFeed"/>. Like feedparser it dispatches on normalized element names rather than
/// on a schema per format, so the same code reads <c>dc:date</c> in RSS 2.0, <c>atom:link</c> in
/// RSS and the element soup of real-world feeds; where formats disagree it follows feedparser's
/// precedence (first title, last alternate link, guid as link only when no link was given, ...).
/// </summary>
internal sealed class FeedTreeMapper
{
    private static readonly HashSet<string> HtmlTypes = ["text/html", "application/xhtml+xml"];

    private readonly string version;
    private readonly bool atom;
    private readonly bool utf8;
    private readonly Target feed = new();
    private readonly List<Target> entries = [];
    private int imageDepth;

    private FeedTreeMapper(string version, string encoding)
    {
        this.version = version;
        atom = version.StartsWith("atom", StringComparison.Ordinal);
        utf8 = encoding == "utf-8";
    }

    public static ParsedFeed Map(FeedTree tree, FeedParseContext context, string encoding, bool netscapeDoctype)
    {
        var version = VersionOf(tree, netscapeDoctype);
        var mapper = new FeedTreeMapper(version, encoding);
        var language = NormalizeLanguage(context.ContentLanguage);
        var rootLanguage = NormalizeLanguage(tree.Root.Attribute("xml:lang") ?? tree.Root.Attribute("lang"));
        if (tree.Root.Key is "feed" or "rss" or "rdf_rdf" && (rootLanguage ?? language) is { } documentLanguage)
        {
            mapper.feed.Language = documentLanguage;
        }

        mapper.Walk(tree.Root, context.BaseUri?.AbsoluteUri, language, mapper.feed, depth: 0, inFeed: false);
        return mapper.Build(encoding);
    }

    private static string VersionOf(FeedTree tree, bool netscapeDoctype)
    {
        var root = tree.Root;
        switch (root.Key)
        {
            case "rss":
                if (netscapeDoctype)
                {
                    return "rss091n";
                }

                if (tree.FirstFormatNamespace?.StartsWith("rss", StringComparison.Ordinal) == true)
                {
                    return tree.FirstFormatNamespace;
                }

                var declared = root.Attribute("version") ?? "";
                return declared switch
                {
                    "0.91" => "rss091u",
                    "0.92" => "rss092",
                    "0.93" => "rss093",
                    "0.94" => "rss094",
                    _ when declared.StartsWith("2.", StringComparison.Ordinal) => "rss20",
                    _ => "rss",
                };
            case "feed":
                return tree.FirstFormatNamespace ?? (root.Attribute("version") switch
                {
                    "0.1" => "atom01",
                    "0.2" => "atom02",
                    "0.3" => "atom03",
                    _ => "atom",
                });
            case "channel" when root.NamespaceUri is null or "":
                return tree.FirstFormatNamespace ?? "cdf";
            default:
                return tree.FirstFormatNamespace ?? "";
        }
    }

    private void Walk(FeedNode node, string? baseUri, string? language, Target target, int depth, bool inFeed)
    {
        var declaredBase = node.Attribute("xml:base") ?? node.Attribute("base");
        if (declaredBase is not null)
        {
            baseUri = FeedUris.Resolve(baseUri, declaredBase.Trim()) ?? baseUri;
        }

        var declaredLanguage = node.Attribute("xml:lang") ?? node.Attribute("lang");
        if (declaredLanguage is not null)
        {
            language = NormalizeLanguage(declaredLanguage);
        }

        var inEntry = target != feed;
        switch (node.Key)
        {
            case "channel" or "feed":
                ReadCdfAttributes(node, feed, baseUri);
                WalkChildren(node, baseUri, language, feed, depth, inFeed: true);
                return;
            case "item" or "entry":
                var entry = new Target { Language = language };
                entries.Add(entry);
                if (node.Attribute("rdf:about") is { } about)
                {
                    entry.Id = about;
                }

                ReadCdfAttributes(node, entry, baseUri);
                WalkChildren(node, baseUri, language, entry, depth, inFeed);
                return;
            case "textinput" or "source":
            case "image" when !inEntry:
                // Their titles and links describe a search box, another feed or the feed's logo, not
                // this feed (an image inside an entry is read into the entry, where depth decides).
                return;
        }

        if (!inFeed && !inEntry)
        {
            // Outside a channel or entry only structure counts (RSS 1.0 puts its items there).
            WalkChildren(node, baseUri, language, target, depth, inFeed);
            return;
        }

        switch (node.Key)
        {
            case "title" or "dc_title" or "media_title":
                var title = ReadContent(node, "text/plain", baseUri);

                // The first title wins over deeper ones (an <image> title inside an entry); media:title
                // only stands in until a real title comes.
                if (title.Value.Length > 0 && (target.TitleDepth < 0 || depth < target.TitleDepth))
                {
                    target.Title = title.Value;
                    target.TitleIsHtml = title.IsHtml;
                    if (node.Key != "media_title")
                    {
                        target.TitleDepth = depth;
                    }
                }

                return;
            case "link":
                ReadLink(node, target, baseUri, inEntry, insideImage: imageDepth > 0);
                return;
            case "guid" or "id":
                ReadId(node, target, baseUri, depth);
                return;
            case "pubdate" or "published" or "issued" or "dcterms_issued":
                target.Published = FeedDates.Parse(node.InnerText());
                return;
            case "updated" or "modified" or "lastbuilddate" or "dc_date" or "dcterms_modified":
                target.Updated = FeedDates.Parse(node.InnerText());
                return;
            case "author" or "dc_author" or "dc_creator" or "itunes_author":
                // The last author named wins, as in feedparser's single author string.
                target.Author = ReadAuthor(node) ?? target.Author;
                return;
            case "language" or "dc_language":
                var value = node.InnerText().Trim();
                if (!inEntry && value.Length > 0)
                {
                    feed.Language = value;
                }

                return;
            case "category" or "dc_subject" when inEntry:
                var term = node.Attribute("term") ?? string.Concat(node.Children.OfType<string>()).Trim();
                if (term.Length > 0)
                {
                    target.Categories.Add(term);
                }

                break;
            case "image":
                imageDepth++;
                WalkChildren(node, baseUri, language, target, depth, inFeed);
                imageDepth--;
                return;
            case "description" or "dc_description" or "summary" or "abstract" or "itunes_summary" or "media_description":
                if (inEntry)
                {
                    ReadSummary(node, target, baseUri, node.Key is "description" or "dc_description" ? "text/html" : "text/plain");
                }

                return;
            case "content" or "content_encoded" or "body" or "xhtml_body" or "fullitem":
                if (inEntry)
                {
                    ReadEntryContent(node, target, baseUri);
                }

                return;
            case "enclosure" when inEntry:
                AddEnclosure(target, node.Attribute("url") ?? node.Attribute("href"), node.Attribute("type"), node.Attribute("length"), baseUri);
                return;
            case "media_content" when inEntry:
                AddEnclosure(target, node.Attribute("url"), node.Attribute("type") ?? node.Attribute("medium"), node.Attribute("filesize"), baseUri);
                if (target.Thumbnail is null && (node.Attribute("medium") == "image" || node.Attribute("type")?.StartsWith("image/", StringComparison.Ordinal) == true) && node.Attribute("url") is { } image)
                {
                    target.Thumbnail = FeedUris.Resolve(baseUri, image.Trim());
                }

                WalkChildren(node, baseUri, language, target, depth, inFeed);
                return;
            case "media_thumbnail" when inEntry:
                if (node.Attribute("url") is { } thumbnail)
                {
                    target.Thumbnail = FeedUris.Resolve(baseUri, thumbnail.Trim());
                }

                return;
            case "media_text":
                return;
        }

        WalkChildren(node, baseUri, language, target, depth, inFeed);
    }

    private void WalkChildren(FeedNode node, string? baseUri, string? language, Target target, int depth, bool inFeed)
    {
        foreach (var child in node.Children)
        {
            if (child is FeedNode element)
            {
                Walk(element, baseUri, language, target, depth + 1, inFeed);
            }
        }
    }

    private static void ReadCdfAttributes(FeedNode node, Target target, string? baseUri)
    {
        if (node.Attribute("lastmod") is { } lastModified)
        {
            target.Updated = FeedDates.Parse(lastModified);
        }

        if (node.Attribute("href") is { } href)
        {
            target.Link = FeedUris.Resolve(baseUri, href.Trim());
        }
    }

    private static void ReadLink(FeedNode node, Target target, string? baseUri, bool inEntry, bool insideImage)
    {
        var href = node.Attribute("url") ?? node.Attribute("uri") ?? node.Attribute("href");
        if (string.IsNullOrEmpty(href))
        {
            if (insideImage)
            {
                // An entry's image links to the image's page, not the entry's.
                return;
            }

            var text = node.InnerText().Trim();
            var link = FeedUris.Resolve(baseUri, text) ?? text;
            if (inEntry)
            {
                link = link.Replace("&amp;", "&", StringComparison.Ordinal);
            }

            target.Link = FixQueryEntities(link);
            target.HasLink = true;
            return;
        }

        var rel = node.Attribute("rel") ?? "alternate";
        var type = MapContentType(node.Attribute("type") ?? (rel == "self" ? "application/atom+xml" : "text/html"));
        var resolved = FeedUris.Resolve(baseUri, href.Trim());
        if (resolved is null)
        {
            return;
        }

        if (rel == "enclosure" && inEntry)
        {
            AddEnclosure(target, resolved, node.Attribute("type"), node.Attribute("length"), null);
        }

        if (rel == "alternate" && HtmlTypes.Contains(type))
        {
            target.Link = resolved;
            target.HasLink = true;
        }
    }

    /// <summary>Undoes <c>?a=1&amp;b;=2</c>: query strings whose ampersands were taken for entity references.</summary>
    private static string FixQueryEntities(string link)
    {
        if (!link.Contains('&', StringComparison.Ordinal))
        {
            return link;
        }

        return System.Text.RegularExpressions.Regex.Replace(link, "&([A-Za-z0-9_]+);", "&$1");
    }

    private void ReadId(FeedNode node, Target target, string? baseUri, int depth)
    {
        var isPermalink = (node.Attribute("ispermalink") ?? "true") == "true";
        var value = Clean(node.InnerText().Trim());
        if (isPermalink && value.Length > 0)
        {
            value = FeedUris.Resolve(baseUri, value) ?? value;
        }

        // A deeper id (inside an entry's <image>, say) never overrides the entry's own.
        if (target.IdDepth < 0 || depth <= target.IdDepth)
        {
            target.Id = value;
            target.IdDepth = depth;
        }

        if (isPermalink && !target.HasLink)
        {
            target.Link = value;
            target.HasLink = true;
        }
    }

    private string? ReadAuthor(FeedNode node)
    {
        string? name = null, email = null;
        foreach (var child in node.Elements())
        {
            if (child.LocalName == "name" && name is null)
            {
                name = child.InnerText().Trim();
            }
            else if (child.LocalName == "email" && email is null)
            {
                email = child.InnerText().Trim();
            }
        }

        if (name is null && email is null && node.Elements().Any())
        {
            return "";
        }

        if (name is null && email is null)
        {
            var text = Clean(node.InnerText().Trim());
            return text.Length == 0 ? null : text;
        }

        return !string.IsNullOrEmpty(name) && !string.IsNullOrEmpty(email) ? $"{name} ({email})"
            : !string.IsNullOrEmpty(name) ? name
            : string.IsNullOrEmpty(email) ? null : email;
    }

    private void ReadSummary(FeedNode node, Target target, string? baseUri, string defaultType)
    {
        var content = ReadContent(node, defaultType, baseUri);
        if (target.Summary is not null && !target.HasContent)
        {
            // A second summary-like element is the content (feedparser's rule for RSS with both description and summary).
            target.HasContent = true;
            target.Content ??= content.IsHtml ? content.Value : System.Net.WebUtility.HtmlEncode(content.Value);
            return;
        }

        target.Summary = content.Value;
        target.SummaryIsHtml = content.IsHtml;
    }

    private void ReadEntryContent(FeedNode node, Target target, string? baseUri)
    {
        target.HasContent = true;
        var defaultType = node.Key is "content_encoded" or "fullitem" ? "text/html" : node.Key is "body" or "xhtml_body" ? "application/xhtml+xml" : "text/plain";
        var content = ReadContent(node, defaultType, baseUri);
        if (content.IsText || content.IsHtml)
        {
            target.Content ??= content.IsHtml ? content.Value : System.Net.WebUtility.HtmlEncode(content.Value);
            if (target.Summary is null)
            {
                target.Summary = content.Value;
                target.SummaryIsHtml = content.IsHtml;
            }
        }
    }

    private readonly record struct Content(string Value, bool IsHtml, bool IsText);

    /// <summary>The value of a text construct: escaped, inline XHTML or base64, sanitized when it is HTML.</summary>
    private Content ReadContent(FeedNode node, string defaultType, string? baseUri)
    {
        var type = MapContentType(node.Attribute("type") ?? defaultType);
        var mode = node.Attribute("mode");
        var base64 = mode == "base64" || !(type.StartsWith("text/", StringComparison.Ordinal) || type.EndsWith("xml", StringComparison.Ordinal));
        string value;
        var hasElements = node.Elements().Any();
        if (hasElements && !type.EndsWith("xml", StringComparison.Ordinal) && !OnlyDivChildren(node))
        {
            type = "application/xhtml+xml";
        }

        if (type == "application/xhtml+xml" || (hasElements && type.EndsWith("xml", StringComparison.Ordinal)))
        {
            value = SerializeInline(node, stripDivTags: false);
            if (version == "atom10")
            {
                value = UnwrapDiv(node) ?? value;
            }
        }
        else if (hasElements)
        {
            // Escaped markup wrapped in a <div> (TypePad does this): the div itself is dropped.
            value = SerializeInline(node, stripDivTags: true);
        }
        else
        {
            value = node.InnerText();
        }

        value = value.Trim();
        if (base64)
        {
            value = DecodeBase64(value);
        }

        if (!atom && type == "text/plain" && HtmlMarkup.LooksLikeHtml(value))
        {
            type = "text/html";
        }

        var isHtml = HtmlTypes.Contains(type);
        if (isHtml)
        {
            value = HtmlMarkup.Sanitize(value, baseUri);
        }

        return new Content(Clean(value), isHtml, type == "text/plain");
    }

    private static bool OnlyDivChildren(FeedNode node) => node.Elements().All(e => e.LocalName == "div");

    /// <summary>
    /// Atom 1.0 XHTML content comes wrapped in one <c>&lt;div&gt;</c> that is not part of the content;
    /// returns the inner markup when the content is exactly one such div, otherwise null.
    /// </summary>
    private static string? UnwrapDiv(FeedNode node)
    {
        FeedNode? div = null;
        foreach (var child in node.Children)
        {
            switch (child)
            {
                case string text when string.IsNullOrWhiteSpace(text):
                    continue;
                case FeedNode element when element.LocalName == "div" && div is null:
                    div = element;
                    continue;
                default:
                    return null;
            }
        }

        if (div is null)
        {
            return null;
        }

        var builder = new StringBuilder();
        foreach (var child in div.Children)
        {
            AppendInline(builder, child, stripDivTags: false);
        }

        return builder.ToString();
    }

    private static string SerializeInline(FeedNode node, bool stripDivTags)
    {
        var builder = new StringBuilder();
        foreach (var child in node.Children)
        {
            AppendInline(builder, child, stripDivTags);
        }

        return builder.ToString();
    }

    private static void AppendInline(StringBuilder builder, object child, bool stripDivTags)
    {
        if (child is string text)
        {
            builder.Append(stripDivTags ? text : System.Net.WebUtility.HtmlEncode(text).Replace("&#39;", "'", StringComparison.Ordinal).Replace("&quot;", "\"", StringComparison.Ordinal));
            return;
        }

        var element = (FeedNode)child;
        var skipTag = stripDivTags && element.LocalName == "div";
        if (!skipTag)
        {
            builder.Append('<').Append(element.WrittenName);
            foreach (var (name, value) in element.Attributes)
            {
                builder.Append(' ').Append(name).Append("=\"").Append(System.Net.WebUtility.HtmlEncode(value)).Append('"');
            }

            builder.Append('>');
        }

        foreach (var grandchild in element.Children)
        {
            AppendInline(builder, grandchild, stripDivTags);
        }

        if (!skipTag)
        {
            builder.Append("</").Append(element.WrittenName).Append('>');
        }
    }

    private static string DecodeBase64(string value)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(Convert.FromBase64String(value));
        }
        catch (Exception e) when (e is FormatException or DecoderFallbackException)
        {
            return value;
        }
    }

    private static string MapContentType(string type)
    {
        var lower = type.Trim().ToLowerInvariant();
        return lower switch
        {
            "text" or "plain" => "text/plain",
            "html" => "text/html",
            "xhtml" => "application/xhtml+xml",
            _ => lower,
        };
    }

    /// <summary>
    /// Repairs text as lenient readers do: UTF-8 that was decoded as Latin-1 somewhere upstream is
    /// decoded again, and C1 control characters (Windows-1252 bytes read as Latin-1) become the
    /// punctuation they stood for.
    /// </summary>
    private string Clean(string value)
    {
        if (System.Text.Ascii.IsValid(value))
        {
            return value;
        }

        // UTF-8 read as Latin-1 always shows continuation bytes (U+0080–U+00BF); text without them
        // (plain Dutch é, ë) needs no second look.
        if (utf8 && value.AsSpan().IndexOfAnyInRange('\u0080', '\u00BF') >= 0 && value.AsSpan().IndexOfAnyExceptInRange('\0', '\u00FF') < 0)
        {
            var latin1 = Encoding.Latin1.GetBytes(value);
            if (System.Text.Unicode.Utf8.IsValid(latin1) && !System.Text.Ascii.IsValid(latin1))
            {
                value = Encoding.UTF8.GetString(latin1);
            }
        }

        return Windows1252Punctuation.Replace(value);
    }

    private static void AddEnclosure(Target target, string? url, string? type, string? length, string? baseUri)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return;
        }

        var resolved = baseUri is null ? url.Trim() : FeedUris.Resolve(baseUri, url.Trim());
        if (resolved is null || target.Enclosures.Exists(e => e.Url == resolved))
        {
            return;
        }

        target.Enclosures.Add(new MediaEnclosure(resolved, type, long.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : null));
    }

    private static string? NormalizeLanguage(string? language) =>
        string.IsNullOrWhiteSpace(language) ? null : language.Trim().Replace('_', '-');

    private ParsedFeed Build(string encoding) => new()
    {
        Version = version,
        RawTitle = feed.Title,
        Title = PlainTitle(feed),
        Link = feed.Link,
        Language = feed.Language,
        Updated = feed.Updated,
        Published = feed.Published,
        Encoding = encoding,
        Items = entries.Select(e => new ParsedItem
        {
            Id = e.Id,
            RawTitle = e.Title,
            Title = PlainTitle(e),
            Link = e.Link,
            Published = e.Published,
            Updated = e.Updated,
            Author = e.Author,
            SummaryText = e.Summary is null ? null : e.SummaryIsHtml ? HtmlMarkup.ToText(e.Summary) : HtmlMarkup.CollapseWhitespace(e.Summary),
            ContentHtml = e.Content,
            Language = e.Language,
            Categories = e.Categories,
            Enclosures = e.Enclosures,
            ThumbnailUrl = e.Thumbnail,
        }).ToList(),
    };

    private static string? PlainTitle(Target target) =>
        target.Title is null ? null : target.TitleIsHtml ? HtmlMarkup.ToText(target.Title) : target.Title;

    /// <summary>What is being collected for the feed or for one entry.</summary>
    private sealed class Target
    {
        public string? Title { get; set; }

        public bool TitleIsHtml { get; set; }

        public int TitleDepth { get; set; } = -1;

        public string? Link { get; set; }

        public bool HasLink { get; set; }

        public string? Id { get; set; }

        public int IdDepth { get; set; } = -1;

        public DateTimeOffset? Published { get; set; }

        public DateTimeOffset? Updated { get; set; }

        public string? Author { get; set; }

        public string? Language { get; set; }

        public string? Summary { get; set; }

        public bool SummaryIsHtml { get; set; }

        public string? Content { get; set; }

        public bool HasContent { get; set; }

        public List<string> Categories { get; } = [];

        public List<MediaEnclosure> Enclosures { get; } = [];

        public string? Thumbnail { get; set; }
    }
}
