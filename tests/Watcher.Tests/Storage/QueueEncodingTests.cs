using System.Text;
using System.Text.Json;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Local.DevServices;
using Watcher.Storage;
using Watcher.Tests.Support;

namespace Watcher.Tests.Storage;

/// <summary>
/// The Functions queue trigger expects base64 message bodies by default; a plain-text body would
/// send every message to poison in Azure.
/// </summary>
public sealed class QueueEncodingTests : IAsyncLifetime
{
    private AzuriteService azurite = null!;

    public async Task InitializeAsync() =>
        azurite = await AzuriteService.StartAsync(Path.Combine(Path.GetTempPath(), "watcher-queue-" + Guid.NewGuid().ToString("n")));

    public async Task DisposeAsync() => await azurite.DisposeAsync();

    [Fact]
    public async Task Summary_messages_are_base64_json_that_name_the_article_and_carry_its_story()
    {
        using var services = CoreServices.Build(new Dictionary<string, string?> { ["Watcher:Storage:ConnectionString"] = azurite.ConnectionString });
        var storage = services.GetRequiredService<WatcherStorage>();
        await storage.EnsureCreatedAsync();
        var article = new Article
        {
            Id = "0123456789abcdef0123456789abcdef",
            Url = "https://news.example.com/entity-list",
            Title = "US adds Chinese chipmakers to the Entity List",
            Text = "The US Commerce Department added two Chinese chipmakers to its Entity List, a trade blacklist that bars American suppliers from selling to them.",
            FetchedAt = DateTimeOffset.UtcNow,
            Source = new ArticleSource { FeedName = "Test", FeedUrl = "https://news.example.com/feed" },
        };
        await services.GetRequiredService<ArticleStore>().StoreAsync(article, CancellationToken.None);

        await services.GetRequiredService<ArticleClassificationService>().ClassifyBlobAsync(ArticleStore.BlobNameFor(article), CancellationToken.None);

        var raw = new QueueClient(azurite.ConnectionString, StorageNames.SummariesQueue);
        var peeked = Assert.Single((await raw.PeekMessagesAsync(10)).Value);
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(peeked.Body.ToString()));
        using var document = JsonDocument.Parse(json);
        Assert.Equal(article.Id, document.RootElement.GetProperty("articleId").GetString());
        Assert.Equal(2, document.RootElement.GetProperty("schema").GetInt32());
        Assert.Equal(article.Title, document.RootElement.GetProperty("story").GetProperty("title").GetString());
    }
}
