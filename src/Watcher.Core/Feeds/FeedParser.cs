using System.Text.RegularExpressions;
using System.Xml;
using AngleSharp.Html.Parser;
using Watcher.Feeds.Parsing;

namespace Watcher.Feeds;

/// <summary>
/// Reads RSS 0.9x/1.0/2.0, Atom 0.3/1.0, CDF and JSON Feed documents the way the best feed readers
/// do: encoding from BOM, XML declaration and HTTP header; DTDs never processed; ill-formed
/// documents recovered (and flagged <see cref="ParsedFeed.Bozo"/>) where a lenient reader can.
/// </summary>
public static partial class FeedParser
{
    private static readonly HtmlParser Html = new();

    /// <summary>Parses one feed document.</summary>
    /// <exception cref="FeedParseException">The document is not a feed Watcher can read; the message says why.</exception>
    public static ParsedFeed Parse(ReadOnlyMemory<byte> document, FeedParseContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var feed = Read(document, context);
        if (feed.Version.Length == 0 && feed.Items.Count == 0 && feed.Title is null)
        {
            throw new FeedParseException(feed.BozoReason is { } reason
                ? $"not a feed: {reason}"
                : "not a feed: the root element is not RSS, Atom, RDF or CDF.");
        }

        return feed;
    }

    /// <summary>
    /// Parses whatever can be read, as feedparser does: a document in no known format yields an
    /// empty result with <see cref="ParsedFeed.Version"/> "" instead of an exception. Only an
    /// HTML page, an empty document or an undecodable one throw.
    /// </summary>
    internal static ParsedFeed Read(ReadOnlyMemory<byte> document, FeedParseContext context)
    {
        var decoded = FeedTextDecoder.Decode(document, context.ContentType, fromHttp: context.ContentType is not null);
        var head = decoded.Head;
        if (string.IsNullOrWhiteSpace(head) && string.IsNullOrWhiteSpace(decoded.Text))
        {
            throw new FeedParseException("the document is empty.");
        }

        if (decoded.IsJson || head.AsSpan().TrimStart().StartsWith("{"))
        {
            return JsonFeedReader.Read(decoded.Text, context, decoded.Encoding);
        }

        var problem = decoded.Problem;
        FeedTree tree;
        try
        {
            tree = XmlTreeReader.Read(decoded.Body, decoded.Reader);
        }
        catch (XmlException strict)
        {
            problem = $"not well-formed XML ({strict.Message}); read leniently";
            try
            {
                tree = XmlTreeReader.Read(LenientXmlReader.RepairEntities(decoded.Text));
            }
            catch (XmlException)
            {
                tree = LenientXmlReader.Read(decoded.Text);
            }
        }

        if (tree.Root.LocalName == "html")
        {
            throw new FeedParseException("the document looks like an HTML page, not a feed.");
        }

        if (tree.Root.LocalName.StartsWith('#'))
        {
            throw new FeedParseException($"the document has no elements: {problem ?? "it is empty"}.");
        }

        var feed = FeedTreeMapper.Map(tree, context, decoded.Encoding, NetscapeDoctype().IsMatch(head));
        return problem is null ? feed : feed with { Bozo = true, BozoReason = problem };
    }

    /// <summary>Plain text of an HTML fragment (for article text), whitespace collapsed.</summary>
    internal static string? HtmlToText(string? html)
    {
        if (html is null)
        {
            return null;
        }

        var text = Html.ParseDocument(html).Body?.TextContent ?? html;
        return string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    [GeneratedRegex(@"\A[^\[]{0,2048}?<!DOCTYPE[^>\[]*netscape", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex NetscapeDoctype();
}
