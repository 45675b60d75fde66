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
        "xml:lang", "srcset", "sizes",
    };

    private static readonly HashSet<string> UrlAttributes = new(StringComparer.OrdinalIgnoreCase) { "href", "src", "cite", "longdesc", "poster", "action", "usemap" };

    /// <summary>The HTML with dangerous markup removed and relative URLs made absolute against <paramref name="baseUri"/>.</summary>
    public static string Sanitize(string html, string? baseUri)
    {
        if (html.IndexOf('<', StringComparison.Ordinal) < 0)
        {
            return html;
        }

        var output = new StringBuilder(html.Length);
        var position = 0;
        string? skippingUntil = null;
        foreach (Match token in Token().Matches(html))
        {
            if (skippingUntil is null)
            {
                output.Append(html, position, token.Index - position);
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
            foreach (Match attribute in Attribute().Matches(token.Groups["attributes"].Value))
            {
                var attributeName = attribute.Groups["name"].Value.ToLowerInvariant();
                if (!AcceptableAttributes.Contains(attributeName))
                {
                    continue;
                }

                var value = WebUtility.HtmlDecode(attribute.Groups["value"].Success ? attribute.Groups["value"].Value : attributeName);
                if (UrlAttributes.Contains(attributeName))
                {
                    value = FeedUris.Resolve(baseUri, value.Trim()) ?? value;
                }

                output.Append(' ').Append(attributeName).Append("=\"").Append(WebUtility.HtmlEncode(value)).Append('"');
            }

            output.Append(VoidElements.Contains(lower) ? " />" : ">");
        }

        if (skippingUntil is null)
        {
            output.Append(html, position, html.Length - position);
        }

        return output.ToString();
    }

    /// <summary>Text content: tags removed, character references decoded, whitespace collapsed.</summary>
    public static string ToText(string html)
    {
        var text = html.IndexOf('<', StringComparison.Ordinal) < 0 ? html : Token().Replace(html, " ");
        return CollapseWhitespace(WebUtility.HtmlDecode(text));
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

    [GeneratedRegex(@"(?<comment><!--.*?(?:-->|$))|(?<declaration><![^>]*>|<\?[^>]*>)|<(?<end>/)?(?<name>[A-Za-z][A-Za-z0-9:\-]*)(?<attributes>(?:[^>""']|""[^""]*""|'[^']*')*)(?<selfclosing>/)?>", RegexOptions.Singleline)]
    private static partial Regex Token();

    [GeneratedRegex(@"(?<name>[^\s=/""'>]+)(?:\s*=\s*(?:""(?<value>[^""]*)""|'(?<value>[^']*)'|(?<value>[^\s>]+)))?")]
    private static partial Regex Attribute();

    [GeneratedRegex(@"</\w+>|&#?\w+;")]
    private static partial Regex EndTagOrReference();

    [GeneratedRegex(@"</?(\w+)")]
    private static partial Regex TagName();

    [GeneratedRegex(@"&(\w+);")]
    private static partial Regex EntityName();
}
