namespace Watcher.Classification;

/// <summary>The <c>summaries</c> queue message: one per article that matched at least one topic.</summary>
public sealed record SummaryMessage
{
    public int Schema { get; init; } = 1;

    public required string ArticleId { get; init; }

    /// <summary>Blob name of the verdict in the <c>classified</c> container.</summary>
    public required string ClassifiedBlob { get; init; }
}
