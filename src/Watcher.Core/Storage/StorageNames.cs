namespace Watcher.Storage;

/// <summary>
/// The storage contract: container and queue names, defined once and used by both hosts and the
/// Bicep template test, so they cannot drift.
/// </summary>
public static class StorageNames
{
    public const string ArticlesContainer = "articles";
    public const string ClassifiedContainer = "classified";
    public const string DigestsContainer = "digests";
    public const string StateContainer = "state";
    public const string SummariesQueue = "summaries";
    public const string SummariesPoisonQueue = SummariesQueue + "-poison";

    /// <summary>Blob path the <c>ClassifyArticle</c> trigger binds to.</summary>
    public const string ArticleBlobTriggerPath = ArticlesContainer + "/{name}";

    public static IReadOnlyList<string> Containers { get; } = [ArticlesContainer, ClassifiedContainer, DigestsContainer, StateContainer];

    public static IReadOnlyList<string> Queues { get; } = [SummariesQueue, SummariesPoisonQueue];
}
