namespace Watcher.Articles;

/// <summary>One stored article: <c>articles/{yyyy}/{MM}/{dd}/{id}.json</c>, by the day it was stored. Written once, never updated.</summary>
public sealed record Article
{
    public const int CurrentSchema = 1;

    public int Schema { get; init; } = CurrentSchema;

    public required string Id { get; init; }

    /// <summary>Canonical URL the id was derived from (tracking parameters and fragment removed).</summary>
    public required string Url { get; init; }

    public required string Title { get; init; }

    /// <summary>Plain text of the article: the feed's content or summary, or the extracted page text.</summary>
    public string Text { get; init; } = "";

    public string? Author { get; init; }

    /// <summary>Language declared by the item or its feed.</summary>
    public string? Language { get; init; }

    public DateTimeOffset? Published { get; init; }

    public DateTimeOffset FetchedAt { get; init; }

    /// <summary>The feed that first brought the article; later ones are in the article index.</summary>
    public required ArticleSource Source { get; init; }
}

/// <summary>Where an article was seen: which feed, under which link and guid.</summary>
public sealed record ArticleSource
{
    public required string FeedName { get; init; }

    public required string FeedUrl { get; init; }

    public string? Link { get; init; }

    public string? Guid { get; init; }
}
