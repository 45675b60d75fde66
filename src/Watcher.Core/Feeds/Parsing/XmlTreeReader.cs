using System.Xml;

namespace Watcher.Feeds.Parsing;

/// <summary>A document read into <see cref="FeedNode"/>s, plus what the reader noticed on the way.</summary>
internal sealed record FeedTree(FeedNode Root, string? FirstFormatNamespace);

/// <summary>
/// Reads a well-formed document with a streaming <see cref="XmlReader"/> straight into the light
/// <see cref="FeedNode"/> tree (no XDocument in between). DTDs are skipped, never processed: no
/// entity they declare is expanded and no external resource is ever resolved (no XXE, no billion
/// laughs); a reference to such an entity makes the document ill-formed.
/// </summary>
internal static class XmlTreeReader
{
    /// <summary>
    /// The deepest element nesting read. Real feeds nest fewer than 20 levels (XHTML content
    /// included); the mapper walks the tree recursively, so an unbounded depth would let one
    /// hostile document overflow the stack and abort the whole process.
    /// </summary>
    public const int MaxDepth = 256;

    /// <summary>One name table per thread, so element and attribute names are atomized once, not per document.</summary>
    [ThreadStatic]
    private static NameTable? names;

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = false,
        MaxCharactersFromEntities = 0,
        CloseInput = true,

        // Characters outside the XML range are let through rather than failing the whole feed.
        CheckCharacters = false,
    };

    /// <exception cref="XmlException">The document is not well-formed.</exception>
    public static FeedTree Read(string text) => Read(new StringReader(text));

    /// <summary>Reads straight from the bytes, decoding as it goes (no whole-document string).</summary>
    /// <exception cref="XmlException">The document is not well-formed.</exception>
    public static FeedTree Read(ReadOnlyMemory<byte> body, System.Text.Encoding encoding)
    {
        var stream = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
        return Read(new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 16384));
    }

    private static FeedTree Read(TextReader text)
    {
        var settings = Settings.Clone();
        settings.NameTable = names ??= new NameTable();
        using var reader = XmlReader.Create(text, settings);
        var stack = new Stack<FeedNode>();
        FeedNode? root = null;
        string? formatNamespace = null;
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    var node = CreateNode(reader, ref formatNamespace);
                    if (stack.Count > 0)
                    {
                        stack.Peek().Children.Add(node);
                    }
                    else
                    {
                        root = node;
                    }

                    if (!reader.IsEmptyElement)
                    {
                        if (stack.Count >= MaxDepth)
                        {
                            throw TooDeep();
                        }

                        stack.Push(node);
                    }

                    break;
                case XmlNodeType.EndElement:
                    stack.Pop();
                    break;
                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.SignificantWhitespace:
                case XmlNodeType.Whitespace:
                    if (stack.Count > 0)
                    {
                        stack.Peek().AddText(reader.Value);
                    }

                    break;
            }
        }

        return new FeedTree(root ?? throw new XmlException("The document has no root element."), formatNamespace);
    }

    /// <summary>Not an <see cref="XmlException"/>: the lenient readers must not retry what no reader may read.</summary>
    internal static FeedParseException TooDeep() =>
        new($"the document nests elements more than {MaxDepth} levels deep, the most Watcher reads.");

    private static FeedNode CreateNode(XmlReader reader, ref string? formatNamespace)
    {
        var node = new FeedNode(FeedNamespaces.PrefixFor(reader.NamespaceURI, reader.Prefix), LowerCase(reader.LocalName))
        {
            WrittenName = reader.LocalName,
            NamespaceUri = reader.NamespaceURI,
        };
        if (reader.MoveToFirstAttribute())
        {
            do
            {
                if (reader.Prefix == "xmlns" || (reader.Prefix.Length == 0 && reader.LocalName == "xmlns"))
                {
                    formatNamespace ??= FormatNamespace(reader.Value, isDefault: reader.Prefix.Length == 0);
                    continue;
                }

                var prefix = reader.NamespaceURI.Length == 0 ? "" : FeedNamespaces.PrefixFor(reader.NamespaceURI, reader.Prefix);
                var name = prefix.Length == 0 ? LowerCase(reader.LocalName) : prefix + ":" + LowerCase(reader.LocalName);
                node.Attributes.Add(new(name, reader.Value));
            }
            while (reader.MoveToNextAttribute());
            reader.MoveToElement();
        }

        return node;
    }

    private static string LowerCase(string name)
    {
        foreach (var c in name)
        {
            if (char.IsAsciiLetterUpper(c) || c > '\u007F')
            {
                return name.ToLowerInvariant();
            }
        }

        return name;
    }

    /// <summary>The format a namespace declaration announces, as feedparser infers it from the first such declaration.</summary>
    internal static string? FormatNamespace(string uri, bool isDefault) =>
        uri.Equals(FeedNamespaces.Rss090, StringComparison.OrdinalIgnoreCase) && isDefault ? "rss090"
        : uri.Equals(FeedNamespaces.Rss10, StringComparison.OrdinalIgnoreCase) ? "rss10"
        : uri.Equals(FeedNamespaces.Atom10, StringComparison.OrdinalIgnoreCase) ? "atom10"
        : null;
}
