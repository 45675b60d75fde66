using Watcher.Bench;

namespace Watcher.Tests.Benchmarks;

/// <summary>The reconciliation the pipeline bench rests on, shown to fail on counts that do not add up, and the corpus it counts against.</summary>
public sealed class ReconciliationTests
{
    [Fact]
    public void Reconciliation_holds_for_consistent_counts_and_names_each_count_that_is_off()
    {
        var consistent = Counts();
        Assert.All(Reconciliation.Check(consistent), check => Assert.True(check.Holds, check.Name));

        var lostClassification = Reconciliation.Check(consistent with { ClassifiedBlobs = 99 }).Where(c => !c.Holds).ToList();
        Assert.Equal("articles stored = articles classified", Assert.Single(lostClassification).Name);

        var lostMessage = Reconciliation.Check(consistent with { SummariesQueued = 19 }).Where(c => !c.Holds).ToList();
        Assert.Equal("matched = summaries queued", Assert.Single(lostMessage).Name);

        var duplicateMail = consistent with { Subscribers = [consistent.Subscribers[0] with { MailsInMailDev = 21 }, consistent.Subscribers[1]] };
        Assert.Equal("ann@example.org: mails in MailDev = sent digests", Assert.Single(Reconciliation.Check(duplicateMail), c => !c.Holds).Name);

        var stuckPending = consistent with { Subscribers = [consistent.Subscribers[0], consistent.Subscribers[1] with { Pending = 2, Delivered = 10 }] };
        var failed = Reconciliation.Check(stuckPending).Where(c => !c.Holds).Select(c => c.Name).ToList();
        Assert.Contains("bram@example.org: nothing left pending after the digest run", failed);
        Assert.Contains("all subscribers: entries delivered = wanted matches", failed);
    }

    [Fact]
    public void Corpus_repeats_a_story_under_a_tracking_variant_and_renders_the_same_bytes_twice()
    {
        var corpus = new BenchCorpus(feedCount: 12, itemsPerFeed: 4, DateTimeOffset.Parse("2026-11-22T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(2, corpus.SharedItems);
        Assert.Equal(46, corpus.UniqueStories);
        Assert.Equal(corpus.StoryOf(0, 0), corpus.StoryOf(1, 0));
        Assert.Equal(corpus.StoryOf(10, 0), corpus.StoryOf(11, 0));
        Assert.Equal(corpus.Render(5), corpus.Render(5));

        var repeating = System.Text.Encoding.UTF8.GetString(corpus.Render(1));
        Assert.Contains($"story-{corpus.StoryOf(0, 0)}?utm_source=bench-001", repeating);
        Assert.Equal([corpus.StoryOf(1, 1), 7], PeersBenchmark.StoryNumbers($"URL: https://x.example/news/story-{corpus.StoryOf(1, 1)}?utm_source=rss and /story-7").ToList());
    }

    private static PipelineCounts Counts() => new()
    {
        UniqueStories = 100,
        FeedErrors = 0,
        ClassifyFailures = 0,
        ArticleBlobs = 100,
        ClassifiedBlobs = 100,
        Matched = 20,
        SummariesQueued = 20,
        SummariesLeft = 0,
        PoisonMessages = 0,
        Subscribers =
        [
            new SubscriberCounts { Email = "ann@example.org", Schedule = "instant", Expected = 20, Pending = 0, Delivered = 20, DigestsSent = 20, ArticlesInDigests = 20, MailsInMailDev = 20 },
            new SubscriberCounts { Email = "bram@example.org", Schedule = "daily", Expected = 12, Pending = 0, Delivered = 12, DigestsSent = 1, ArticlesInDigests = 12, MailsInMailDev = 1 },
        ],
    };
}
