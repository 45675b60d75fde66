using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging;
using Watcher.Hosting;
using Watcher.Storage;

namespace Watcher.Local.Hosting;

/// <summary>
/// Stands in for Event Grid when the real Functions host runs against Azurite (which sends no
/// events): posts a <c>Microsoft.Storage.BlobCreated</c> event, in the Event Grid schema, to the
/// blob extension's webhook for every new article blob, so the Event Grid blob trigger of
/// <c>ClassifyArticle</c> fires under <c>func start</c> as it does in Azure.
/// </summary>
internal sealed class EventGridRelay(WatcherStorage storage, HttpClient http, TimeProvider clock, ILogger<EventGridRelay> logger)
{
    public const string WebhookPath = "runtime/webhooks/blobs";

    private const string ReceiptPrefix = "receipts/eventgrid-relay/";

    /// <summary>Lower case: storage compares metadata names without case.</summary>
    private const string ETagMetadata = "blobetag";

    private readonly ArticleDayScan scan = new(storage.State.GetBlobClient("receipts/eventgrid-relay.scan.json"), clock);

    /// <summary>The function id the blob extension expects for an isolated-worker function.</summary>
    public static string FunctionId => $"Host.Functions.{FunctionNames.ClassifyArticle}";

    /// <summary>
    /// Posts one event per article blob not relayed before (at its current ETag); returns how many.
    /// Like the local blob trigger, it lists only the days since its last complete pass.
    /// </summary>
    public async Task<int> RelayNewBlobsAsync(Uri functionsHost, string? systemKey, CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var webhook = new Uri(functionsHost, $"{WebhookPath}?functionName={Uri.EscapeDataString(FunctionId)}" + (systemKey is null ? "" : $"&code={Uri.EscapeDataString(systemKey)}"));
        var pass = await scan.BeginAsync(cancellationToken);
        var relayedBefore = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var receipt in pass.ListAsync(storage.State, ReceiptPrefix, BlobTraits.Metadata, cancellationToken))
        {
            relayedBefore[receipt.Name[ReceiptPrefix.Length..]] = receipt.Metadata.TryGetValue(ETagMetadata, out var etag) ? etag : "";
        }

        var relayed = 0;
        await foreach (var blob in pass.ListAsync(storage.Articles, "", BlobTraits.None, cancellationToken))
        {
            var etag = blob.Properties.ETag?.ToString() ?? "";
            if (relayedBefore.TryGetValue(blob.Name, out var seen) && seen == etag)
            {
                continue;
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, webhook)
            {
                Content = JsonContent.Create(new JsonArray(BlobCreatedEvent(blob, etag))),
            };
            request.Headers.Add("aeg-event-type", "Notification");
            using var response = await http.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"{webhook.GetLeftPart(UriPartial.Path)} answered HTTP {(int)response.StatusCode} for {blob.Name}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }

            await JsonBlobs.UpsertAsync(storage.State.GetBlobClient(ReceiptPrefix + blob.Name), new RelayReceipt(etag), new Dictionary<string, string> { [ETagMetadata] = etag }, cancellationToken);
            logger.LogInformation("Relayed BlobCreated for {Blob}", blob.Name);
            relayed++;
        }

        await scan.CompleteAsync(pass, cancellationToken);
        return relayed;
    }

    private JsonObject BlobCreatedEvent(BlobItem blob, string etag)
    {
        var url = storage.Articles.GetBlobClient(blob.Name).Uri;
        return new JsonObject
        {
            ["topic"] = $"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/providers/Microsoft.Storage/storageAccounts/{storage.Blobs.AccountName}",
            ["subject"] = $"/blobServices/default/containers/{StorageNames.ArticlesContainer}/blobs/{blob.Name}",
            ["eventType"] = "Microsoft.Storage.BlobCreated",
            ["id"] = Guid.NewGuid().ToString(),
            ["eventTime"] = (blob.Properties.LastModified ?? DateTimeOffset.UtcNow).ToString("o", CultureInfo.InvariantCulture),
            ["dataVersion"] = "",
            ["metadataVersion"] = "1",
            ["data"] = new JsonObject
            {
                ["api"] = "PutBlob",
                ["clientRequestId"] = Guid.NewGuid().ToString(),
                ["requestId"] = Guid.NewGuid().ToString(),
                ["eTag"] = etag.Trim('"'),
                ["contentType"] = blob.Properties.ContentType ?? "application/octet-stream",
                ["contentLength"] = blob.Properties.ContentLength ?? 0,
                ["blobType"] = "BlockBlob",
                ["url"] = url.AbsoluteUri,
                ["sequencer"] = (blob.Properties.LastModified ?? DateTimeOffset.UtcNow).UtcTicks.ToString("x32", CultureInfo.InvariantCulture),
                ["storageDiagnostics"] = new JsonObject { ["batchId"] = Guid.NewGuid().ToString() },
            },
        };
    }

    private sealed record RelayReceipt(string BlobETag);
}
