namespace Watcher.Classification;

/// <summary>What a classifier is given: one article's title and text, and its declared language if any.</summary>
public sealed record ClassificationRequest(string Id, string Title, string Text, string? Language);

/// <summary>The verdict for one article: <c>classified/{id}.json</c>.</summary>
public sealed record ClassifiedArticle
{
    public const int CurrentSchema = 1;

    public int Schema { get; init; } = CurrentSchema;

    public required string Id { get; init; }

    /// <summary>Blob name of the article in the <c>articles</c> container.</summary>
    public required string ArticleBlob { get; init; }

    public required string Language { get; init; }

    /// <summary>Topics whose score reached their threshold, best first.</summary>
    public required IReadOnlyList<TopicMatch> Topics { get; init; }

    public IReadOnlyList<NamedEntity> Entities { get; init; } = [];

    /// <inheritdoc cref="ClassificationResult.EntitiesBy"/>
    public string? EntitiesBy { get; init; }

    public required string Summary { get; init; }

    /// <summary>Which component wrote the summary (the local summarizer or the service).</summary>
    public required string SummaryBy { get; init; }

    public required string Classifier { get; init; }

    public required string ClassifierVersion { get; init; }

    /// <summary>
    /// The first matched article of the same story from another source (by content similarity),
    /// so a digest shows the story once with "also reported by"; null when this one is the first.
    /// </summary>
    public string? SameStoryAs { get; init; }
}

/// <summary>A topic with its score and the sentences that decided it, so a reader sees why.</summary>
public sealed record TopicMatch(string Id, double Score, IReadOnlyList<string> Evidence);

/// <summary>A company, country, government or agency named in the article (<see cref="EntityCategory"/>).</summary>
public sealed record NamedEntity(string Text, string Category);

/// <summary>The result of classifying one request, before it is stored.</summary>
public sealed record ClassificationResult
{
    public required string Language { get; init; }

    public required IReadOnlyList<TopicMatch> Topics { get; init; }

    public IReadOnlyList<NamedEntity> Entities { get; init; } = [];

    /// <summary>
    /// Which recognizers found <see cref="Entities"/>, set by the service backend: whether the
    /// service's entity recognition ran besides the local gazetteer, or why it did not. Null
    /// from the local classifier, whose entities are the gazetteer's.
    /// </summary>
    public string? EntitiesBy { get; init; }

    public required string Summary { get; init; }

    public required string SummaryBy { get; init; }

    /// <summary>Set when another classifier than the configured one decided (the local fallback of the service backend).</summary>
    public string? Classifier { get; init; }

    /// <summary>Version of <see cref="Classifier"/> when it is set.</summary>
    public string? ClassifierVersion { get; init; }
}

/// <summary>A classification backend: the embedded one, or Azure AI Language plus our topic decision.</summary>
public interface IArticleClassifier
{
    string Name { get; }

    string Version { get; }

    Task<ClassificationResult> ClassifyAsync(ClassificationRequest request, CancellationToken cancellationToken);
}
