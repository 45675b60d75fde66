namespace Watcher.Articles;

/// <summary>
/// The canonical form of an article URL: the same story linked with different tracking
/// parameters, host case, default port, fragment or parameter order gets the same URL and so the
/// same article id.
/// </summary>
public static class CanonicalUrl
{
    private static readonly HashSet<string> TrackingParameters = new(StringComparer.OrdinalIgnoreCase)
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "mc_cid", "mc_eid", "yclid", "igshid",
        "twclid", "ttclid", "li_fat_id", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "ref_src", "ref_url", "cmpid",
        "ncid", "sr_share", "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4",
        "xtor", "ito", "spm", "vero_id", "vero_conv", "oly_anon_id", "oly_enc_id", "rb_clickid", "s_cid",
        "wt_mc", "wt.mc_id", "smid", "soc_src", "soc_trk", "taid", "ocid", "guccounter",
    };

    // Parameter name prefixes of analytics suites (utm_source, pk_campaign, mtm_medium, ...).
    private static readonly string[] TrackingPrefixes = ["utm_", "pk_", "mtm_", "matomo_", "hsa_"];

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

        if (uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
        {
            return false;
        }

        var builder = new UriBuilder(uri)
        {
            Host = uri.IdnHost.ToLowerInvariant().TrimEnd('.'),
            Fragment = "",
            Query = CleanQuery(uri.Query),
            UserName = "",
            Password = "",
        };
        if (uri.IsDefaultPort)
        {
            builder.Port = -1;
        }

        canonical = builder.Uri;
        return true;
    }

    public static bool IsTrackingParameter(string name) =>
        TrackingParameters.Contains(name) || TrackingPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    private static string CleanQuery(string query)
    {
        if (query.Length <= 1)
        {
            return "";
        }

        var kept = query[1..]
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(pair => !IsTrackingParameter(Uri.UnescapeDataString(pair.Split('=', 2)[0])))
            .Order(StringComparer.Ordinal);
        return string.Join('&', kept);
    }
}
