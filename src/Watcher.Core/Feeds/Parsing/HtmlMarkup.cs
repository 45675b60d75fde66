using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Watcher.Feeds.Parsing;

/// <summary>
/// The markup feed readers apply to embedded HTML: a conservative sanitizer (script, style and
/// applet dropped with their content, unknown elements dropped but their text kept, only
/// harmless attributes kept, relative URLs resolved), plain-text extraction, and the "does this
/// plain-text element really hold HTML" guess RSS needs. A single-pass tokenizer rather than
/// HtmlSanitizer/AngleSharp because it runs on every title and summary of every feed and must
/// keep the parse fast; AngleSharp still serves full article text (<see cref="FeedParser.HtmlToText"/>).
/// </summary>
internal static partial class HtmlMarkup
{
    private static readonly HashSet<string> AcceptableElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "a", "abbr", "acronym", "address", "area", "article", "aside", "audio", "b", "bdi", "bdo", "big", "blockquote",
        "br", "button", "canvas", "caption", "center", "cite", "code", "col", "colgroup", "command", "datagrid",
        "datalist", "dd", "del", "details", "dfn", "dialog", "dir", "div", "dl", "dt", "em", "event-source",
        "fieldset", "figcaption", "figure", "font", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "i", "img", "input", "ins", "kbd", "keygen", "label", "legend", "li", "m", "map", "menu", "meter",
        "multicol", "nav", "nextid", "noscript", "ol", "optgroup", "option", "output", "p", "pre", "progress", "q",
        "s", "samp", "section", "select", "small", "sound", "source", "spacer", "span", "strike", "strong", "sub",
        "sup", "table", "tbody", "td", "textarea", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var",
        "video", "noscript", "picture", "figure", "mark", "wbr",
    };

    private static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure", "footer",
        "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "nav", "ol", "p", "pre", "section", "table", "td",
        "th", "tr", "ul",
    };

    private static readonly HashSet<string> DroppedWithContent = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "applet" };

    private static readonly HashSet<string> VoidElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "basefont", "br", "col", "frame", "hr", "img", "input", "isindex", "keygen", "link", "meta", "param", "source", "wbr",
    };

    private static readonly HashSet<string> AcceptableAttributes = new(StringComparer.OrdinalIgnoreCase)
    {
        "abbr", "accept", "accept-charset", "accesskey", "action", "align", "alt", "autoplay", "axis", "bgcolor", "border",
        "cellpadding", "cellspacing", "char", "charoff", "charset", "checked", "cite", "class", "clear", "color", "cols",
        "colspan", "compact", "controls", "coords", "datetime", "dir", "disabled", "enctype", "face", "for", "frame",
        "headers", "height", "href", "hreflang", "hspace", "id", "ismap", "label", "lang", "longdesc", "loop",
        "maxlength", "media", "method", "multiple", "name", "nohref", "noshade", "nowrap", "poster", "preload",
        "readonly", "rel", "rev", "rows", "rowspan", "rules", "scope", "selected", "shape", "size", "span", "src",
        "start", "summary", "tabindex", "target", "title", "type", "usemap", "valign", "value", "vspace", "width",
        "xml:lang", "srcset", "sizes", "style",
    };

    private static readonly HashSet<string> UrlAttributes = new(StringComparer.OrdinalIgnoreCase) { "href", "src", "cite", "longdesc", "poster", "action", "usemap" };

    /// <summary>The HTML with dangerous markup removed and relative URLs made absolute against <paramref name="baseUri"/>.</summary>
    public static string Sanitize(string html, string? baseUri)
    {
        if (html.IndexOf('<', StringComparison.Ordinal) < 0)
        {
            return html.Contains('&', StringComparison.Ordinal) ? EscapeBareAmpersands(html) : html;
        }

        var output = new StringBuilder(html.Length);
        string? skippingUntil = null;
        var scanner = new HtmlScanner(html);
        while (scanner.Next())
        {
            if (scanner.Kind == HtmlTokenKind.Text)
            {
                if (skippingUntil is null)
                {
                    AppendEscapingBareAmpersands(output, html.AsSpan(scanner.Start, scanner.Length));
                }

                continue;
            }

            if (scanner.Kind != HtmlTokenKind.Tag)
            {
                continue;
            }

            var name = scanner.Name;
            if (skippingUntil is not null)
            {
                if (scanner.IsEndTag && name.Equals(skippingUntil, StringComparison.OrdinalIgnoreCase))
                {
                    skippingUntil = null;
                }

                continue;
            }

            if (DroppedWithContent.Contains(name))
            {
                if (!scanner.IsEndTag && !scanner.IsSelfClosing)
                {
                    skippingUntil = name;
                }

                continue;
            }

            if (!AcceptableElements.Contains(name))
            {
                continue;
            }

            var lower = name.ToLowerInvariant();
            if (scanner.IsEndTag)
            {
                if (!VoidElements.Contains(lower))
                {
                    output.Append("</").Append(lower).Append('>');
                }

                continue;
            }

            output.Append('<').Append(lower);
            AppendAttributes(output, scanner.Attributes, baseUri);
            output.Append(VoidElements.Contains(lower) ? " />" : ">");
        }

        return output.ToString();
    }

    private static void AppendAttributes(StringBuilder output, ReadOnlySpan<char> attributeText, string? baseUri)
    {
        if (attributeText.IsWhiteSpace())
        {
            return;
        }

        var attributes = HtmlScanner.ParseAttributes(attributeText);

        // Sorted and de-duplicated (last value wins), as feedparser writes them.
        attributes.Reverse();
        attributes = attributes.DistinctBy(a => a.Key).ToList();
        attributes.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var (name, raw) in attributes)
        {
            string value;
            if (name == "style")
            {
                value = SanitizeStyle(Decode(raw));
            }
            else if (UrlAttributes.Contains(name))
            {
                value = EscapeAttribute(FeedUris.Resolve(baseUri, Decode(raw).Trim()) ?? "");
            }
            else if (AcceptableAttributes.Contains(name))
            {
                value = EscapeMarkupCharacters(raw);
            }
            else
            {
                continue;
            }

            output.Append(' ').Append(name).Append("=\"").Append(value).Append('"');
        }
    }

    private static string Decode(string raw) => raw.Contains('&', StringComparison.Ordinal) ? WebUtility.HtmlDecode(raw) : raw;

    private static string EscapeBareAmpersands(string text)
    {
        var builder = new StringBuilder(text.Length + 16);
        AppendEscapingBareAmpersands(builder, text);
        return builder.ToString();
    }

    /// <summary>Appends text, writing an ampersand that does not start a character reference as <c>&amp;amp;</c>.</summary>
    private static void AppendEscapingBareAmpersands(StringBuilder output, ReadOnlySpan<char> text)
    {
        while (true)
        {
            var amp = text.IndexOf('&');
            if (amp < 0)
            {
                output.Append(text);
                return;
            }

            output.Append(text[..amp]);
            output.Append(StartsCharacterReference(text[amp..]) ? "&" : "&amp;");
            text = text[(amp + 1)..];
        }
    }

    private static bool StartsCharacterReference(ReadOnlySpan<char> text)
    {
        var i = 1;
        if (i < text.Length && text[i] == '#')
        {
            i++;
            var hex = i < text.Length && text[i] is 'x' or 'X';
            if (hex)
            {
                i++;
            }

            var digitsStart = i;
            while (i < text.Length && (hex ? char.IsAsciiHexDigit(text[i]) : char.IsAsciiDigit(text[i])))
            {
                i++;
            }

            return i > digitsStart && i < text.Length && text[i] == ';';
        }

        if (i >= text.Length || !char.IsAsciiLetter(text[i]))
        {
            return false;
        }

        while (i < text.Length && char.IsAsciiLetterOrDigit(text[i]))
        {
            i++;
        }

        return i < text.Length && text[i] == ';';
    }

    private static string EscapeAttribute(string value) =>
        WebUtility.HtmlEncode(value).Replace("&#39;", "'", StringComparison.Ordinal);

    /// <summary>An attribute value as written, with only what would break the markup escaped (entity references kept).</summary>
    private static string EscapeMarkupCharacters(string raw) =>
        EscapeBareAmpersands(raw.Replace(">", "&gt;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal));

    /// <summary>
    /// Keeps only presentational CSS declarations: no url(), nothing outside a conservative
    /// character set, only listed properties (and background/border/margin/padding shorthands whose
    /// every keyword is a colour, size or listed keyword).
    /// </summary>
    private static string SanitizeStyle(string style)
    {
        style = CssUrl().Replace(style, " ");
        if (!CssGauntlet().IsMatch(style) || CssDeclaration().Replace(style, "").Trim().Length > 0)
        {
            return "";
        }

        var clean = new List<string>();
        foreach (Match declaration in CssDeclaration().Matches(style))
        {
            var property = declaration.Groups["property"].Value;
            var value = declaration.Groups["value"].Value;
            if (value.Length == 0)
            {
                continue;
            }

            var lower = property.ToLowerInvariant();
            if (CssProperties.Contains(lower)
                || (lower.Split('-')[0] is "background" or "border" or "margin" or "padding"
                    && value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).All(k => CssKeywords.Contains(k) || CssValue().IsMatch(k))))
            {
                clean.Add(property + ": " + value + ";");
            }
        }

        return string.Join(' ', clean);
    }

    private static readonly HashSet<string> CssProperties =
    [
        "azimuth", "background-color", "border-bottom-color", "border-collapse", "border-color", "border-left-color",
        "border-right-color", "border-top-color", "clear", "color", "cursor", "direction", "display", "elevation",
        "float", "font", "font-family", "font-size", "font-style", "font-variant", "font-weight", "height",
        "letter-spacing", "line-height", "overflow", "pause", "pause-after", "pause-before", "pitch", "pitch-range",
        "richness", "speak", "speak-header", "speak-numeral", "speak-punctuation", "speech-rate", "stress",
        "text-align", "text-decoration", "text-indent", "unicode-bidi", "vertical-align", "voice-family", "volume",
        "white-space", "width",
    ];

    private static readonly HashSet<string> CssKeywords =
    [
        "!important", "aqua", "auto", "black", "block", "blue", "bold", "both", "bottom", "brown", "center",
        "collapse", "dashed", "dotted", "fuchsia", "gray", "green", "italic", "left", "lime", "maroon", "medium",
        "navy", "none", "normal", "nowrap", "olive", "pointer", "purple", "red", "right", "silver", "solid", "teal",
        "top", "transparent", "underline", "white", "yellow",
    ];

    /// <summary>Text content: tags removed, character references decoded, whitespace collapsed.</summary>
    public static string ToText(string html)
    {
        string text;
        if (html.IndexOf('<', StringComparison.Ordinal) < 0)
        {
            text = html;
        }
        else
        {
            var builder = new StringBuilder(html.Length);
            var scanner = new HtmlScanner(html);
            while (scanner.Next())
            {
                if (scanner.Kind == HtmlTokenKind.Text)
                {
                    builder.Append(html, scanner.Start, scanner.Length);
                }
                else if (scanner.Kind == HtmlTokenKind.Tag && BlockElements.Contains(scanner.Name))
                {
                    // Block-level tags separate words; inline tags do not ("divest<b>.</b>" is "divest.").
                    builder.Append(' ');
                }
            }

            text = builder.ToString();
        }

        return CollapseWhitespace(Windows1252Punctuation.Replace(Decode(text)));
    }

    public static string CollapseWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>
    /// Whether text in a nominally plain-text RSS element is really HTML: it must contain an end
    /// tag or a character reference, and every tag and entity must be ordinary HTML (erring on the
    /// side of plain text, since a false positive would silently drop text).
    /// </summary>
    public static bool LooksLikeHtml(string text)
    {
        if (!EndTagOrReference().IsMatch(text))
        {
            return false;
        }

        foreach (Match tag in TagName().Matches(text))
        {
            if (!AcceptableElements.Contains(tag.Groups[1].Value))
            {
                return false;
            }
        }

        foreach (Match entity in EntityName().Matches(text))
        {
            var name = entity.Groups[1].Value;
            if (name is not ("amp" or "lt" or "gt" or "quot" or "apos") && WebUtility.HtmlDecode(entity.Value) == entity.Value)
            {
                return false;
            }
        }

        return true;
    }




    [GeneratedRegex(@"url\s*\(\s*[^\s)]+?\s*\)\s*")]
    private static partial Regex CssUrl();

    [GeneratedRegex(@"^(?:[:,;#%.\sa-zA-Z0-9!]|\w-\w|'[\s\w]+'|""[\s\w]+""|\([\d,\s]+\))*$")]
    private static partial Regex CssGauntlet();

    [GeneratedRegex(@"\s*(?<property>[-\w]+)\s*:\s*(?<value>[^:;]*);?")]
    private static partial Regex CssDeclaration();

    [GeneratedRegex(@"^(?:#[0-9a-f]+|rgb\(\d+%?,\d*%?,?\d*%?\)?|\d{0,2}\.?\d{0,2}(?:cm|em|ex|in|mm|pc|pt|px|%|,|\))?)$")]
    private static partial Regex CssValue();

    [GeneratedRegex(@"</\w+>|&#?\w+;")]
    private static partial Regex EndTagOrReference();

    [GeneratedRegex(@"</?(\w+)")]
    private static partial Regex TagName();

    [GeneratedRegex(@"&(\w+);")]
    private static partial Regex EntityName();
}
