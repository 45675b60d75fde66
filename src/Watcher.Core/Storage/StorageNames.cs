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

    /// <summary>Where the Functions host reports blobs that failed five times.</summary>
    public const string BlobTriggerPoisonQueue = "webjobs-blobtrigger-poison";

    /// <summary>
    /// Name of the trigger connection in the Functions app: app settings
    /// <c>WatcherStorage__blobServiceUri</c> / <c>__queueServiceUri</c> with a managed identity,
    /// or <c>WatcherStorage</c> as a connection string.
    /// </summary>
    public const string TriggerConnection = "WatcherStorage";

    /// <summary>Blob path the <c>ClassifyArticle</c> trigger binds to.</summary>
    public const string ArticleBlobTriggerPath = ArticlesContainer + "/{name}";

    public static IReadOnlyList<string> Containers { get; } = [ArticlesContainer, ClassifiedContainer, DigestsContainer, StateContainer];

    public static IReadOnlyList<string> Queues { get; } = [SummariesQueue, SummariesPoisonQueue];
}
