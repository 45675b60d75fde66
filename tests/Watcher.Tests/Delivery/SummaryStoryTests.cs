using System.Text.Json;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Configuration;
using Watcher.Storage;
using Watcher.Tests.Support;

namespace Watcher.Tests.Delivery;

/// <summary>
/// A summary message carries what the mail shows, so classifying a just-stored article and
/// delivering its summary read neither the article nor the verdict again; a story too large for
/// a queue message falls back to the blobs.
/// </summary>
public sealed class SummaryStoryTests(ServicesFixture services) : IClassFixture<ServicesFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private const string FiveGBanText =
        "The Belgian government has banned Huawei from the core of its 5G networks. " +
        "Operators must remove the Chinese vendor's equipment from their 5G core within three years, the minister said. " +
        "Security services had warned that the company could be forced to cooperate with Chinese intelligence.";

    [Fact]
    public async Task A_story_message_is_delivered_with_the_article_and_verdict_blobs_gone()
    {
        var ann = DeliveryTestHost.Subscriber("ann", DeliverySchedule.Instant);
        using var host = await DeliveryTestHost.CreateAsync(services, [ann], new ManualClock(Start));
        var article = NewArticle(host, "Belgium bans Huawei from its 5G core");
        await host.Get<ArticleStore>().StoreAsync(article, CancellationToken.None);

        var verdict = await host.Get<ArticleClassificationService>().ClassifyBlobAsync(ArticleStore.BlobNameFor(article), CancellationToken.None);
        Assert.NotNull(verdict);
        Assert.Contains(verdict.Topics, t => t.Id == TopicIds.FiveGBan);

        var queued = Assert.Single((await host.Storage.Summaries.ReceiveMessagesAsync(10)).Value);
        var message = JsonSerializer.Deserialize<SummaryMessage>(queued.Body.ToString(), JsonBlobs.SerializerOptions)!;
        Assert.Equal(article.Title, message.Story?.Title);
        Assert.Contains(message.Story!.Entities, e => e.Text == "Huawei");

        // The verdict is written once, already marked with the article version it judged.
        var blobName = ArticleClassificationService.ClassifiedBlobName(ArticleStore.BlobNameFor(article));
        var properties = (await host.Storage.Classified.GetBlobClient(blobName).GetPropertiesAsync()).Value;
        Assert.True(properties.Metadata.ContainsKey(ArticleClassificationService.ArticleETagMetadata));

        await host.Storage.Articles.DeleteBlobAsync(ArticleStore.BlobNameFor(article));
        await host.Storage.Classified.DeleteBlobAsync(blobName);
        Assert.Null(await host.DeliverAsync(queued.Body.ToString()));

        var mail = Assert.Single(await services.Mail.WaitForAsync(ann.Email, 1));
        Assert.Contains(article.Title, mail.Text, StringComparison.Ordinal);
        Assert.Contains(article.Url, mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_article_this_process_just_stored_is_classified_without_reading_it_and_only_once_from_memory()
    {
        using var host = await DeliveryTestHost.CreateAsync(services, [], new ManualClock(Start));
        var article = NewArticle(host, "Huawei shut out of Belgian 5G");
        var store = host.Get<ArticleStore>();
        await store.StoreAsync(article, CancellationToken.None);
        var blobName = ArticleStore.BlobNameFor(article);
        var written = (await host.Storage.Articles.GetBlobClient(blobName).GetPropertiesAsync()).Value.ETag;

        // Deleting the blob shows where the article came from: memory, with the version written.
        await host.Storage.Articles.DeleteBlobAsync(blobName);
        var (fromMemory, etag) = await store.ReadVersionAsync(blobName, CancellationToken.None);
        Assert.Equal(article, fromMemory);
        Assert.Equal(written, etag);

        var (again, _) = await store.ReadVersionAsync(blobName, CancellationToken.None);
        Assert.Null(again);
    }

    [Fact]
    public async Task A_story_too_large_for_a_queue_message_is_sent_by_name_and_delivered_from_the_blobs()
    {
        var ann = DeliveryTestHost.Subscriber("ann", DeliverySchedule.Instant);
        using var host = await DeliveryTestHost.CreateAsync(services, [ann], new ManualClock(Start));
        var longTitle = "Belgium bans Huawei from 5G " + string.Concat(Enumerable.Repeat("and names every operator concerned ", 1600));
        var article = NewArticle(host, longTitle);
        await host.Get<ArticleStore>().StoreAsync(article, CancellationToken.None);
        Assert.NotNull(await host.Get<ArticleClassificationService>().ClassifyBlobAsync(ArticleStore.BlobNameFor(article), CancellationToken.None));

        var queued = Assert.Single((await host.Storage.Summaries.ReceiveMessagesAsync(10)).Value);
        Assert.True(queued.Body.ToMemory().Length <= SummaryMessage.MaxStoryMessageBytes);
        var message = JsonSerializer.Deserialize<SummaryMessage>(queued.Body.ToString(), JsonBlobs.SerializerOptions)!;
        Assert.Null(message.Story);

        Assert.Null(await host.DeliverAsync(queued.Body.ToString()));
        var mail = Assert.Single(await services.Mail.WaitForAsync(ann.Email, 1));
        Assert.Contains("Belgium bans Huawei from 5G and names every operator", mail.Text, StringComparison.Ordinal);
    }

    private static Article NewArticle(DeliveryTestHost host, string title)
    {
        var id = DeliveryTestHost.NewId();
        return new Article
        {
            Id = id,
            Url = $"https://news.example.org/{id}",
            Title = title,
            Text = FiveGBanText,
            Language = "en",
            Published = host.Clock.Now.AddMinutes(-20),
            FetchedAt = host.Clock.Now,
            Source = new ArticleSource { FeedName = "Wire Tech EN", FeedUrl = "https://wire.example.org/feed" },
        };
    }
}
