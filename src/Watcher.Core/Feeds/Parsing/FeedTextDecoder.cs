using System.Text;
using System.Text.RegularExpressions;

namespace Watcher.Feeds.Parsing;

/// <summary>
/// The document's bytes (byte-order mark removed) with the encoding that reads them, how it was
/// decided, and the text once someone asked for it. UTF-8 is validated without being decoded, so
/// the XML reader can decode straight from the bytes.
/// </summary>
internal sealed class DecodedFeed(ReadOnlyMemory<byte> body, Encoding reader, string encoding, bool isJson, string? problem, string? text)
{
    private string? text = text;

    public ReadOnlyMemory<byte> Body { get; } = body;

    /// <summary>Decodes <see cref="Body"/> (never throws: validity was checked).</summary>
    public Encoding Reader { get; } = reader;

    public string Encoding { get; } = encoding;

    public bool IsJson { get; } = isJson;

    public string? Problem { get; } = problem;

    public string Text => text ??= Reader.GetString(Body.Span);

    /// <summary>The first few thousand characters, for sniffing (a character cut in two becomes U+FFFD).</summary>
    public string Head
    {
        get
        {
            var lenient = (Encoding)Reader.Clone();
            lenient.DecoderFallback = DecoderFallback.ReplacementFallback;
            return lenient.GetString(Body.Span[..Math.Min(Body.Length, 4096)]);
        }
    }
}

/// <summary>
/// Decides a document's character encoding from its byte-order mark, its XML declaration and the
/// HTTP Content-Type, in the order of precedence of RFC 3023 as feedparser applies it: for
/// <c>application/*xml</c> the HTTP charset wins, then the declaration, then UTF-8; for
/// <c>text/*xml</c> only the HTTP charset counts and defaults to US-ASCII; without HTTP the
/// declaration wins, then UTF-8. When the chosen encoding cannot decode the bytes, the
/// declaration, the sniffed encoding, UTF-8, Windows-1252 and ISO-8859-2 are tried in turn and the
/// override is reported (a Windows-1252 Dutch feed declared as UTF-8 still comes out right).
/// </summary>
internal static partial class FeedTextDecoder
{
    static FeedTextDecoder() => System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static readonly HashSet<string> WideDeclarations =
        ["u16", "utf-16", "utf16", "utf_16", "u32", "utf-32", "utf32", "utf_32", "iso-10646-ucs-2", "iso-10646-ucs-4", "csucs4", "csunicode", "ucs-2", "ucs-4"];

    /// <summary>Bytes Windows-1252 leaves undefined; .NET maps them to control characters, but their presence means the text is in another encoding.</summary>
    private static readonly System.Buffers.SearchValues<byte> Windows1252Undefined = System.Buffers.SearchValues.Create([0x81, 0x8D, 0x8F, 0x90, 0x9D]);

    public static DecodedFeed Decode(ReadOnlyMemory<byte> document, string? contentTypeHeader, bool fromHttp)
    {
        var (bom, skip) = SniffByteOrder(document.Span);
        var body = document[skip..];
        var data = body.Span;
        var declared = DeclaredEncoding(data, bom);
        if (bom.Length > 0 && declared is not null && WideDeclarations.Contains(declared))
        {
            declared = bom;
        }

        var (mediaType, httpCharset) = ParseContentType(contentTypeHeader ?? "");
        mediaType = mediaType.ToLowerInvariant();
        var acceptable = true;
        var json = false;
        string preferred;
        if (mediaType is "application/xml" or "application/xml-dtd" or "application/xml-external-parsed-entity"
            || (mediaType.StartsWith("application/", StringComparison.Ordinal) && mediaType.EndsWith("+xml", StringComparison.Ordinal)))
        {
            preferred = httpCharset ?? declared ?? "utf-8";
        }
        else if (mediaType is "text/xml" or "text/xml-external-parsed-entity"
            || (mediaType.StartsWith("text/", StringComparison.Ordinal) && mediaType.EndsWith("+xml", StringComparison.Ordinal)))
        {
            preferred = httpCharset ?? "us-ascii";
        }
        else if (mediaType is "application/feed+json" or "application/json" || (mediaType.Length == 0 && StartsWithBrace(data)))
        {
            json = true;
            preferred = httpCharset ?? "utf-8";
        }
        else if (mediaType.StartsWith("text/", StringComparison.Ordinal))
        {
            acceptable = false;
            preferred = httpCharset ?? "us-ascii";
        }
        else
        {
            acceptable = mediaType.Length == 0 && !fromHttp;
            preferred = declared ?? "utf-8";
        }

        string? problem = acceptable ? null : $"{contentTypeHeader} is not an XML media type";
        var tried = new List<string>();
        foreach (var candidate in new[] { preferred, declared, bom, "utf-8", "windows-1252", "iso-8859-2" })
        {
            if (string.IsNullOrEmpty(candidate) || tried.Contains(candidate))
            {
                continue;
            }

            tried.Add(candidate);
            var encoding = Resolve(candidate, lenient: false);
            string? text = null;
            if (encoding is null
                || (encoding.CodePage == 1252 && data.IndexOfAny(Windows1252Undefined) >= 0)
                || (encoding is UTF8Encoding ? !System.Text.Unicode.Utf8.IsValid(data) : (text = TryDecode(data, encoding)) is null))
            {
                continue;
            }

            if (candidate != preferred)
            {
                problem = $"document declared as {preferred}, but parsed as {candidate}";
            }

            return new DecodedFeed(body, encoding, candidate, json, problem, text);
        }

        throw new FeedParseException($"the document's character encoding is unknown: it is not valid {string.Join(", ", tried)}.");
    }

    private static bool StartsWithBrace(ReadOnlySpan<byte> data) => data.TrimStart(" \t\r\n"u8).StartsWith("{"u8);

    private static (string Encoding, int Skip) SniffByteOrder(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith(new byte[] { 0x00, 0x00, 0xFE, 0xFF }))
        {
            return ("utf-32be", 4);
        }

        if (data.StartsWith(new byte[] { 0xFF, 0xFE, 0x00, 0x00 }))
        {
            return ("utf-32le", 4);
        }

        if (data.StartsWith(new byte[] { 0xFE, 0xFF }) && !data[2..].StartsWith(new byte[] { 0, 0 }))
        {
            return ("utf-16be", 2);
        }

        if (data.StartsWith(new byte[] { 0xFF, 0xFE }) && !data[2..].StartsWith(new byte[] { 0, 0 }))
        {
            return ("utf-16le", 2);
        }

        if (data.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }))
        {
            return ("utf-8", 3);
        }

        // '<?xm' in encodings without a byte-order mark (XML 1.0 appendix F).
        return data.Length < 4 ? ("", 0)
            : data[..4].SequenceEqual(new byte[] { 0x4C, 0x6F, 0xA7, 0x94 }) ? ("cp037", 0)
            : data[..4].SequenceEqual(new byte[] { 0x00, 0x3C, 0x00, 0x3F }) ? ("utf-16be", 0)
            : data[..4].SequenceEqual(new byte[] { 0x3C, 0x00, 0x3F, 0x00 }) ? ("utf-16le", 0)
            : data[..4].SequenceEqual(new byte[] { 0x00, 0x00, 0x00, 0x3C }) ? ("utf-32be", 0)
            : data[..4].SequenceEqual(new byte[] { 0x3C, 0x00, 0x00, 0x00 }) ? ("utf-32le", 0)
            : ("", 0);
    }

    private static string? DeclaredEncoding(ReadOnlySpan<byte> data, string bom)
    {
        string head;
        if (bom.Length > 0)
        {
            var prefix = data[..Math.Min(data.Length, 1024)];
            head = TryDecode(prefix, bom, lenient: true) ?? "";
        }
        else
        {
            head = System.Text.Encoding.Latin1.GetString(data[..Math.Min(data.Length, 512)]);
        }

        var match = XmlDeclarationEncoding().Match(head);
        return match.Success ? match.Groups[1].Value.ToLowerInvariant() : null;
    }

    internal static (string MediaType, string? Charset) ParseContentType(string header)
    {
        var parts = header.Split(';');
        string? charset = null;
        foreach (var part in parts.Skip(1))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && part[..equals].Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                var value = part[(equals + 1)..].Trim().Trim('"', '\'');
                charset = value.Length == 0 ? null : value.ToLowerInvariant();
            }
        }

        return (parts[0].Trim(), charset);
    }

    private static string? TryDecode(ReadOnlySpan<byte> data, string name, bool lenient) =>
        Resolve(name, lenient) is { } encoding ? TryDecode(data, encoding) : null;

    private static string? TryDecode(ReadOnlySpan<byte> data, Encoding encoding)
    {
        try
        {
            return encoding.GetString(data);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static Encoding? Resolve(string name, bool lenient)
    {
        var canonical = name.Trim().ToLowerInvariant().Replace('_', '-') switch
        {
            "u16" or "utf16" => "utf-16",
            "u32" or "utf32" => "utf-32",
            "gb2312" => "gb18030",
            "utf8" or "u8" => "utf-8",
            "latin1" or "latin-1" or "l1" => "iso-8859-1",
            "cp1252" => "windows-1252",
            "ascii" => "us-ascii",
            var other => other,
        };
        var decoderFallback = lenient ? DecoderFallback.ReplacementFallback : DecoderFallback.ExceptionFallback;
        try
        {
            return canonical switch
            {
                "utf-8" => new UTF8Encoding(false, throwOnInvalidBytes: !lenient),
                "utf-16" or "utf-16le" => new UnicodeEncoding(false, false, throwOnInvalidBytes: !lenient),
                "utf-16be" => new UnicodeEncoding(true, false, throwOnInvalidBytes: !lenient),
                "utf-32" or "utf-32le" => new UTF32Encoding(false, false, throwOnInvalidCharacters: !lenient),
                "utf-32be" => new UTF32Encoding(true, false, throwOnInvalidCharacters: !lenient),
                _ => System.Text.Encoding.GetEncoding(canonical, EncoderFallback.ReplacementFallback, decoderFallback),
            };
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"^\s*<\?xml[^>]*?encoding\s*=\s*[""']([^""']*)[""']")]
    private static partial Regex XmlDeclarationEncoding();
}
