using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;
using Watcher.Configuration;

namespace Watcher.Storage;

/// <summary>
/// The Azure SDK clients for Watcher's data, built from a connection string (Azurite, or a key)
/// or from an account name with <see cref="DefaultAzureCredential"/> (managed identity in Azure).
/// </summary>
public sealed class WatcherStorage
{
    /// <summary>Maximum times a queue message is dequeued before it goes to poison, as in the Functions host.</summary>
    public const int MaxDequeueCount = 5;

    /// <summary>How long a failed queue message stays invisible before its retry (host.json <c>visibilityTimeout</c>).</summary>
    public static readonly TimeSpan QueueRetryDelay = TimeSpan.FromSeconds(30);

    private readonly string? connectionString;

    /// <param name="options">The <c>Watcher:Storage</c> settings.</param>
    /// <param name="policies">
    /// Pipeline policies registered in the container, added to every client once per try (the
    /// benchmarks count storage requests by kind with one).
    /// </param>
    public WatcherStorage(IOptions<WatcherOptions> options, IEnumerable<HttpPipelinePolicy> policies)
    {
        var storage = options.Value.Storage;

        // Base64 is the Functions queue trigger's default: a mismatch would send every message
        // to poison in Azure.
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 };
        var blobOptions = new BlobClientOptions();
        foreach (var policy in policies)
        {
            queueOptions.AddPolicy(policy, HttpPipelinePosition.PerRetry);
            blobOptions.AddPolicy(policy, HttpPipelinePosition.PerRetry);
        }

        // An account name wins over the connection string, whose default points at Azurite: in
        // Azure the template sets only the account name and the app uses its managed identity.
        if (!string.IsNullOrWhiteSpace(storage.AccountName))
        {
            var credential = new DefaultAzureCredential();
            Blobs = new BlobServiceClient(new Uri($"https://{storage.AccountName}.blob.core.windows.net"), credential, blobOptions);
            Queues = new QueueServiceClient(new Uri($"https://{storage.AccountName}.queue.core.windows.net"), credential, queueOptions);
        }
        else
        {
            connectionString = storage.ConnectionString;
            Blobs = new BlobServiceClient(storage.ConnectionString, blobOptions);
            Queues = new QueueServiceClient(storage.ConnectionString, queueOptions);
        }

        Articles = Blobs.GetBlobContainerClient(StorageNames.ArticlesContainer);
        Classified = Blobs.GetBlobContainerClient(StorageNames.ClassifiedContainer);
        Digests = Blobs.GetBlobContainerClient(StorageNames.DigestsContainer);
        State = Blobs.GetBlobContainerClient(StorageNames.StateContainer);
        Summaries = Queues.GetQueueClient(StorageNames.SummariesQueue);
        SummariesPoison = Queues.GetQueueClient(StorageNames.SummariesPoisonQueue);
    }

    public BlobServiceClient Blobs { get; }

    public QueueServiceClient Queues { get; }

    public BlobContainerClient Articles { get; }

    public BlobContainerClient Classified { get; }

    public BlobContainerClient Digests { get; }

    public BlobContainerClient State { get; }

    public QueueClient Summaries { get; }

    public QueueClient SummariesPoison { get; }

    /// <summary>Creates every container and queue of the storage contract that is missing.</summary>
    /// <summary>
    /// Null when the storage the connection string names answers within a few seconds, else why
    /// not. One attempt without the SDK's retries, so a command run against a stopped Azurite says
    /// so at once instead of after half a minute of retries. Managed-identity accounts are not
    /// probed: in Azure the hosts' own retries are wanted.
    /// </summary>
    public async Task<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        if (connectionString is null)
        {
            return null;
        }

        var options = new BlobClientOptions();
        options.Retry.MaxRetries = 0;
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(5);
        try
        {
            await new BlobServiceClient(connectionString, options).GetBlobContainerClient(StorageNames.StateContainer).ExistsAsync(cancellationToken);
            return null;
        }
        catch (Exception e) when (e is RequestFailedException { Status: 0 } or AggregateException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return $"Storage at {Blobs.Uri} cannot be reached (Watcher:Storage:ConnectionString): {(e.InnerException ?? e).Message.Split('\n')[0].Trim()}";
        }
    }

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        foreach (var container in new[] { Articles, Classified, Digests, State })
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }

        await Summaries.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await SummariesPoison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
    }
}
