using System.Text;
using AngleSharp.Html.Parser;

namespace Watcher.Articles;

/// <summary>
/// Turns what a feed or a web page delivered into the plain text Watcher stores: markup removed,
/// entities decoded, whitespace collapsed and control characters dropped. No HTML from the web is
/// kept, so nothing stored can carry script or markup into a mail.
/// </summary>
public static class ArticleText
{
    private static readonly HtmlParser Html = new();

    public static string FromHtml(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
        {
            return "";
        }

        using var document = Html.ParseDocument(html);
        foreach (var element in document.QuerySelectorAll("script, style, noscript, template, iframe, object"))
        {
            element.Remove();
        }

        // Block elements end a sentence; without a space their words would run together.
        foreach (var element in document.QuerySelectorAll("p, br, div, li, h1, h2, h3, h4, h5, h6, tr, blockquote"))
        {
            element.After(document.CreateTextNode(" "));
        }

        return Clean(document.Body?.TextContent ?? "");
    }

    /// <summary>Plain text with markup-looking input read as HTML.</summary>
    public static string FromTitle(string? title) =>
        title is null ? "" : title.Contains('<', StringComparison.Ordinal) || title.Contains('&', StringComparison.Ordinal) ? FromHtml(title) : Clean(title);

    public static string Clean(string text)
    {
        var result = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = result.Length > 0;
                continue;
            }

            if (space)
            {
                result.Append(' ');
                space = false;
            }

            result.Append(c);
        }

        return result.ToString();
    }
}
