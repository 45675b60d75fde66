namespace Watcher.Feeds.Parsing;

/// <summary>What <see cref="HtmlScanner"/> found at the current position.</summary>
internal enum HtmlTokenKind
{
    Text,
    Tag,
    Comment,
    Declaration,
}

/// <summary>
/// A forgiving single-pass HTML tokenizer over a string: text runs, start/end tags (with their
/// raw attribute text), comments and declarations. A '&lt;' that does not start a tag is text.
/// Hand-written rather than a regular expression because it runs over every item's content and
/// must keep parsing far faster than feedparser; it allocates only tag names.
/// </summary>
internal struct HtmlScanner(string html)
{
    private int position;

    public HtmlTokenKind Kind { get; private set; }

    /// <summary>Start and length of the token in the source (for text: the text run).</summary>
    public int Start { get; private set; }

    public int Length { get; private set; }

    /// <summary>The tag name as written (tags only).</summary>
    public string Name { get; private set; } = "";

    public bool IsEndTag { get; private set; }

    public bool IsSelfClosing { get; private set; }

    /// <summary>The raw text between the tag name and the closing '&gt;'.</summary>
    public readonly ReadOnlySpan<char> Attributes => html.AsSpan(attributesStart, attributesLength);

    private int attributesStart;
    private int attributesLength;

    public bool Next()
    {
        if (position >= html.Length)
        {
            return false;
        }

        Start = position;
        if (html[position] != '<' || !TryMarkup())
        {
            var next = html.IndexOf('<', position + 1);
            var end = next < 0 ? html.Length : next;
            Kind = HtmlTokenKind.Text;
            Length = end - position;
            position = end;
        }

        return true;
    }

    private bool TryMarkup()
    {
        var at = position;
        if (string.CompareOrdinal(html, at, "<!--", 0, 4) == 0)
        {
            var close = html.IndexOf("-->", at + 4, StringComparison.Ordinal);
            int end;
            if (close >= 0)
            {
                end = close + 3;
            }
            else
            {
                // A malformed comment ("<!-- -- x >") ends at the first '>' after "--", as browsers end it.
                var dashes = html.IndexOf("--", at + 4, StringComparison.Ordinal);
                var gt = dashes < 0 ? -1 : html.IndexOf('>', dashes + 2);
                end = gt < 0 ? html.Length : gt + 1;
            }

            return Emit(HtmlTokenKind.Comment, end);
        }

        if (at + 1 < html.Length && html[at + 1] is '!' or '?')
        {
            var gt = html.IndexOf('>', at + 2);
            return gt >= 0 && Emit(HtmlTokenKind.Declaration, gt + 1);
        }

        var p = at + 1;
        var isEnd = p < html.Length && html[p] == '/';
        if (isEnd)
        {
            p++;
        }

        if (p >= html.Length || !char.IsAsciiLetter(html[p]))
        {
            return false;
        }

        var nameStart = p;
        while (p < html.Length && (char.IsAsciiLetterOrDigit(html[p]) || html[p] is ':' or '-'))
        {
            p++;
        }

        var nameEnd = p;
        while (p < html.Length && html[p] != '>')
        {
            if (html[p] is '"' or '\'')
            {
                var quote = html.IndexOf(html[p], p + 1);
                if (quote < 0)
                {
                    return false;
                }

                p = quote;
            }

            p++;
        }

        if (p >= html.Length)
        {
            return false;
        }

        Name = html[nameStart..nameEnd];
        IsEndTag = isEnd;
        IsSelfClosing = html[p - 1] == '/' && p - 1 >= nameEnd;
        attributesStart = nameEnd;
        attributesLength = (IsSelfClosing ? p - 1 : p) - nameEnd;
        return Emit(HtmlTokenKind.Tag, p + 1);
    }

    private bool Emit(HtmlTokenKind kind, int end)
    {
        Kind = kind;
        Length = end - position;
        position = end;
        return true;
    }

    /// <summary>Attributes of a tag: lower-cased names, raw (undecoded) values; a bare name is its own value.</summary>
    public static List<KeyValuePair<string, string>> ParseAttributes(ReadOnlySpan<char> text)
    {
        var attributes = new List<KeyValuePair<string, string>>();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] == '/'))
            {
                i++;
            }

            var nameStart = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('=' or '/' or '"' or '\'' or '>'))
            {
                i++;
            }

            if (i == nameStart)
            {
                i++;
                continue;
            }

            var name = text[nameStart..i].ToString().ToLowerInvariant();
            var afterName = i;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            if (i >= text.Length || text[i] != '=')
            {
                attributes.Add(new(name, name));
                i = afterName;
                continue;
            }

            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            string value;
            if (i < text.Length && text[i] is '"' or '\'')
            {
                var quote = text[i];
                var close = text[(i + 1)..].IndexOf(quote);
                var end = close < 0 ? text.Length : i + 1 + close;
                value = text[(i + 1)..end].ToString();
                i = end + 1;
            }
            else
            {
                var valueStart = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '>')
                {
                    i++;
                }

                value = text[valueStart..i].ToString();
            }

            attributes.Add(new(name, value));
        }

        return attributes;
    }
}
