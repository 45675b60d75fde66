using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Watcher.Feeds;
using Watcher.Hosting;

namespace Watcher.Functions;

/// <summary>Timer trigger: polls every enabled feed and stores its new articles.</summary>
public sealed class FetchFeedsFunction(FeedPoller feeds, ILogger<FetchFeedsFunction> logger)
{
    [Function(FunctionNames.FetchFeeds)]
    public async Task RunAsync([TimerTrigger(FunctionNames.FetchFeedsSchedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var results = await feeds.PollAllAsync(cancellationToken);
        logger.LogInformation(
            "Polled {Feeds} feeds: {NewArticles} new articles, {Failed} failed (timer past due: {PastDue})",
            results.Count,
            results.Sum(r => r.NewArticles),
            results.Count(r => r.Error is not null),
            timer.IsPastDue);
    }
}
