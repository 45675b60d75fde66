using Watcher.Feeds.Fetching;

namespace Watcher.Feeds;

/// <summary>Per-feed polling state, one entry of <c>state/feeds.json</c>.</summary>
public sealed record FeedState
{
    public int Schema { get; init; } = 2;

    public required string FeedName { get; init; }

    /// <summary>The URL polled: the configured one, or where a permanent redirect moved the feed.</summary>
    public required string FeedUrl { get; init; }

    /// <summary>The configured URL this state belongs to; when the configuration changes it, the state starts over.</summary>
    public string? ConfiguredUrl { get; init; }

    public string? ETag { get; init; }

    public string? LastModified { get; init; }

    public DateTimeOffset? LastSuccess { get; init; }

    public DateTimeOffset? LastAttempt { get; init; }

    public string? LastError { get; init; }

    public FeedErrorKind? LastErrorKind { get; init; }

    public int? LastStatusCode { get; init; }

    /// <summary>Something the last successful poll read around (a skipped item, a leniently read document).</summary>
    public string? LastWarning { get; init; }

    public int ConsecutiveFailures { get; init; }

    /// <summary>Start of the current run of failures.</summary>
    public DateTimeOffset? FailingSince { get; init; }

    public DateTimeOffset? NextPoll { get; init; }

    public long ItemsSeen { get; init; }

    public long ArticlesStored { get; init; }

    /// <summary>Set by HTTP 410: the feed is not polled again until its configured URL changes.</summary>
    public bool Disabled { get; init; }

    public string? DisabledReason { get; init; }

    /// <summary>The problem the admin was told about, so the same one is never mailed twice.</summary>
    public string? ReportedProblem { get; init; }
}
