namespace Watcher.Feeds;

/// <summary>What Watcher reads from one feed document, whatever its format.</summary>
public sealed record ParsedFeed
{
    /// <summary>Format and version in feedparser's vocabulary: <c>rss20</c>, <c>rss10</c>, <c>rss090</c>, <c>rss091u</c>, <c>rss</c>, <c>atom10</c>, <c>atom03</c>, <c>atom</c>, <c>cdf</c>, <c>json11</c>, …</summary>
    public string Version { get; init; } = "";

    /// <summary>The feed title as plain text.</summary>
    public string? Title { get; init; }

    /// <summary>The title as the feed gave it: when its type is HTML the (sanitized) markup is kept, as feedparser keeps it.</summary>
    public string? RawTitle { get; init; }

    public string? Link { get; init; }

    public string? Language { get; init; }

    public DateTimeOffset? Updated { get; init; }

    public DateTimeOffset? Published { get; init; }

    /// <summary>The character encoding the document was read with (after any override).</summary>
    public string? Encoding { get; init; }

    /// <summary>The document was not well-formed, or not served as it declared, and was read leniently.</summary>
    public bool Bozo { get; init; }

    public string? BozoReason { get; init; }

    public IReadOnlyList<ParsedItem> Items { get; init; } = [];
}

/// <summary>One entry of a feed; links are absolute where a base was known.</summary>
public sealed record ParsedItem
{
    /// <summary>The item's guid / id.</summary>
    public string? Id { get; init; }

    /// <summary>The title as plain text.</summary>
    public string? Title { get; init; }

    /// <summary>The title as the feed gave it (sanitized markup kept when its type is HTML).</summary>
    public string? RawTitle { get; init; }

    public string? Link { get; init; }

    /// <summary>From a published-type element (pubDate, published, issued, dcterms:issued).</summary>
    public DateTimeOffset? Published { get; init; }

    /// <summary>From an updated-type element (updated, modified, dc:date, dcterms:modified); never copied from <see cref="Published"/>.</summary>
    public DateTimeOffset? Updated { get; init; }

    public string? Author { get; init; }

    /// <summary>Summary as plain text (markup removed, entities decoded, whitespace collapsed).</summary>
    public string? SummaryText { get; init; }

    /// <summary>Full content as HTML (content:encoded, atom:content), sanitized, relative URLs resolved.</summary>
    public string? ContentHtml { get; init; }

    public string? Language { get; init; }

    /// <summary>Categories, tags and dc:subject terms, in document order.</summary>
    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Enclosures and media:content, in document order.</summary>
    public IReadOnlyList<MediaEnclosure> Enclosures { get; init; } = [];

    /// <summary>media:thumbnail (or the first image media:content) URL.</summary>
    public string? ThumbnailUrl { get; init; }
}

/// <summary>An enclosure, Atom <c>rel="enclosure"</c> link or media:content item.</summary>
public sealed record MediaEnclosure(string Url, string? MediaType, long? Length);

/// <summary>The HTTP context a document was served with.</summary>
public sealed record FeedParseContext
{
    public static FeedParseContext None { get; } = new();

    /// <summary>Base for relative links: Content-Location or the document URL.</summary>
    public Uri? BaseUri { get; init; }

    /// <summary>The Content-Type header, whose charset takes part in encoding detection; null when the document did not come over HTTP.</summary>
    public string? ContentType { get; init; }

    /// <summary>The Content-Language header: the default language.</summary>
    public string? ContentLanguage { get; init; }
}

/// <summary>A document that is not a feed Watcher can read; the message says why.</summary>
public sealed class FeedParseException(string message, Exception? inner = null) : Exception(message, inner);
