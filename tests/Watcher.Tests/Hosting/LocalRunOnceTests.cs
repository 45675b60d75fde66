using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Local.DevServices;
using Watcher.Local.Hosting;
using Watcher.Storage;
using Watcher.Tests.EndToEnd;
using Watcher.Tests.Support;

namespace Watcher.Tests.Hosting;

/// <summary><c>watcher run --once</c> in process: the triggers fire while the fetch is still running, as in Azure.</summary>
public sealed class LocalRunOnceTests : IAsyncLifetime
{
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(20);

    private AzuriteService azurite = null!;
    private LoopbackHttpServer siteA = null!;
    private LoopbackHttpServer siteB = null!;

    public async Task InitializeAsync()
    {
        azurite = await AzuriteService.StartAsync(Path.Combine(Path.GetTempPath(), "watcher-runonce-" + Guid.NewGuid().ToString("n")));
        siteA = await LoopbackHttpServer.StartAsync();
        siteB = await LoopbackHttpServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await siteB.DisposeAsync();
        await siteA.DisposeAsync();
        await azurite.DisposeAsync();
    }

    [Fact]
    public async Task An_article_is_classified_while_another_feed_is_still_being_fetched()
    {
        var storyA = new TestItem(
            "US adds Chinese chipmakers to the Entity List",
            "https://news.example.com/entity-list-overlap",
            "The US Commerce Department added two Chinese chipmakers to its Entity List, a trade blacklist that bars American suppliers from selling to them.",
            DateTimeOffset.UtcNow.AddHours(-1));
        var storyB = new TestItem(
            "Sweden bars Huawei and ZTE from its 5G networks",
            "https://nieuws.example.org/sweden-5g-overlap",
            "The government of Sweden will exclude Huawei and ZTE from its 5G networks, the telecom regulator said.",
            DateTimeOffset.UtcNow.AddHours(-2));
        var feedA = siteA.Put("a.xml", "application/rss+xml", FeedDocuments.Rss("Site A", "en", [storyA]));
        using var services = CoreServices.Build(new Dictionary<string, string?>
        {
            ["Watcher:Storage:ConnectionString"] = azurite.ConnectionString,
            ["Watcher:Feeds:0:Name"] = "Site A",
            ["Watcher:Feeds:0:Url"] = feedA.AbsoluteUri,
            ["Watcher:Feeds:0:Language"] = "en",
            ["Watcher:Feeds:1:Name"] = "Site B",
            ["Watcher:Feeds:1:Url"] = siteB.Url("b.xml").AbsoluteUri,
            ["Watcher:Feeds:1:Language"] = "en",
            ["Watcher:Fetch:Timeout"] = "00:01:00",
        });
        var storage = services.GetRequiredService<WatcherStorage>();

        // Feed B answers only once something is classified (or after the hold): if the blob
        // trigger waited for the fetch to finish, nothing would be classified by then.
        var classifiedBeforeB = new ConcurrentQueue<string>();
        siteB.Map("/b.xml", async context =>
        {
            var deadline = DateTime.UtcNow + Hold;
            while (classifiedBeforeB.IsEmpty && DateTime.UtcNow < deadline)
            {
                await foreach (var blob in storage.Classified.GetBlobsAsync(cancellationToken: context.RequestAborted))
                {
                    classifiedBeforeB.Enqueue(blob.Name);
                }

                await Task.Delay(50, context.RequestAborted);
            }

            context.Response.ContentType = "application/rss+xml";
            await context.Response.WriteAsync(FeedDocuments.Rss("Site B", "en", [storyB]));
        });

        using var host = ActivatorUtilities.CreateInstance<LocalFunctionsHost>(services);
        var failures = await host.RunOnceAsync(CancellationToken.None);

        Assert.Empty(failures);
        var blobByUrl = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var blob in storage.Articles.GetBlobsAsync())
        {
            using var article = JsonDocument.Parse((await storage.Articles.GetBlobClient(blob.Name).DownloadContentAsync()).Value.Content.ToStream());
            blobByUrl[article.RootElement.GetProperty("url").GetString()!] = blob.Name;
        }

        Assert.Equal([storyA.Link, storyB.Link], blobByUrl.Keys.Order(StringComparer.Ordinal));
        Assert.True(
            classifiedBeforeB.Contains(ArticleClassificationService.ClassifiedBlobName(blobByUrl[storyA.Link])),
            $"Feed A's article was not classified within {Hold.TotalSeconds} s while feed B was still being fetched.");
        Assert.True(await storage.Classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(blobByUrl[storyB.Link])).ExistsAsync(), "Feed B's article was not classified after the fetch.");
    }
}
