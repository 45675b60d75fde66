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
            return html.Contains('&', StringComparison.Ordinal) ? BareAmpersand().Replace(html, "&amp;") : html;
        }

        var output = new StringBuilder(html.Length);
        var position = 0;
        string? skippingUntil = null;
        foreach (Match token in Token().Matches(html))
        {
            if (skippingUntil is null)
            {
                output.Append(BareAmpersand().Replace(html[position..token.Index], "&amp;"));
            }

            position = token.Index + token.Length;
            if (token.Groups["comment"].Success || token.Groups["declaration"].Success)
            {
                continue;
            }

            var name = token.Groups["name"].Value;
            var isEnd = token.Groups["end"].Success;
            if (skippingUntil is not null)
            {
                if (isEnd && name.Equals(skippingUntil, StringComparison.OrdinalIgnoreCase))
                {
                    skippingUntil = null;
                }

                continue;
            }

            if (DroppedWithContent.Contains(name))
            {
                if (!isEnd && !token.Groups["selfclosing"].Success)
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
            if (isEnd)
            {
                if (!VoidElements.Contains(lower))
                {
                    output.Append("</").Append(lower).Append('>');
                }

                continue;
            }

            output.Append('<').Append(lower);
            var kept = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (Match attribute in Attribute().Matches(token.Groups["attributes"].Value))
            {
                var attributeName = attribute.Groups["name"].Value.ToLowerInvariant();
                var raw = attribute.Groups["value"].Success ? attribute.Groups["value"].Value : attributeName;
                if (attributeName == "style")
                {
                    kept[attributeName] = SanitizeStyle(WebUtility.HtmlDecode(raw));
                }
                else if (UrlAttributes.Contains(attributeName))
                {
                    kept[attributeName] = EscapeAttribute(FeedUris.Resolve(baseUri, WebUtility.HtmlDecode(raw).Trim()) ?? "");
                }
                else if (AcceptableAttributes.Contains(attributeName))
                {
                    kept[attributeName] = EscapeMarkupCharacters(raw);
                }
            }

            foreach (var (attributeName, value) in kept)
            {
                output.Append(' ').Append(attributeName).Append("=\"").Append(value).Append('"');
            }

            output.Append(VoidElements.Contains(lower) ? " />" : ">");
        }

        if (skippingUntil is null)
        {
            output.Append(BareAmpersand().Replace(html[position..], "&amp;"));
        }

        return output.ToString();
    }

    private static string EscapeAttribute(string value) =>
        WebUtility.HtmlEncode(value).Replace("&#39;", "'", StringComparison.Ordinal);

    /// <summary>An attribute value as written, with only what would break the markup escaped (entity references kept).</summary>
    private static string EscapeMarkupCharacters(string raw) =>
        BareAmpersand().Replace(raw.Replace(">", "&gt;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal), "&amp;");

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
        // Block-level tags separate words; inline tags do not ("divest<b>.</b>" is "divest.").
        var text = html.IndexOf('<', StringComparison.Ordinal) < 0 ? html
            : Token().Replace(html, token => BlockElements.Contains(token.Groups["name"].Value) ? " " : "");
        return CollapseWhitespace(Windows1252Punctuation.Replace(WebUtility.HtmlDecode(text)));
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

    [GeneratedRegex(@"(?<comment><!--(?:.*?-->|.*?--[^>]*>|.*$))|(?<declaration><![^>]*>|<\?[^>]*>)|<(?<end>/)?(?<name>[A-Za-z][A-Za-z0-9:\-]*)(?<attributes>(?:[^>""']|""[^""]*""|'[^']*')*)(?<selfclosing>/)?>", RegexOptions.Singleline)]
    private static partial Regex Token();

    [GeneratedRegex(@"(?<name>[^\s=/""'>]+)(?:\s*=\s*(?:""(?<value>[^""]*)""|'(?<value>[^']*)'|(?<value>[^\s>]+)))?")]
    private static partial Regex Attribute();

    [GeneratedRegex(@"&(?![A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#[xX][0-9A-Fa-f]+;)")]
    private static partial Regex BareAmpersand();

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
