using Microsoft.Extensions.Logging;
using Watcher.Articles;
using Watcher.Storage;

namespace Watcher.Classification;

/// <summary>
/// The <c>ClassifyArticle</c> entry point: classifies one article blob, writes its verdict and
/// enqueues a summary when a topic matched. Running it twice on the same blob writes the same
/// verdict; a second summary message is harmless because delivery is idempotent per subscriber
/// and article.
/// </summary>
/// <remarks>
/// A matched article is compared with the other matched stories here rather than when it is
/// stored: only matched articles reach a digest, and most articles match nothing, so the
/// similar-story writes are paid by a few articles instead of all of them.
/// </remarks>
public sealed class ArticleClassificationService(
    WatcherStorage storage,
    ArticleStore articles,
    IArticleClassifier classifier,
    SimilarStoryIndex similarStories,
    ILogger<ArticleClassificationService> logger)
{
    /// <summary>
    /// Blob metadata on a verdict naming the ETag of the article blob it judged, set once every
    /// effect of classifying (the summary message too) is stored: one listing of the
    /// <c>classified</c> container then tells a blob trigger's scan which articles are done,
    /// without a receipt written and read per article.
    /// </summary>
    public const string ArticleETagMetadata = "articleetag";

    /// <summary>
    /// A verdict has its article's blob name, day prefix included, so the verdicts of one day are
    /// one listing away, as the articles are (the local blob trigger lists only recent days).
    /// </summary>
    public static string ClassifiedBlobName(string articleBlobName) => articleBlobName;

    public async Task<ClassifiedArticle?> ClassifyBlobAsync(string articleBlobName, CancellationToken cancellationToken)
    {
        var (article, articleETag) = await articles.ReadVersionAsync(articleBlobName, cancellationToken);
        if (article is null)
        {
            logger.LogWarning("Article blob {BlobName} does not exist; nothing to classify", articleBlobName);
            return null;
        }

        var result = await classifier.ClassifyAsync(new ClassificationRequest(article.Id, article.Title, article.Text, article.Language), cancellationToken);
        var classified = new ClassifiedArticle
        {
            Id = article.Id,
            ArticleBlob = articleBlobName,
            Language = result.Language,
            Topics = result.Topics,
            Entities = result.Entities,
            EntitiesBy = result.EntitiesBy,
            Summary = result.Summary,
            SummaryBy = result.SummaryBy,
            Classifier = result.Classifier ?? classifier.Name,
            ClassifierVersion = result.ClassifierVersion ?? classifier.Version,
        };

        if (classified.Topics.Count > 0 && StorySignature.Compute(article.Title, article.Text) is { } signature)
        {
            classified = classified with { SameStoryAs = await similarStories.FindOrRegisterAsync(article.Id, signature, article.FetchedAt, cancellationToken) };
        }

        var classifiedBlob = storage.Classified.GetBlobClient(ClassifiedBlobName(articleBlobName));

        // Unquoted, as a container listing shows ETags (a response header quotes them).
        var judged = new Dictionary<string, string> { [ArticleETagMetadata] = articleETag.ToString().Trim('"') };
        if (classified.Topics.Count == 0)
        {
            await JsonBlobs.UpsertAsync(classifiedBlob, classified, judged, cancellationToken);
        }
        else if (SummaryWithStory(article, classified, classifiedBlob.Name) is { } message)
        {
            // The message needs no verdict blob, so it goes first and the verdict is written once,
            // marked done: a crash in between leaves the article unmarked and it is classified
            // again rather than never mailed (a second summary message is harmless).
            await storage.Summaries.SendMessageAsync(message, cancellationToken: cancellationToken);
            await JsonBlobs.UpsertAsync(classifiedBlob, classified, judged, cancellationToken);
        }
        else
        {
            // Delivery reads the verdict of a message without its story, so the verdict is
            // written before the message and marked done after it.
            await JsonBlobs.UpsertAsync(classifiedBlob, classified, cancellationToken);
            await storage.Summaries.SendMessageAsync(
                BinaryData.FromObjectAsJson(new SummaryMessage { ArticleId = article.Id, ClassifiedBlob = classifiedBlob.Name }, JsonBlobs.SerializerOptions),
                cancellationToken: cancellationToken);
            await classifiedBlob.SetMetadataAsync(judged, cancellationToken: cancellationToken);
        }

        logger.LogInformation(
            "Article {ArticleId} '{Title}': {Topics}",
            article.Id,
            article.Title,
            classified.Topics.Count == 0 ? "no topic" : string.Join(", ", classified.Topics.Select(t => $"{t.Id} {t.Score:0.00}")));
        return classified;
    }

    /// <summary>The summary message with the story delivery shows, or null when that would not fit in a queue message.</summary>
    private static BinaryData? SummaryWithStory(Article article, ClassifiedArticle classified, string classifiedBlobName)
    {
        var message = BinaryData.FromObjectAsJson(
            new SummaryMessage
            {
                ArticleId = article.Id,
                ClassifiedBlob = classifiedBlobName,
                Story = SummaryStory.From(article, classified),
            },
            JsonBlobs.SerializerOptions);
        return message.ToMemory().Length <= SummaryMessage.MaxStoryMessageBytes ? message : null;
    }
}
