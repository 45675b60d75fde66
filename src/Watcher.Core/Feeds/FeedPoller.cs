using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Articles;
using Watcher.Configuration;
using Watcher.Feeds.Fetching;

namespace Watcher.Feeds;

/// <summary>
/// The <c>FetchFeeds</c> entry point: polls every enabled feed that is due and stores its new
/// articles. A broken feed is recorded in its state (with back-off) and logged; it never stops
/// the others.
/// </summary>
public sealed class FeedPoller(
    IOptions<WatcherOptions> options,
    FeedFetcher fetcher,
    FeedStateStore states,
    ArticleStore articles,
    ArticlePageReader pages,
    FeedHealthReporter health,
    TimeProvider clock,
    ILogger<FeedPoller> logger)
{
    /// <summary>How often a long cycle saves the states of the feeds polled so far.</summary>
    public static readonly TimeSpan StateFlushInterval = TimeSpan.FromSeconds(15);

    /// <summary>Polls every enabled feed that is due and stores its new articles.</summary>
    public Task<IReadOnlyList<FeedPollResult>> PollAllAsync(CancellationToken cancellationToken) =>
        PollAllAsync(progress: null, cancellationToken);

    /// <summary>Polls every enabled feed, telling <paramref name="progress"/> each feed's result as soon as it is in.</summary>
    /// <param name="progress">Called from the polling threads, in completion order, not feed order.</param>
    /// <param name="cancellationToken">Stops the polls in flight.</param>
    public async Task<IReadOnlyList<FeedPollResult>> PollAllAsync(IProgress<FeedPollResult>? progress, CancellationToken cancellationToken)
    {
        var feeds = options.Value.Feeds.Where(f => f.Enabled).ToList();
        var results = new FeedPollResult[feeds.Count];
        var (stored, _) = await states.ReadAllAsync(cancellationToken);
        using var pending = new PendingStates(states, clock);

        // Requests are limited inside the fetcher (overall and per host); more feeds than requests
        // are in flight so that one slow site does not hold every slot while others wait.
        await Parallel.ForAsync(
            0,
            feeds.Count,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.Fetch.MaxConcurrency * 4, CancellationToken = cancellationToken },
            async (i, ct) =>
            {
                var before = stored.GetValueOrDefault(feeds[i].Name);
                var poll = await PollAsync(feeds[i], before, ct);
                results[i] = poll.Result;
                progress?.Report(poll.Result);
                if (poll.State is { } state)
                {
                    // A problem reported to the admin is saved at once: a crash before the next
                    // save must not make the next cycle report it again.
                    await pending.AddAsync(state, saveNow: state.ReportedProblem != before?.ReportedProblem, ct);
                }
            });
        await pending.FlushAsync(cancellationToken);
        return results;
    }

    /// <summary>Polls one feed now (if it is due) and saves its state.</summary>
    public async Task<FeedPollResult> PollAsync(FeedOptions feed, CancellationToken cancellationToken)
    {
        var (stored, _) = await states.ReadAsync(feed.Name, cancellationToken);
        var poll = await PollAsync(feed, stored, cancellationToken);
        if (poll.State is not null)
        {
            await states.WriteAsync(poll.State, cancellationToken);
        }

        return poll.Result;
    }

    /// <summary>
    /// A healthy feed answering 304 with nothing else changed needs no state save on every
    /// tick: its stored "last success" is then kept to within <see cref="RoutineWriteInterval"/>,
    /// and a cycle in which every feed answered so writes nothing at all.
    /// </summary>
    private static bool IsRoutineNotModified(FeedState? stored, FeedState updated, bool notModified, DateTimeOffset now) =>
        notModified
        && stored?.LastSuccess is { } lastWritten
        && now - lastWritten < RoutineWriteInterval
        && updated.NextPoll <= now
        && stored with { LastAttempt = updated.LastAttempt, LastSuccess = updated.LastSuccess, NextPoll = updated.NextPoll, ConfiguredUrl = updated.ConfiguredUrl } == updated;

    private static readonly TimeSpan RoutineWriteInterval = TimeSpan.FromHours(1);

    /// <summary>The poll's result, and the feed's new state when it has to be saved.</summary>
    private async Task<(FeedPollResult Result, FeedState? State)> PollAsync(FeedOptions feed, FeedState? stored, CancellationToken cancellationToken)
    {
        var state = stored is not null && (stored.ConfiguredUrl ?? stored.FeedUrl) == feed.Url
            ? stored with { ConfiguredUrl = feed.Url }
            : new FeedState { FeedName = feed.Name, FeedUrl = feed.Url, ConfiguredUrl = feed.Url, ItemsSeen = stored?.ItemsSeen ?? 0, ArticlesStored = stored?.ArticlesStored ?? 0 };
        var now = clock.GetUtcNow();
        if (state.Disabled)
        {
            return (FeedPollResult.Skipped(feed.Name, $"disabled: {state.DisabledReason}"), null);
        }

        if (state.NextPoll > now)
        {
            return (FeedPollResult.Skipped(feed.Name, $"not due before {state.NextPoll:u}"), null);
        }

        try
        {
            var fetched = await fetcher.FetchAsync(new Uri(state.FeedUrl), state.ETag, state.LastModified, cancellationToken);
            var outcome = fetched.IsNotModified ? new ItemsOutcome(0, 0, null) : await StoreItemsAsync(feed, fetched, cancellationToken);
            if (fetched.PermanentUrl is not null)
            {
                logger.LogWarning("Feed {FeedName} moved permanently to {Url}; polling it there from now on", feed.Name, fetched.PermanentUrl);
            }

            state = state with
            {
                FeedUrl = fetched.PermanentUrl?.AbsoluteUri ?? state.FeedUrl,
                // With items deferred, the next poll must read the document again, not get a 304.
                ETag = fetched.IsNotModified ? state.ETag : outcome.Deferred > 0 ? null : fetched.ETag,
                LastModified = fetched.IsNotModified ? state.LastModified : outcome.Deferred > 0 ? null : fetched.LastModified,
                LastAttempt = now,
                LastSuccess = now,
                LastError = null,
                LastErrorKind = null,
                LastStatusCode = null,
                LastWarning = fetched.IsNotModified ? state.LastWarning : outcome.Warning,
                ConsecutiveFailures = 0,
                FailingSince = null,
                NextPoll = now + options.Value.Fetch.PollInterval,
                ItemsSeen = state.ItemsSeen + outcome.Items,
                ArticlesStored = state.ArticlesStored + outcome.NewArticles,
            };
            state = await health.AfterSuccessAsync(state, cancellationToken);

            if (outcome.Warning is not null)
            {
                logger.LogWarning("Feed {FeedName}: {Warning}", feed.Name, outcome.Warning);
            }

            logger.LogInformation("Feed {FeedName}: {Items} items, {Stored} new articles{NotModified}", feed.Name, outcome.Items, outcome.NewArticles, fetched.IsNotModified ? " (not modified)" : "");
            return (new FeedPollResult(feed.Name, outcome.Items, outcome.NewArticles, null), IsRoutineNotModified(stored, state, fetched.IsNotModified, now) ? null : state);
        }
        catch (Exception e) when (e is FeedFetchException or FeedParseException)
        {
            var fetchError = e as FeedFetchException;
            var kind = fetchError?.Kind ?? FeedErrorKind.Parse;
            var failures = state.ConsecutiveFailures + 1;
            var nextPoll = now + Backoff(failures);
            if (fetchError?.RetryAfter > nextPoll)
            {
                // A server's Retry-After is honoured up to the configured maximum back-off only:
                // a date years ahead would otherwise park the feed for good.
                var latest = now + options.Value.Fetch.MaxBackoff;
                nextPoll = fetchError.RetryAfter.Value < latest ? fetchError.RetryAfter.Value : latest;
            }

            state = state with
            {
                LastAttempt = now,
                LastError = e.Message,
                LastErrorKind = kind,
                LastStatusCode = fetchError?.StatusCode,
                ConsecutiveFailures = failures,
                FailingSince = state.FailingSince ?? now,
                NextPoll = nextPoll,
                Disabled = kind == FeedErrorKind.Gone,
                DisabledReason = kind == FeedErrorKind.Gone ? $"{e.Message} (disabled {now:u}; change the feed's URL in the configuration to poll again)" : null,
            };
            logger.LogError("Feed {FeedName} failed ({Kind}): {Reason}; next attempt {NextPoll:u}", feed.Name, kind, e.Message, nextPoll);
            state = await health.AfterFailureAsync(state, now, cancellationToken);
            return (new FeedPollResult(feed.Name, 0, 0, $"{kind}: {e.Message}"), state);
        }
    }

    /// <summary>Doubles with every consecutive failure, capped, so a dead feed costs little.</summary>
    private TimeSpan Backoff(int failures)
    {
        var fetch = options.Value.Fetch;
        var factor = Math.Pow(2, Math.Min(failures - 1, 30));
        var ticks = Math.Min(fetch.InitialBackoff.Ticks * factor, fetch.MaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    private async Task<ItemsOutcome> StoreItemsAsync(FeedOptions feed, FetchResult fetched, CancellationToken cancellationToken)
    {
        FeedDocumentCheck.EnsureReadable(fetched.Body);
        var parsed = FeedParser.Parse(fetched.Body, new FeedParseContext { BaseUri = fetched.FinalUrl, ContentType = fetched.ContentType, ContentLanguage = fetched.ContentLanguage });
        var newArticles = 0;
        var withoutId = 0;
        var withoutDate = 0;
        var deferred = 0;
        var cap = options.Value.Fetch.MaxNewItemsPerPoll;
        var newestFirst = parsed.Items
            .Select((item, order) => (Item: item, Order: order))
            .OrderByDescending(i => i.Item.Published ?? i.Item.Updated ?? DateTimeOffset.MinValue)
            .ThenBy(i => i.Order)
            .Select(i => i.Item);
        foreach (var item in newestFirst)
        {
            if (newArticles >= cap)
            {
                deferred++;
                continue;
            }

            // The time of storing, not of the poll: the blob name's day comes from it, and the
            // local blob trigger lists only the days it has not scanned to the end.
            var article = ArticleFactory.FromItem(feed, parsed, item, clock.GetUtcNow());
            if (article is null)
            {
                withoutId++;
                continue;
            }

            if (item.Published is null && item.Updated is null)
            {
                withoutDate++;
            }

            if (feed.FullText && !await articles.IsKnownAsync(article.Id, cancellationToken))
            {
                article = await pages.WithFullTextAsync(article, cancellationToken) with { FetchedAt = clock.GetUtcNow() };
            }

            if (await articles.StoreAsync(article, cancellationToken) == ArticleStoreResult.Stored)
            {
                newArticles++;
            }
        }

        return new ItemsOutcome(parsed.Items.Count, newArticles, Warning(parsed, withoutId, withoutDate, deferred, cap), deferred);
    }

    private static string? Warning(ParsedFeed parsed, int withoutId, int withoutDate, int deferred, int cap)
    {
        var warning = new StringBuilder();
        if (deferred > 0)
        {
            warning.Append(deferred).Append(" older items wait for the next poll: at most ").Append(cap).Append(" new articles per poll (Watcher:Fetch:MaxNewItemsPerPoll); ");
        }

        if (parsed.Bozo)
        {
            warning.Append("document read leniently: ").Append(parsed.BozoReason ?? "not well-formed").Append("; ");
        }

        if (withoutId > 0)
        {
            warning.Append(withoutId).Append(" of ").Append(parsed.Items.Count).Append(" items had neither link nor guid and were skipped; ");
        }

        if (withoutDate > 0)
        {
            warning.Append(withoutDate).Append(" of ").Append(parsed.Items.Count).Append(" items had no date (the fetch time was used); ");
        }

        if (parsed.Items.Count == 0)
        {
            warning.Append("the feed has no items; ");
        }

        return warning.Length == 0 ? null : warning.ToString().TrimEnd(' ', ';');
    }

    private sealed record ItemsOutcome(int Items, int NewArticles, string? Warning, int Deferred = 0);

    /// <summary>
    /// States of a cycle's polled feeds, saved together at the end and every
    /// <see cref="StateFlushInterval"/> before it, so a crash on a long cycle loses at most that
    /// much: those feeds are then fetched again without their validators, and their articles,
    /// stored already, are recognised as known.
    /// </summary>
    private sealed class PendingStates(FeedStateStore store, TimeProvider clock) : IDisposable
    {
        private readonly Dictionary<string, FeedState> unsaved = new(StringComparer.Ordinal);
        private readonly SemaphoreSlim saving = new(1, 1);
        private DateTimeOffset lastSave = clock.GetUtcNow();

        public async Task AddAsync(FeedState state, bool saveNow, CancellationToken cancellationToken)
        {
            lock (unsaved)
            {
                unsaved[state.FeedName] = state;
            }

            if (saveNow)
            {
                await FlushAsync(cancellationToken);
            }
            else if (clock.GetUtcNow() - lastSave >= StateFlushInterval && await saving.WaitAsync(0, cancellationToken))
            {
                // Whoever finds a save due does it; the others go on polling meanwhile.
                await SaveHeldAsync(cancellationToken);
            }
        }

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            await saving.WaitAsync(cancellationToken);
            await SaveHeldAsync(cancellationToken);
        }

        private async Task SaveHeldAsync(CancellationToken cancellationToken)
        {
            try
            {
                List<FeedState> batch;
                lock (unsaved)
                {
                    batch = [.. unsaved.Values];
                    unsaved.Clear();
                }

                try
                {
                    await store.WriteAsync(batch, cancellationToken);
                }
                catch
                {
                    // Put them back unless a newer state of the same feed arrived meanwhile.
                    lock (unsaved)
                    {
                        foreach (var state in batch)
                        {
                            unsaved.TryAdd(state.FeedName, state);
                        }
                    }

                    throw;
                }

                lastSave = clock.GetUtcNow();
            }
            finally
            {
                saving.Release();
            }
        }

        public void Dispose() => saving.Dispose();
    }
}

public sealed record FeedPollResult(string FeedName, int Items, int NewArticles, string? Error)
{
    /// <summary>Why the feed was not polled this time (disabled, or not due yet); null when it was.</summary>
    public string? SkippedBecause { get; init; }

    public static FeedPollResult Skipped(string feedName, string reason) => new(feedName, 0, 0, null) { SkippedBecause = reason };
}
