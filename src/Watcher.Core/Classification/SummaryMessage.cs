using Watcher.Articles;

namespace Watcher.Classification;

/// <summary>The <c>summaries</c> queue message: one per article that matched at least one topic.</summary>
public sealed record SummaryMessage
{
    /// <summary>
    /// The largest message that carries its <see cref="Story"/>, in UTF-8 bytes: a queue message
    /// holds 64 KiB, and the queue encodes messages in Base64 (4 bytes for every 3).
    /// </summary>
    public const int MaxStoryMessageBytes = 48 * 1024;

    /// <summary>2 since messages carry their story; 1 (a verdict blob name only) from earlier builds.</summary>
    public int Schema { get; init; } = 2;

    public required string ArticleId { get; init; }

    /// <summary>Blob name of the verdict in the <c>classified</c> container.</summary>
    public required string ClassifiedBlob { get; init; }

    /// <summary>
    /// What delivery shows of the article, so it reads neither the article nor the verdict; null
    /// when it would not fit in a queue message (<see cref="MaxStoryMessageBytes"/>), or in a
    /// message of an earlier build: delivery then reads both blobs.
    /// </summary>
    public SummaryStory? Story { get; init; }
}

/// <summary>The article and verdict fields a digest item is made of.</summary>
public sealed record SummaryStory
{
    public static SummaryStory From(Article article, ClassifiedArticle classified)
    {
        ArgumentNullException.ThrowIfNull(article);
        ArgumentNullException.ThrowIfNull(classified);
        return new SummaryStory
        {
            Title = article.Title,
            Url = article.Url,
            FeedName = article.Source.FeedName,
            Published = article.Published,
            Language = classified.Language,
            Summary = classified.Summary,
            Topics = classified.Topics,
            Entities = classified.Entities,
            SameStoryAs = classified.SameStoryAs,
        };
    }

    public required string Title { get; init; }

    public required string Url { get; init; }

    /// <summary>The feed the article was stored from; the article index may know more by the time it is delivered.</summary>
    public required string FeedName { get; init; }

    public DateTimeOffset? Published { get; init; }

    public required string Language { get; init; }

    public required string Summary { get; init; }

    public required IReadOnlyList<TopicMatch> Topics { get; init; }

    /// <summary>The companies, countries, governments and agencies the article names, for a why line when no sentence is left to quote.</summary>
    public IReadOnlyList<NamedEntity> Entities { get; init; } = [];

    public string? SameStoryAs { get; init; }
}
