namespace Watcher.Bench;

/// <summary>Counts read back from storage, the queues and MailDev after a benchmark cycle.</summary>
public sealed record PipelineCounts
{
    /// <summary>Distinct stories in the served feeds: what a deduplicating reader must store.</summary>
    public required int UniqueStories { get; init; }

    public required int FeedErrors { get; init; }

    public required int ClassifyFailures { get; init; }

    public required int ArticleBlobs { get; init; }

    public required int ClassifiedBlobs { get; init; }

    /// <summary>Classified blobs with at least one topic.</summary>
    public required int Matched { get; init; }

    /// <summary><c>summaries</c> queue length right after classification, before delivery ran.</summary>
    public required int SummariesQueued { get; init; }

    public required int SummariesLeft { get; init; }

    public required int PoisonMessages { get; init; }

    public required IReadOnlyList<SubscriberCounts> Subscribers { get; init; }
}

/// <summary>One subscriber's side: what the verdicts say they should get and what the stores and the mailbox hold.</summary>
public sealed record SubscriberCounts
{
    public required string Email { get; init; }

    public required string Schedule { get; init; }

    /// <summary>Matched articles this subscriber wants, computed from the classified blobs.</summary>
    public required int Expected { get; init; }

    public required int Pending { get; init; }

    public required int Delivered { get; init; }

    /// <summary>Sent-digest markers, one per mail the server accepted.</summary>
    public required int DigestsSent { get; init; }

    /// <summary>Article ids listed in the sent-digest markers.</summary>
    public required int ArticlesInDigests { get; init; }

    public required int MailsInMailDev { get; init; }

    /// <summary>Stories shown in those mails (from their subjects): articles of the same story are shown once.</summary>
    public int StoriesInMails { get; init; }
}

public sealed record ReconciliationCheck(string Name, long Expected, long Actual)
{
    public bool Holds => Expected == Actual;
}

/// <summary>The end-of-run bookkeeping: every article stored, classified, queued and delivered exactly once.</summary>
public static class Reconciliation
{
    public static IReadOnlyList<ReconciliationCheck> Check(PipelineCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var checks = new List<ReconciliationCheck>
        {
            new("feeds fetched without error (errors)", 0, counts.FeedErrors),
            new("classification failures", 0, counts.ClassifyFailures),
            new("articles stored = distinct stories served", counts.UniqueStories, counts.ArticleBlobs),
            new("articles stored = articles classified", counts.ArticleBlobs, counts.ClassifiedBlobs),
            new("matched = summaries queued", counts.Matched, counts.SummariesQueued),
            new("summaries left on the queue after delivery", 0, counts.SummariesLeft),
            new("messages in summaries-poison", 0, counts.PoisonMessages),
        };
        foreach (var subscriber in counts.Subscribers)
        {
            var who = subscriber.Email;
            checks.Add(new($"{who}: wanted matches = pending + delivered entries", subscriber.Expected, subscriber.Pending + subscriber.Delivered));
            checks.Add(new($"{who}: nothing left pending after the digest run", 0, subscriber.Pending));
            checks.Add(new($"{who}: delivered entries = articles in sent digests", subscriber.Delivered, subscriber.ArticlesInDigests));
            checks.Add(new($"{who}: mails in MailDev = sent digests", subscriber.DigestsSent, subscriber.MailsInMailDev));
        }

        var expected = counts.Subscribers.Sum(s => (long)s.Expected);
        checks.Add(new("all subscribers: entries delivered = wanted matches", expected, counts.Subscribers.Sum(s => (long)s.Delivered)));
        return checks;
    }
}
