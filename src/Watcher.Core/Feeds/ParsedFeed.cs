namespace Watcher.Feeds;

/// <summary>What Watcher reads from one feed document, whatever its format.</summary>
public sealed record ParsedFeed
{
    /// <summary>Format and version in feedparser's vocabulary: <c>rss20</c>, <c>atom10</c>, <c>json11</c>, …</summary>
    public string Version { get; init; } = "";

    public string? Title { get; init; }

    public string? Link { get; init; }

    public string? Language { get; init; }

    public DateTimeOffset? Updated { get; init; }

    /// <summary>The document was not well-formed and was read leniently.</summary>
    public bool Bozo { get; init; }

    public string? BozoReason { get; init; }

    public IReadOnlyList<ParsedItem> Items { get; init; } = [];
}

/// <summary>One entry of a feed; links are absolute where a base was known.</summary>
public sealed record ParsedItem
{
    /// <summary>The item's guid / id.</summary>
    public string? Id { get; init; }

    public string? Title { get; init; }

    public string? Link { get; init; }

    public DateTimeOffset? Published { get; init; }

    public DateTimeOffset? Updated { get; init; }

    public string? Author { get; init; }

    /// <summary>Summary as plain text (markup removed, entities decoded).</summary>
    public string? SummaryText { get; init; }

    /// <summary>Full content as HTML (content:encoded, atom:content), unsanitized.</summary>
    public string? ContentHtml { get; init; }

    public string? Language { get; init; }
}

/// <summary>The HTTP context a document was served with.</summary>
public sealed record FeedParseContext
{
    public static FeedParseContext None { get; } = new();

    /// <summary>Base for relative links: Content-Location or the document URL.</summary>
    public Uri? BaseUri { get; init; }

    /// <summary>The Content-Type header, whose charset takes part in encoding detection.</summary>
    public string? ContentType { get; init; }

    /// <summary>The Content-Language header: the default language.</summary>
    public string? ContentLanguage { get; init; }
}

/// <summary>A document that is not a feed Watcher can read; the message says why.</summary>
public sealed class FeedParseException(string message, Exception? inner = null) : Exception(message, inner);
