using System.Collections.Frozen;

namespace Watcher.Feeds.Parsing;

/// <summary>
/// Namespace URIs feed readers recognize, mapped to the prefix every reader uses for them
/// regardless of the prefix a document happens to declare. The feed formats' own namespaces
/// (RSS 0.9/1.0, the Atom drafts and 1.0, Userland's RSS 2.0) map to "" so that
/// <c>&lt;atom:title&gt;</c> in an Atom document and <c>&lt;title&gt;</c> in RSS are one element.
/// </summary>
internal static class FeedNamespaces
{
    public const string Atom10 = "http://www.w3.org/2005/Atom";
    public const string Atom03 = "http://purl.org/atom/ns#";
    public const string Rss10 = "http://purl.org/rss/1.0/";
    public const string Rss090 = "http://my.netscape.com/rdf/simple/0.9/";
    public const string Xml = "http://www.w3.org/XML/1998/namespace";
    public const string Xhtml = "http://www.w3.org/1999/xhtml";

    private static readonly FrozenDictionary<string, string> Prefixes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [""] = "",
        ["http://backend.userland.com/rss"] = "",
        ["http://blogs.law.harvard.edu/tech/rss"] = "",
        [Rss10] = "",
        [Rss090] = "",
        ["http://example.com/newformat#"] = "",
        ["http://example.com/necho"] = "",
        ["http://purl.org/echo/"] = "",
        ["uri/of/echo/namespace#"] = "",
        ["http://purl.org/pie/"] = "",
        [Atom03] = "",
        [Atom10] = "",
        ["http://purl.org/rss/1.0/modules/rss091#"] = "",
        ["http://webns.net/mvcb/"] = "admin",
        ["http://purl.org/rss/1.0/modules/aggregation/"] = "ag",
        ["http://purl.org/rss/1.0/modules/annotate/"] = "annotate",
        ["http://backend.userland.com/blogChannelModule"] = "blogchannel",
        ["http://creativecommons.org/ns#license"] = "cc",
        ["http://web.resource.org/cc/"] = "cc",
        ["http://cyber.law.harvard.edu/rss/creativeCommonsRssModule.html"] = "creativecommons",
        ["http://backend.userland.com/creativeCommonsRssModule"] = "creativecommons",
        ["http://purl.org/rss/1.0/modules/content/"] = "content",
        ["http://purl.org/dc/elements/1.1/"] = "dc",
        ["http://purl.org/dc/terms/"] = "dcterms",
        ["http://rssnamespace.org/feedburner/ext/1.0"] = "feedburner",
        ["http://xmlns.com/foaf/0.1/"] = "foaf",
        ["http://www.w3.org/2003/01/geo/wgs84_pos#"] = "geo",
        ["http://www.georss.org/georss"] = "georss",
        ["http://www.opengis.net/gml"] = "gml",
        ["http://purl.org/rss/1.0/modules/image/"] = "image",
        ["http://www.itunes.com/DTDs/PodCast-1.0.dtd"] = "itunes",
        ["http://example.com/DTDs/PodCast-1.0.dtd"] = "itunes",
        ["http://search.yahoo.com/mrss"] = "media",
        ["http://search.yahoo.com/mrss/"] = "media",
        ["http://www.w3.org/1999/02/22-rdf-syntax-ns#"] = "rdf",
        ["http://www.w3.org/2000/01/rdf-schema#"] = "rdfs",
        ["http://purl.org/rss/1.0/modules/slash/"] = "slash",
        ["http://purl.org/rss/1.0/modules/syndication/"] = "sy",
        ["http://purl.org/rss/1.0/modules/taxonomy/"] = "taxo",
        ["http://purl.org/syndication/thread/1.0"] = "thr",
        ["http://purl.org/rss/1.0/modules/textinput/"] = "ti",
        ["http://madskills.com/public/xml/rss/module/trackback/"] = "trackback",
        ["http://wellformedweb.org/commentAPI/"] = "wfw",
        [Xhtml] = "xhtml",
        ["http://www.w3.org/1999/xlink"] = "xlink",
        [Xml] = "xml",
        ["http://podlove.org/simple-chapters"] = "psc",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The customary prefix of a namespace, or the prefix the document gave it when the namespace is unknown.</summary>
    public static string PrefixFor(string namespaceUri, string writtenPrefix)
    {
        if (namespaceUri.Contains("backend.userland.com/rss", StringComparison.OrdinalIgnoreCase))
        {
            return "";
        }

        return Prefixes.TryGetValue(namespaceUri, out var known) ? known : writtenPrefix.ToLowerInvariant();
    }
}
