using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using Watcher.Classification;
using Watcher.Hosting;
using Watcher.Storage;

namespace Watcher.Functions;

/// <summary>
/// Blob trigger (Event Grid source, the only one Flex Consumption has): classifies a new article.
/// Binding a <see cref="BlobClient"/> hands over the blob's name without downloading its content;
/// the core reads the article itself.
/// </summary>
public sealed class ClassifyArticleFunction(ArticleClassificationService classifier)
{
    [Function(FunctionNames.ClassifyArticle)]
    public async Task RunAsync(
        [BlobTrigger(StorageNames.ArticleBlobTriggerPath, Source = BlobTriggerSource.EventGrid, Connection = StorageNames.TriggerConnection)] BlobClient article,
        CancellationToken cancellationToken)
    {
        await classifier.ClassifyBlobAsync(article.Name, cancellationToken);
    }
}
