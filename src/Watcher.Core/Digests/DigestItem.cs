using Watcher.Configuration;

namespace Watcher.Digests;

/// <summary>
/// One article waiting for one subscriber, kept in a <see cref="PendingBundle"/>.
/// A snapshot of everything the mail shows, so sending needs no other reads.
/// </summary>
public sealed record DigestItem
{
    public int Schema { get; init; } = 1;

    public required string ArticleId { get; init; }

    public required string Title { get; init; }

    public required string Url { get; init; }

    public required string Source { get; init; }

    /// <summary>Other feeds the same story came from.</summary>
    public IReadOnlyList<string> AlsoReportedBy { get; init; } = [];

    /// <summary>
    /// Ids of other articles that tell the same story (near-duplicates from other sites); a digest
    /// shows linked items once, with the others' sources as "also reported by".
    /// </summary>
    public IReadOnlyList<string> SameStoryAs { get; init; } = [];

    public DateTimeOffset? Published { get; init; }

    /// <summary>
    /// Position of <see cref="Source"/> in the configured feeds (the order of <c>Watcher:Feeds</c>);
    /// of two items of one story published at the same time, the earlier feed leads.
    /// </summary>
    public int FeedOrder { get; init; } = int.MaxValue;

    public required string Language { get; init; }

    public required string Summary { get; init; }

    /// <summary>Matched topic ids with the evidence sentence that explains each.</summary>
    public required IReadOnlyList<DigestItemTopic> Topics { get; init; }

    /// <summary>Who the article names (companies, countries, governments, agencies), said when no evidence sentence is left to quote.</summary>
    public IReadOnlyList<string> Named { get; init; } = [];

    public DateTimeOffset AddedAt { get; init; }

    /// <summary>The topics of this item <paramref name="subscriber"/> follows; empty when the item is not for them.</summary>
    public IReadOnlyList<DigestItemTopic> TopicsFor(SubscriberOptions subscriber, IEnumerable<string> sourceFeeds)
    {
        if (subscriber.Languages.Count > 0 && !subscriber.Languages.Contains(Language, StringComparer.OrdinalIgnoreCase))
        {
            return [];
        }

        if (subscriber.Feeds.Count > 0 && !sourceFeeds.Any(f => subscriber.Feeds.Contains(f, StringComparer.OrdinalIgnoreCase)))
        {
            return [];
        }

        if (subscriber.Keywords.Count > 0 &&
            !subscriber.Keywords.Any(k => Title.Contains(k, StringComparison.OrdinalIgnoreCase) || Summary.Contains(k, StringComparison.OrdinalIgnoreCase)))
        {
            return [];
        }

        return Topics.Where(t => subscriber.Topics.Contains(t.Id, StringComparer.OrdinalIgnoreCase)).ToList();
    }
}

public sealed record DigestItemTopic(string Id, string Name, double Score, string? Why);

/// <summary>Marker that a digest was accepted by the mail server: <c>digests/sent/{subscriber}/{digestId}.json</c>.</summary>
public sealed record SentDigest
{
    public int Schema { get; init; } = 1;

    public required string DigestId { get; init; }

    public required string MessageId { get; init; }

    public required IReadOnlyList<string> ArticleIds { get; init; }

    public DateTimeOffset SentAt { get; init; }

    /// <summary>How many mails the digest was split into (see <see cref="DigestSender.MaxStoriesPerMail"/>).</summary>
    public int Parts { get; init; } = 1;
}

/// <summary>Items that became pending together for one subscriber: <c>digests/pending/{subscriber}/{bundle}.json</c>.</summary>
public sealed record PendingBundle
{
    public int Schema { get; init; } = 1;

    public required IReadOnlyList<DigestItem> Items { get; init; }
}

/// <summary>What <see cref="DigestStore.ReadPendingAsync"/> found: the undelivered items, and the bundles they came from.</summary>
public sealed class PendingItems
{
    internal PendingItems(IReadOnlyList<DigestItem> items, List<Bundle> bundles, HashSet<string> delivered)
    {
        Items = items;
        Bundles = bundles;
        Delivered = delivered;
    }

    /// <summary>Undelivered items when read, each once, oldest first.</summary>
    public IReadOnlyList<DigestItem> Items { get; }

    /// <summary>The bundles not removed yet.</summary>
    internal List<Bundle> Bundles { get; }

    /// <summary>Items in these bundles known to be delivered: found so when read, or completed since.</summary>
    internal HashSet<string> Delivered { get; }

    internal sealed record Bundle(string Name, IReadOnlyList<string> ArticleIds);
}
