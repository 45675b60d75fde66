using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Articles;
using Watcher.Configuration;

namespace Watcher.Feeds;

/// <summary>
/// The <c>FetchFeeds</c> entry point: polls every enabled feed and stores its new articles. A
/// broken feed is recorded in its state and logged; it never stops the others.
/// </summary>
public sealed class FeedPoller(
    IOptions<WatcherOptions> options,
    FeedFetcher fetcher,
    FeedStateStore states,
    ArticleStore articles,
    TimeProvider clock,
    ILogger<FeedPoller> logger)
{
    public async Task<IReadOnlyList<FeedPollResult>> PollAllAsync(CancellationToken cancellationToken)
    {
        var feeds = options.Value.Feeds.Where(f => f.Enabled).ToList();
        var results = new FeedPollResult[feeds.Count];
        await Parallel.ForAsync(
            0,
            feeds.Count,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.Fetch.MaxConcurrency, CancellationToken = cancellationToken },
            async (i, ct) => results[i] = await PollAsync(feeds[i], ct));
        return results;
    }

    public async Task<FeedPollResult> PollAsync(FeedOptions feed, CancellationToken cancellationToken)
    {
        var (previous, _) = await states.ReadAsync(feed.Name, cancellationToken);
        var state = previous ?? new FeedState { FeedName = feed.Name, FeedUrl = feed.Url };
        var now = clock.GetUtcNow();
        try
        {
            var fetched = await fetcher.FetchAsync(new Uri(feed.Url), state.ETag, state.LastModified, cancellationToken);
            var stored = 0;
            var items = 0;
            if (!fetched.IsNotModified)
            {
                var parsed = FeedParser.Parse(fetched.Body, new FeedParseContext { BaseUri = fetched.FinalUrl, ContentType = fetched.ContentType });
                foreach (var item in parsed.Items)
                {
                    items++;
                    var article = ToArticle(feed, parsed, item, now);
                    if (article is null)
                    {
                        logger.LogWarning("Feed {FeedName}: item '{Title}' has neither link nor guid; skipped", feed.Name, item.Title);
                        continue;
                    }

                    if (await articles.StoreAsync(article, cancellationToken) == ArticleStoreResult.Stored)
                    {
                        stored++;
                    }
                }
            }

            await states.WriteAsync(
                state with
                {
                    FeedUrl = feed.Url,
                    ETag = fetched.IsNotModified ? state.ETag : fetched.ETag,
                    LastModified = fetched.IsNotModified ? state.LastModified : fetched.LastModified,
                    LastAttempt = now,
                    LastSuccess = now,
                    LastError = null,
                    ConsecutiveFailures = 0,
                    ItemsSeen = state.ItemsSeen + items,
                },
                cancellationToken);
            logger.LogInformation("Feed {FeedName}: {Items} items, {Stored} new articles{NotModified}", feed.Name, items, stored, fetched.IsNotModified ? " (not modified)" : "");
            return new FeedPollResult(feed.Name, items, stored, null);
        }
        catch (Exception e) when (e is FeedFetchException or FeedParseException)
        {
            logger.LogError("Feed {FeedName} failed: {Reason}", feed.Name, e.Message);
            await states.WriteAsync(
                state with { LastAttempt = now, LastError = e.Message, ConsecutiveFailures = state.ConsecutiveFailures + 1 },
                cancellationToken);
            return new FeedPollResult(feed.Name, 0, 0, e.Message);
        }
    }

    private static Article? ToArticle(FeedOptions feed, ParsedFeed parsed, ParsedItem item, DateTimeOffset now)
    {
        string id;
        string url;
        if (CanonicalUrl.TryCreate(item.Link, null, out var canonical))
        {
            id = ArticleId.FromCanonicalUrl(canonical);
            url = canonical.AbsoluteUri;
        }
        else if (!string.IsNullOrWhiteSpace(item.Id))
        {
            id = ArticleId.FromGuid(feed.Url, item.Id);
            url = item.Link ?? item.Id;
        }
        else
        {
            return null;
        }

        var text = FeedParser.HtmlToText(item.ContentHtml) ?? item.SummaryText ?? "";
        return new Article
        {
            Id = id,
            Url = url,
            Title = item.Title ?? "(untitled)",
            Text = text,
            Author = item.Author,
            Language = item.Language ?? parsed.Language ?? feed.Language,
            Published = item.Published ?? item.Updated,
            FetchedAt = now,
            Source = new ArticleSource { FeedName = feed.Name, FeedUrl = feed.Url, Link = item.Link, Guid = item.Id },
        };
    }
}

public sealed record FeedPollResult(string FeedName, int Items, int NewArticles, string? Error);
