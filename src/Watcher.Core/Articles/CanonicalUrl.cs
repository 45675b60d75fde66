namespace Watcher.Articles;

/// <summary>
/// The canonical form of an article URL: the same story linked with different tracking
/// parameters, host case or fragment gets the same URL and so the same article id.
/// </summary>
public static class CanonicalUrl
{
    private static readonly HashSet<string> TrackingParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "yclid", "igshid",
        "_hsenc", "_hsmi", "mkt_tok", "ref_src", "ref_url", "cmpid", "ncid", "sr_share", "at_medium", "at_campaign",
    };

    public static bool TryCreate(string? link, Uri? baseUri, out Uri canonical)
    {
        canonical = null!;
        if (string.IsNullOrWhiteSpace(link))
        {
            return false;
        }

        if (!Uri.TryCreate(link.Trim(), UriKind.Absolute, out var uri) &&
            (baseUri is null || !Uri.TryCreate(baseUri, link.Trim(), out uri)))
        {
            return false;
        }

        if (uri.Scheme is not ("http" or "https"))
        {
            return false;
        }

        var builder = new UriBuilder(uri)
        {
            Host = uri.Host.ToLowerInvariant(),
            Fragment = "",
            Query = CleanQuery(uri.Query),
        };
        if (uri.IsDefaultPort)
        {
            builder.Port = -1;
        }

        canonical = builder.Uri;
        return true;
    }

    private static string CleanQuery(string query)
    {
        if (query.Length <= 1)
        {
            return "";
        }

        var kept = query[1..]
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(pair =>
            {
                var name = pair.Split('=', 2)[0];
                return !name.StartsWith("utm_", StringComparison.OrdinalIgnoreCase) && !TrackingParameters.Contains(name);
            })
            .Order(StringComparer.Ordinal);
        return string.Join('&', kept);
    }
}
