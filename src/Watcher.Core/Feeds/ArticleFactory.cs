using Watcher.Articles;
using Watcher.Configuration;

namespace Watcher.Feeds;

/// <summary>Makes the article Watcher stores from a feed item.</summary>
public static class ArticleFactory
{
    // What a feed hands over reaches storage, logs and mail; a 5 MB title must not. Generous for
    // real news (the longest headline in the corpus is under 200 characters).
    public const int MaxTitleLength = 500;

    public const int MaxAuthorLength = 200;

    public const int MaxUrlLength = 2048;

    public const int MaxTextLength = 100_000;

    /// <summary>
    /// The id comes from the canonical link; an item without a usable link is identified by a
    /// guid that is itself a web address (a permalink), else by its guid within the feed. Null
    /// when the item has none of these and so cannot be recognised again.
    /// </summary>
    public static Article? FromItem(FeedOptions feed, ParsedFeed parsed, ParsedItem item, DateTimeOffset now)
    {
        string id;
        string url;
        if (CanonicalUrl.TryCreate(item.Link, null, out var canonical) || CanonicalUrl.TryCreate(item.Id, null, out canonical))
        {
            id = ArticleId.FromCanonicalUrl(canonical);
            url = canonical.AbsoluteUri;
        }
        else if (!string.IsNullOrWhiteSpace(item.Id))
        {
            id = ArticleId.FromGuid(feed.Url, item.Id.Trim());
            url = item.Link ?? item.Id;
        }
        else
        {
            return null;
        }

        var text = ArticleText.FromHtml(item.ContentHtml);
        if (text.Length == 0)
        {
            text = ArticleText.Clean(item.SummaryText ?? "");
        }

        var title = ArticleText.FromTitle(item.Title);
        return new Article
        {
            Id = id,
            Url = Cap(url, MaxUrlLength),
            Title = title.Length > 0 ? Cap(title, MaxTitleLength) : "(untitled)",
            Text = Cap(text, MaxTextLength),
            Author = item.Author is null ? null : Cap(ArticleText.FromTitle(item.Author), MaxAuthorLength),
            Language = item.Language ?? parsed.Language ?? feed.Language,
            Published = item.Published ?? item.Updated,
            FetchedAt = now,
            Source = new ArticleSource { FeedName = feed.Name, FeedUrl = feed.Url, Link = item.Link, Guid = item.Id },
        };
    }

    /// <summary>At most <paramref name="max"/> characters, cut before a surrogate pair is split, with an ellipsis when cut.</summary>
    public static string Cap(string value, int max)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length <= max)
        {
            return value;
        }

        var cut = max - 1;
        if (char.IsHighSurrogate(value[cut - 1]))
        {
            cut--;
        }

        return string.Concat(value.AsSpan(0, cut), "…");
    }
}
