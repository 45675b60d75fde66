using Watcher.Configuration;
using Watcher.Feeds;

namespace Watcher.Articles;

/// <summary>Makes the article Watcher stores from a feed item.</summary>
public static class ArticleFactory
{
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
            Url = url,
            Title = title.Length > 0 ? title : "(untitled)",
            Text = text,
            Author = item.Author is null ? null : ArticleText.FromTitle(item.Author),
            Language = item.Language ?? parsed.Language ?? feed.Language,
            Published = item.Published ?? item.Updated,
            FetchedAt = now,
            Source = new ArticleSource { FeedName = feed.Name, FeedUrl = feed.Url, Link = item.Link, Guid = item.Id },
        };
    }
}
