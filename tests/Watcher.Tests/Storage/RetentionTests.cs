using Microsoft.Extensions.DependencyInjection;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Configuration;
using Watcher.Digests;
using Watcher.Storage;
using Watcher.Subscribers;
using Watcher.Tests.Delivery;
using Watcher.Tests.Support;

namespace Watcher.Tests.Storage;

/// <summary>
/// The local host's retention sweep on a real Azurite: the clock is moved past a rule's days,
/// since the blobs' last-modified times are the storage service's own.
/// </summary>
public sealed class RetentionTests(ServicesFixture services) : IClassFixture<ServicesFixture>
{
    [Fact]
    public async Task Old_articles_and_verdicts_go_the_index_and_a_pending_digest_stay_and_the_digest_still_carries_the_story()
    {
        var ann = DeliveryTestHost.Subscriber("ann", DeliverySchedule.Instant, "5g-ban");
        var cleo = DeliveryTestHost.Subscriber("cleo", DeliverySchedule.Weekly, "5g-ban");
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var host = await DeliveryTestHost.CreateAsync(services, [ann, cleo], clock);
        var id = DeliveryTestHost.NewId();
        Assert.Null(await host.DeliverAsync(await host.AddClassifiedArticleAsync(id, "Italy weighs a 5G ban on Huawei", ["5g-ban"])));
        var store = host.Get<ArticleStore>();
        var index = await store.ReadIndexAsync(id, CancellationToken.None) ?? throw new InvalidOperationException("not indexed");
        var stored = await store.ReadAsync(index.BlobName, CancellationToken.None) ?? throw new InvalidOperationException("not stored");
        var retention = host.Get<Retention>();

        // Nothing is old yet.
        Assert.All((await retention.SweepAsync(CancellationToken.None)).Values, count => Assert.Equal(0, count));

        clock.Now += TimeSpan.FromDays(91);
        var deleted = await retention.SweepAsync(CancellationToken.None);

        Assert.Equal(2, deleted["articles"]);
        Assert.Equal(0, deleted["dedup-index"]);
        Assert.False(await host.Storage.Articles.GetBlobClient(index.BlobName).ExistsAsync());
        Assert.False(await host.Storage.Classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(index.BlobName)).ExistsAsync());
        Assert.NotNull(await store.ReadIndexAsync(id, CancellationToken.None));
        Assert.True(await host.Get<DigestStore>().IsDeliveredAsync(SubscriberKey.For(ann.Email), id, CancellationToken.None));

        // The feed still lists the item: it is known, and its article is not written again.
        Assert.Equal(ArticleStoreResult.Known, await store.StoreAsync(stored with { FetchedAt = clock.Now }, CancellationToken.None));
        Assert.False(await host.Storage.Articles.GetBlobClient(ArticleStore.BlobNameFor(stored with { FetchedAt = clock.Now })).ExistsAsync());

        // The weekly digest that was still pending goes out with the story it was waiting for.
        var week = await host.Get<DigestService>().SendDueAsync(clock.Now + TimeSpan.FromDays(8), CancellationToken.None);
        Assert.Equal(1, week.DigestsSent);
        var mail = Assert.Single(await services.Mail.WaitForAsync(cleo.Email, 1));
        Assert.Contains("Italy weighs a 5G ban on Huawei", (await services.Mail.ParsedAsync(mail)).TextBody);

        clock.Now += TimeSpan.FromDays(400);
        deleted = await retention.SweepAsync(CancellationToken.None);
        Assert.True(deleted["dedup-index"] >= 2, $"{deleted["dedup-index"]} index entries and delivered markers deleted");
        Assert.True(deleted["markers"] >= 1, "the sent-digest marker was kept");
        Assert.Null(await store.ReadIndexAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task A_sweep_runs_at_most_once_a_day()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var host = await DeliveryTestHost.CreateAsync(services, [], clock);
        var retention = host.Get<Retention>();

        Assert.NotNull(await retention.SweepIfDueAsync(CancellationToken.None));
        clock.Now += TimeSpan.FromHours(23);
        Assert.Null(await retention.SweepIfDueAsync(CancellationToken.None));
        clock.Now += TimeSpan.FromHours(1);
        Assert.NotNull(await retention.SweepIfDueAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_store_that_crashed_after_its_claim_is_finished_under_the_day_of_the_fetch_that_finds_it()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var host = await DeliveryTestHost.CreateAsync(services, [], clock);
        var store = host.Get<ArticleStore>();
        var article = new Article
        {
            Id = DeliveryTestHost.NewId(),
            Url = "https://news.example.org/crash",
            Title = "Crashed between two writes",
            FetchedAt = clock.Now,
            Source = new ArticleSource { FeedName = "Wire", FeedUrl = "https://news.example.org/feed" },
        };
        Assert.Equal(ArticleStoreResult.Stored, await store.StoreAsync(article, CancellationToken.None));
        await host.Storage.Articles.GetBlobClient(ArticleStore.BlobNameFor(article)).DeleteAsync();

        var nextDay = article with { FetchedAt = clock.Now + TimeSpan.FromDays(1) };
        Assert.Equal(ArticleStoreResult.Stored, await store.StoreAsync(nextDay, CancellationToken.None));

        Assert.Equal(ArticleStore.BlobNameFor(nextDay), (await store.ReadIndexAsync(article.Id, CancellationToken.None))!.BlobName);
        Assert.True(await host.Storage.Articles.GetBlobClient(ArticleStore.BlobNameFor(nextDay)).ExistsAsync());
        Assert.Equal(ArticleStoreResult.Known, await store.StoreAsync(nextDay, CancellationToken.None));

        // Past the finish window the claim is one whose article retention deleted.
        await host.Storage.Articles.GetBlobClient(ArticleStore.BlobNameFor(nextDay)).DeleteAsync();
        Assert.Equal(ArticleStoreResult.Known, await store.StoreAsync(article with { FetchedAt = clock.Now + ArticleStore.FinishWindow }, CancellationToken.None));
    }

    [Theory]
    [InlineData("ArticleDays", "6", "Watcher:Retention:ArticleDays: 6 is too short")]
    [InlineData("IndexDays", "30", "Watcher:Retention:IndexDays: 30 is shorter than Watcher:Retention:ArticleDays (90)")]
    [InlineData("MarkerDays", "7", "Watcher:Retention:MarkerDays: 7 is too short")]
    public void A_retention_too_short_for_what_depends_on_it_is_refused_with_its_name(string setting, string value, string expected)
    {
        using var provider = CoreServices.Build(new Dictionary<string, string?> { [$"Watcher:Retention:{setting}"] = value });

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<WatcherOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
