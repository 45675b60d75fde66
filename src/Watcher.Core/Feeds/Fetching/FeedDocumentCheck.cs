using System.Text;

namespace Watcher.Feeds.Fetching;

/// <summary>
/// Checks made on a fetched document before the parser sees it: an empty answer is named as
/// such, and a document that declares DTD entities is refused outright. The parser keeps DTD
/// processing off as well; refusing here too means XXE and entity-expansion ("billion laughs")
/// documents are reported as what they are whatever parser version reads the rest.
/// </summary>
public static class FeedDocumentCheck
{
    // Entity declarations live in the internal subset, which precedes the root element.
    private const int PrologWindow = 64 * 1024;

    private static readonly byte[] Doctype = Encoding.ASCII.GetBytes("<!DOCTYPE");
    private static readonly byte[] Entity = Encoding.ASCII.GetBytes("<!ENTITY");

    public static void EnsureReadable(ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        var content = span.TrimStart("\uFEFF"u8).Trim(" \t\r\n"u8);
        if (content.IsEmpty)
        {
            throw new FeedFetchException(FeedErrorKind.Empty, "the server sent an empty document");
        }

        var prolog = span[..Math.Min(span.Length, PrologWindow)];
        var doctype = prolog.IndexOf(Doctype);
        if (doctype >= 0 && prolog[doctype..].IndexOf(Entity) >= 0)
        {
            throw new FeedFetchException(FeedErrorKind.DtdRefused, "the document declares DTD entities (possible XXE or entity expansion); refused");
        }
    }
}
