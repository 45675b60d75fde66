using System.Security.Cryptography;
using System.Text;

namespace Watcher.Articles;

/// <summary>Article ids: derived from the canonical URL, or from the feed's guid when an item has no link.</summary>
public static class ArticleId
{
    public static string FromCanonicalUrl(Uri canonicalUrl) => Hash("url:" + canonicalUrl.AbsoluteUri);

    /// <summary>A guid is only unique within its feed, so the feed URL is part of the id.</summary>
    public static string FromGuid(string feedUrl, string guid) => Hash("guid:" + feedUrl + "\n" + guid);

    private static string Hash(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)).AsSpan(0, 16));
}
