using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using Watcher.Configuration;
using Watcher.Hosting;
using Watcher.Storage;
using Watcher.Tests.EndToEnd;
using Watcher.Tests.Functions.Host.Rpc;
using Watcher.Tests.Support;
using Xunit.Abstractions;

namespace Watcher.Tests.Functions.Host;

/// <summary>
/// The published Functions app, run as Azure runs it: its worker process started by a stand-in
/// host, which loads what the worker indexed and fires each trigger with the binding data the
/// Functions host hands over (timer JSON, a blob reference, the decoded queue message, an HTTP
/// request). Everything behind the worker is real: Azurite, MailDev, a feed server on loopback.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed partial class WorkerInvocationTests(ServicesFixture services, PublishedAppTests.PublishedApp app, ITestOutputHelper log)
    : PipelineTestBase, IClassFixture<PublishedAppTests.PublishedApp>
{
    private static readonly TestItem FiveGBan = new(
        "Germany orders operators to phase out Huawei from 5G networks",
        "https://news.example.com/germany-huawei-5g",
        "The German government will order mobile operators to phase out components made by Huawei and ZTE from their 5G networks by 2027. The decision follows pressure from Washington to exclude Chinese vendors from telecom infrastructure.",
        DateTimeOffset.UtcNow.AddHours(-1));

    private string Reader => $"reader-{Run}@example.org";

    [Fact]
    public async Task Each_function_of_the_published_worker_runs_when_its_trigger_fires()
    {
        var feed = Feeds.Put("wire.xml", "application/rss+xml", FeedDocuments.Rss("Wire", "en", [FiveGBan]));

        // In Azure the templates create the containers and queues (BicepTemplateTests checks
        // they are these); the worker never creates them.
        var storage = new WatcherStorage(Options.Create(new WatcherOptions { Storage = { ConnectionString = Azurite.ConnectionString } }), []);
        await storage.EnsureCreatedAsync();
        await using var host = await FunctionsHostStandIn.StartAsync(app.Directory, Settings(feed));
        log.WriteLine($"worker started and loaded {host.Functions.Count} functions in {host.StartedIn.TotalSeconds:0.00} s");
        Assert.Equal(
            [FunctionNames.ClassifyArticle, FunctionNames.DeliverSummaries, FunctionNames.FetchFeeds, FunctionNames.Preferences, FunctionNames.SendDigests],
            host.Functions.Keys.Order(StringComparer.Ordinal));

        // Timer: the host hands over TimerInfo as JSON.
        AssertSucceeded(host, await host.InvokeAsync(FunctionNames.FetchFeeds, Timer(pastDue: true)));
        log.WriteLine($"first invocation (FetchFeeds, one feed) answered {host.SinceStart.TotalSeconds:0.00} s after the worker process started");
        Assert.Contains(host.Logs, l => l.Message.Contains("Polled 1 feeds: 1 new articles, 0 failed (timer past due: True)", StringComparison.Ordinal));
        var articles = new BlobServiceClient(Azurite.ConnectionString).GetBlobContainerClient(StorageNames.ArticlesContainer);
        var article = Assert.Single(await ListAsync(articles));

        // Blob trigger through Event Grid: the host hands over a reference, the worker makes the BlobClient.
        AssertSucceeded(host, await host.InvokeAsync(FunctionNames.ClassifyArticle, BlobReference(article), BlobTriggerMetadata(article)));
        var summaries = new QueueClient(Azurite.ConnectionString, StorageNames.SummariesQueue);
        var queued = Assert.Single((await summaries.ReceiveMessagesAsync(maxMessages: 32)).Value);

        // Queue trigger: host.json says base64, so the host decodes the message before invoking.
        var message = Encoding.UTF8.GetString(Convert.FromBase64String(queued.MessageText));
        AssertSucceeded(host, await host.InvokeAsync(FunctionNames.DeliverSummaries, new ParameterBinding { Name = "message", Data = new TypedData { String = message } }));
        var mail = Assert.Single(await services.Mail.ForAsync(Reader));
        Assert.Contains(FiveGBan.Title, mail.Text, StringComparison.Ordinal);

        // HTTP trigger: the preferences page the mail links to, with the mail's own token.
        var link = new Uri(PreferencesLink().Match(mail.Html!).Groups[1].Value.Replace("&amp;", "&", StringComparison.Ordinal));
        var page = await host.InvokeAsync(FunctionNames.Preferences, Http("GET", link));
        AssertSucceeded(host, page);
        var response = page.ReturnValue.Http;
        Assert.Equal(((int)HttpStatusCode.OK).ToString(System.Globalization.CultureInfo.InvariantCulture), response.StatusCode);
        Assert.StartsWith("text/html", response.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Contains(Reader, response.Body.Bytes.ToStringUtf8(), StringComparison.Ordinal);

        // The RFC 8058 one-click POST a mail client sends: the form travels as the request body.
        var unsubscribe = await host.InvokeAsync(FunctionNames.Preferences, Http("POST", link, "List-Unsubscribe=One-Click"));
        AssertSucceeded(host, unsubscribe);
        Assert.Contains($"{Reader} will get no more mail from Watcher.", unsubscribe.ReturnValue.Http.Body.Bytes.ToStringUtf8(), StringComparison.Ordinal);

        AssertSucceeded(host, await host.InvokeAsync(FunctionNames.SendDigests, Timer(pastDue: false)));
        Assert.Contains(host.Logs, l => l.Message.Contains("Sent 0 digests, 0 failed (timer past due: False)", StringComparison.Ordinal));

        // A message the core cannot read fails the invocation, which is what makes the host
        // retry it and, after maxDequeueCount, move it to summaries-poison.
        var broken = await host.InvokeAsync(FunctionNames.DeliverSummaries, new ParameterBinding { Name = "message", Data = new TypedData { String = "not a summary" } });
        Assert.Equal(StatusResult.Types.Status.Failure, broken.Result.Status);
        Assert.Single(await services.Mail.ForAsync(Reader));
    }

    private Dictionary<string, string> Settings(Uri feed) => new(StringComparer.Ordinal)
    {
        [StorageNames.TriggerConnection] = Azurite.ConnectionString,
        ["Watcher__Storage__ConnectionString"] = Azurite.ConnectionString,
        ["Watcher__Schedules__FetchFeeds"] = "0 */15 * * * *",
        ["Watcher__Schedules__SendDigests"] = "0 0 * * * *",
        ["Watcher__Delivery__PublicBaseUrl"] = "http://127.0.0.1:7071",
        ["Watcher__Delivery__TokenSecret"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        ["Watcher__Smtp__Host"] = "127.0.0.1",
        ["Watcher__Smtp__Port"] = services.MailDev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Watcher__Smtp__From"] = "watcher@example.org",
        // The package's watcher.json lists four public feeds; app settings replace the first
        // and switch the others off, as an operator would.
        ["Watcher__Feeds__0__Name"] = "Wire",
        ["Watcher__Feeds__0__Url"] = feed.AbsoluteUri,
        ["Watcher__Feeds__0__Language"] = "en",
        ["Watcher__Feeds__1__Enabled"] = "false",
        ["Watcher__Feeds__2__Enabled"] = "false",
        ["Watcher__Feeds__3__Enabled"] = "false",
        ["Watcher__Subscribers__0__Email"] = Reader,
        ["Watcher__Subscribers__0__Topics__0"] = "5g-ban",
        ["Watcher__Subscribers__0__Schedule"] = "instant",
    };

    private static ParameterBinding Timer(bool pastDue) => new()
    {
        Name = "timer",
        Data = new TypedData { Json = JsonSerializer.Serialize(new { Schedule = new { AdjustForDST = true }, ScheduleStatus = (object?)null, IsPastDue = pastDue }) },
    };

    /// <summary>What the host sends for a blob trigger whose parameter supports deferred binding.</summary>
    private static ParameterBinding BlobReference(string blobName) => new()
    {
        Name = "article",
        Data = new TypedData
        {
            ModelBindingData = new ModelBindingData
            {
                Version = "1.0",
                Source = "AzureStorageBlobs",
                ContentType = "application/json",
                Content = ByteString.CopyFromUtf8(JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["Connection"] = StorageNames.TriggerConnection,
                    ["ContainerName"] = StorageNames.ArticlesContainer,
                    ["BlobName"] = blobName,
                })),
            },
        },
    };

    private static Dictionary<string, TypedData> BlobTriggerMetadata(string blobName) => new(StringComparer.Ordinal)
    {
        ["name"] = new TypedData { String = blobName },
        ["BlobTrigger"] = new TypedData { String = $"{StorageNames.ArticlesContainer}/{blobName}" },
    };

    /// <summary>An HTTP request as the host passes it to a worker that asked for raw body bytes.</summary>
    private static ParameterBinding Http(string method, Uri url, string? form = null)
    {
        var request = new RpcHttp
        {
            Method = method,
            Url = url.AbsoluteUri,
            NullableHeaders = { ["Host"] = new NullableString { Value = url.Authority }, ["Accept"] = new NullableString { Value = "text/html" } },
            Body = new TypedData { Bytes = ByteString.CopyFromUtf8(form ?? "") },
        };
        if (form is not null)
        {
            request.NullableHeaders["Content-Type"] = new NullableString { Value = "application/x-www-form-urlencoded" };
        }

        return new ParameterBinding { Name = "request", Data = new TypedData { Http = request } };
    }

    private static async Task<List<string>> ListAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }

    private static void AssertSucceeded(FunctionsHostStandIn host, InvocationResponse response) =>
        Assert.True(
            response.Result.Status == StatusResult.Types.Status.Success,
            $"{response.Result.Status}: {response.Result.Exception?.Message}\n{response.Result.Exception?.StackTrace}\nworker log:\n{string.Join('\n', host.Logs.Select(l => $"{l.Level} {l.Category}: {l.Message} {l.Exception?.Message}"))}\n{host.Output}");

    [GeneratedRegex("href=\"(http://127\\.0\\.0\\.1:7071/api/preferences\\?token=[^\"]+)\"")]
    private static partial Regex PreferencesLink();
}
