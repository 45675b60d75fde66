namespace Watcher.Feeds;

/// <summary>Per-feed polling state: <c>state/feeds/{key}.json</c>.</summary>
public sealed record FeedState
{
    public int Schema { get; init; } = 1;

    public required string FeedName { get; init; }

    public required string FeedUrl { get; init; }

    public string? ETag { get; init; }

    public string? LastModified { get; init; }

    public DateTimeOffset? LastSuccess { get; init; }

    public DateTimeOffset? LastAttempt { get; init; }

    public string? LastError { get; init; }

    public int ConsecutiveFailures { get; init; }

    public DateTimeOffset? NextPoll { get; init; }

    public long ItemsSeen { get; init; }
}
