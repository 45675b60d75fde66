namespace Watcher.Feeds.Parsing;

/// <summary>Relative reference resolution for feed links (xml:base, Content-Location, document URL).</summary>
internal static partial class FeedUris
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
            // Already absolute: keep it as written (a reader should not re-escape it), unless it is
            // dangerous or its authority is broken beyond use ("http://example.c[o/").
            return !SafeSchemes.Contains(reference[..colon]) ? null : HasBrokenAuthority(reference, colon) ? "" : reference;
        }

        if (baseUri is not null && TripleSlash().IsMatch(baseUri))
        {
            // "http:///example.com/" is a common typo for "http://example.com/".
            baseUri = TripleSlash().Replace(baseUri, "$1//");
        }

        var parsedBase = ParseBase(baseUri);
        if (parsedBase is null)
        {
            return reference;
        }

        return Uri.TryCreate(parsedBase, reference, out var resolved) ? resolved.OriginalString.Length > 0 ? resolved.AbsoluteUri : reference : reference;
    }

    [ThreadStatic]
    private static KeyValuePair<string, Uri?>? lastBase;

    /// <summary>The base as a <see cref="Uri"/>; the last one is remembered since a feed resolves hundreds of links against the same base.</summary>
    private static Uri? ParseBase(string? baseUri)
    {
        if (baseUri is null)
        {
            return null;
        }

        if (lastBase is { } cached && ReferenceEquals(cached.Key, baseUri))
        {
            return cached.Value;
        }

        var parsed = Uri.TryCreate(baseUri, UriKind.Absolute, out var uri) ? uri : null;
        lastBase = new(baseUri, parsed);
        return parsed;
    }

    private static bool HasBrokenAuthority(string reference, int colon)
    {
        if (string.CompareOrdinal(reference, colon, "://", 0, 3) != 0)
        {
            return false;
        }

        var start = colon + 3;
        var end = reference.IndexOfAny(['/', '?', '#'], start);
        var authority = end < 0 ? reference[start..] : reference[start..end];
        return authority.Contains('[', StringComparison.Ordinal) != authority.Contains(']', StringComparison.Ordinal);
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

    [System.Text.RegularExpressions.GeneratedRegex(@"^(https?:)///(?=[^/])", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex TripleSlash();
}
