using System.Security;

namespace Watcher.Tests.EndToEnd;

/// <summary>One news item as a test feed carries it.</summary>
public sealed record TestItem(string Title, string Link, string Body, DateTimeOffset Published);

/// <summary>Writes RSS 2.0 and Atom 1.0 documents from test items.</summary>
public static class FeedDocuments
{
    public static string Rss(string title, string language, IEnumerable<TestItem> items) =>
        $"""
        <?xml version="1.0" encoding="utf-8"?>
        <rss version="2.0"><channel><title>{Escape(title)}</title><link>https://example.com/</link><language>{language}</language>
        {string.Concat(items.Select(i => $"<item><title>{Escape(i.Title)}</title><link>{Escape(i.Link)}</link><pubDate>{i.Published:R}</pubDate><description>{Escape(i.Body)}</description></item>"))}
        </channel></rss>
        """;

    public static string Atom(string title, string language, IEnumerable<TestItem> items) =>
        $"""
        <?xml version="1.0" encoding="utf-8"?>
        <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{language}"><title>{Escape(title)}</title><id>urn:test:{Escape(title)}</id><updated>2026-11-20T10:00:00Z</updated>
        {string.Concat(items.Select(i => $"<entry><title>{Escape(i.Title)}</title><id>{Escape(i.Link)}</id><link href=\"{Escape(i.Link)}\"/><published>{i.Published:yyyy-MM-ddTHH:mm:ssZ}</published><content type=\"html\">{Escape("<p>" + i.Body + "</p>")}</content></entry>"))}
        </feed>
        """;

    private static string Escape(string value) => SecurityElement.Escape(value);
}
