using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Http;
using Watcher.Local.DevServices;
using Watcher.Storage;
using Watcher.Tests.Support;

namespace Watcher.Tests.Hosting;

/// <summary>
/// <c>watcher eventgrid-relay</c> against a local server that checks what the Functions blob
/// extension's webhook checks: the path, the function id, the Event Grid header and schema.
/// </summary>
public sealed class EventGridRelayTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> problems = new();
    private readonly ConcurrentQueue<string> relayedBlobNames = new();
    private AzuriteService azurite = null!;
    private LoopbackHttpServer webhook = null!;
    private Uri webhookBase = null!;

    public async Task InitializeAsync()
    {
        azurite = await AzuriteService.StartAsync(Path.Combine(Path.GetTempPath(), "watcher-relay-" + Guid.NewGuid().ToString("n")));

        // Only the blob extension's webhook path answers; any other path gets a 404 and fails the relay.
        webhook = await LoopbackHttpServer.StartAsync();
        webhook.Map("/runtime/webhooks/blobs", CheckEventAsync);
        webhookBase = webhook.BaseUrl;
    }

    public async Task DisposeAsync()
    {
        await webhook.DisposeAsync();
        await azurite.DisposeAsync();
    }

    [Fact]
    public async Task Each_new_article_blob_is_posted_once_as_a_BlobCreated_event_the_blob_extension_accepts()
    {
        var today = DateTime.UtcNow.ToString("yyyy'/'MM'/'dd", System.Globalization.CultureInfo.InvariantCulture);
        var articles = new BlobContainerClient(azurite.ConnectionString, StorageNames.ArticlesContainer);
        await articles.CreateIfNotExistsAsync();
        await articles.UploadBlobAsync("2026/01/20/aaaa.json", BinaryData.FromString("{\"schema\":1}"));
        await articles.UploadBlobAsync($"{today}/bbbb.json", BinaryData.FromString("{\"schema\":1}"));
        var config = TestConfig.Write(
            Path.Combine(Path.GetTempPath(), "watcher-relay-config-" + Guid.NewGuid().ToString("n")),
            new System.Text.Json.Nodes.JsonObject { ["Storage"] = new System.Text.Json.Nodes.JsonObject { ["ConnectionString"] = azurite.ConnectionString } });

        // The first pass lists everything; the next only the days since (articles are named by the
        // day they are stored, so nothing new lands under an old day).
        var first = await WatcherCli.RunAsync(["eventgrid-relay", "--to", webhookBase.AbsoluteUri, "--once", "--config", config]);
        await articles.UploadBlobAsync($"{today}/cccc.json", BinaryData.FromString("{\"schema\":1}"));
        await articles.UploadBlobAsync("2026/01/21/dddd.json", BinaryData.FromString("{\"schema\":1}"));
        var second = await WatcherCli.RunAsync(["eventgrid-relay", "--to", webhookBase.AbsoluteUri, "--once", "--config", config]);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Empty(problems);
        Assert.Equal(["2026/01/20/aaaa.json", $"{today}/bbbb.json", $"{today}/cccc.json"], relayedBlobNames.Order(StringComparer.Ordinal));
    }

    private async Task CheckEventAsync(HttpContext context)
    {
        void Problem(string text) => problems.Enqueue(text);

        if (context.Request.Query["functionName"] != "Host.Functions.ClassifyArticle")
        {
            Problem($"functionName {context.Request.Query["functionName"]}");
        }

        if (context.Request.Headers["aeg-event-type"] != "Notification")
        {
            Problem("aeg-event-type header missing");
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        foreach (var e in body.RootElement.EnumerateArray())
        {
            foreach (var field in new[] { "id", "topic", "subject", "eventType", "eventTime", "dataVersion", "metadataVersion", "data" })
            {
                if (!e.TryGetProperty(field, out _))
                {
                    Problem($"event lacks {field}");
                }
            }

            if (e.GetProperty("eventType").GetString() != "Microsoft.Storage.BlobCreated")
            {
                Problem("eventType");
            }

            var data = e.GetProperty("data");
            var url = new Uri(data.GetProperty("url").GetString()!);
            var name = new Azure.Storage.Blobs.BlobUriBuilder(url).BlobName;
            if (new Azure.Storage.Blobs.BlobUriBuilder(url).BlobContainerName != StorageNames.ArticlesContainer)
            {
                Problem($"url {url}");
            }

            if (e.GetProperty("subject").GetString() != $"/blobServices/default/containers/articles/blobs/{name}")
            {
                Problem($"subject {e.GetProperty("subject").GetString()}");
            }

            if (data.GetProperty("blobType").GetString() != "BlockBlob" || string.IsNullOrEmpty(data.GetProperty("eTag").GetString()) || data.GetProperty("eTag").GetString()!.Contains('"', StringComparison.Ordinal))
            {
                Problem("blobType/eTag");
            }

            relayedBlobNames.Enqueue(name);
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
    }
}
