using AngleSharp.Html.Parser;

namespace Watcher.Digests;

/// <summary>
/// Text that came from a feed, reduced to one line of plain text before it is shown: feeds put
/// markup and entities in titles and summaries, and the mail's HTML and text parts must show the
/// same words, never the markup (a <c>&lt;script&gt;</c> in a title is dropped with its content).
/// </summary>
internal static class FeedText
{
    private static readonly HtmlParser Parser = new();

    public static string Plain(string value)
    {
        // Most feed text holds no markup; parsing only when it might keeps a 500-item digest fast.
        if (value.AsSpan().IndexOfAny('<', '&') < 0)
        {
            return OneLine(value);
        }

        using var document = Parser.ParseDocument("<!DOCTYPE html><html><body>" + value);
        foreach (var element in document.QuerySelectorAll("script, style, noscript, template, iframe, object").ToList())
        {
            element.Remove();
        }

        return OneLine(document.Body?.TextContent ?? "");
    }

    public static string OneLine(string value)
    {
        var span = value.AsSpan();
        var clean = span.IndexOfAny(LineBreaksAndTabs) < 0 && !span.Contains("  ", StringComparison.Ordinal) &&
            (span.Length == 0 || (span[0] != ' ' && span[^1] != ' '));
        return clean ? value : string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private static readonly System.Buffers.SearchValues<char> LineBreaksAndTabs = System.Buffers.SearchValues.Create("\r\n\t\v\f\u0085\u2028\u2029\u00a0");
}
