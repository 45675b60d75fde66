namespace Watcher.Feeds.Parsing;

/// <summary>Relative reference resolution for feed links (xml:base, Content-Location, document URL).</summary>
internal static class FeedUris
{
    private static readonly HashSet<string> SafeSchemes = new(StringComparer.OrdinalIgnoreCase)
    {
        "http", "https", "ftp", "ftps", "mailto", "news", "nntp", "tag", "urn", "file", "data", "magnet", "feed", "gopher", "irc", "ircs", "sftp", "ssh", "tel", "xmpp", "sip", "sips",
    };

    /// <summary>
    /// <paramref name="reference"/> resolved against <paramref name="baseUri"/>; the reference itself
    /// when there is no usable base; null for an absolute URI with an unsafe scheme (javascript:).
    /// </summary>
    public static string? Resolve(string? baseUri, string reference)
    {
        if (reference.Length == 0)
        {
            return baseUri ?? reference;
        }

        var colon = reference.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && IsScheme(reference.AsSpan(0, colon)))
        {
            // Already absolute: keep it as written (a reader should not re-escape it), unless it is dangerous.
            return SafeSchemes.Contains(reference[..colon]) ? reference : null;
        }

        if (baseUri is null || !Uri.TryCreate(baseUri, UriKind.Absolute, out var parsedBase))
        {
            return reference;
        }

        return Uri.TryCreate(parsedBase, reference, out var resolved) ? resolved.OriginalString.Length > 0 ? resolved.AbsoluteUri : reference : reference;
    }

    private static bool IsScheme(ReadOnlySpan<char> text)
    {
        if (!char.IsAsciiLetter(text[0]))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
