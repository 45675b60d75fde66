using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Configuration;
using Watcher.Digests;
using Watcher.Storage;

namespace Watcher.Delivery;

/// <summary>
/// The <c>DeliverSummaries</c> entry point: gives one summary to every subscriber it is for.
/// Everyone gets an idempotent pending entry; instant subscribers are then mailed at once. Any
/// exception leaves the message on the queue to be retried, and after five tries in poison.
/// </summary>
public sealed class SummaryDeliveryService(
    WatcherStorage storage,
    ArticleStore articles,
    SubscriberDirectory subscribers,
    DigestStore digests,
    DigestSender sender,
    IOptions<WatcherOptions> options,
    TimeProvider clock,
    ILogger<SummaryDeliveryService> logger)
{
    /// <summary>
    /// Delivers one <c>summaries</c> message. Returns null when done, or the delay after which a
    /// copy of the message was put back on the queue because sending had to wait (send rate,
    /// another delivery in progress); the caller completes the message normally either way.
    /// </summary>
    public async Task<TimeSpan?> DeliverAsync(string messageText, CancellationToken cancellationToken)
    {
        SummaryMessage message;
        try
        {
            message = JsonSerializer.Deserialize<SummaryMessage>(messageText, JsonBlobs.SerializerOptions)
                ?? throw new InvalidSummaryMessageException("the message is JSON null.");
        }
        catch (JsonException e)
        {
            throw new InvalidSummaryMessageException($"not a summary message: {e.Message}");
        }

        var (classified, _) = await JsonBlobs.ReadAsync<ClassifiedArticle>(storage.Classified.GetBlobClient(message.ClassifiedBlob), cancellationToken);
        if (classified is null)
        {
            throw new InvalidSummaryMessageException($"classified/{message.ClassifiedBlob} does not exist.");
        }

        var article = await articles.ReadAsync(classified.ArticleBlob, cancellationToken)
            ?? throw new InvalidSummaryMessageException($"articles/{classified.ArticleBlob} does not exist.");
        var index = await articles.ReadIndexAsync(article.Id, cancellationToken);
        var sourceFeeds = index?.Sources.Select(s => s.FeedName).Distinct().ToList() ?? [article.Source.FeedName];

        var item = new DigestItem
        {
            ArticleId = article.Id,
            Title = article.Title,
            Url = article.Url,
            Source = sourceFeeds[0],

            // The article index knows every feed that carried this very article; the same story
            // published by another site is linked by content similarity when it was classified.
            AlsoReportedBy = sourceFeeds.Skip(1).ToList(),
            SameStoryAs = classified.SameStoryAs is { } firstOfStory ? [firstOfStory] : [],
            Published = article.Published,
            Language = classified.Language,
            Summary = classified.Summary,
            Topics = classified.Topics.Select(t => new DigestItemTopic(t.Id, TopicName(t.Id), t.Score, Why(t, article.Title))).ToList(),
            AddedAt = clock.GetUtcNow(),
        };

        // Every subscriber's entry is written before anyone is mailed, so a mail server that
        // fails for one subscriber cannot keep the item from the others.
        var sendNow = new List<SubscriberOptions>();
        foreach (var subscriber in await subscribers.ActiveAsync(cancellationToken))
        {
            var wanted = SubscriberDirectory.Wanted(subscriber, item, sourceFeeds);
            if (wanted.Count == 0)
            {
                continue;
            }

            var key = SubscriberKey.For(subscriber.Email);
            if (await digests.AddPendingAsync(key, item with { Topics = wanted }, cancellationToken))
            {
                logger.LogInformation("Article {ArticleId} queued for {Email}", article.Id, subscriber.Email);
            }

            if (subscriber.Schedule == DeliverySchedule.Instant ||
                (subscriber.MaxItems is { } maxItems && await sender.CountPendingAsync(subscriber, cancellationToken) >= maxItems))
            {
                sendNow.Add(subscriber);
            }
        }

        TimeSpan? deferredFor = null;
        var failures = new List<Exception>();
        foreach (var subscriber in sendNow)
        {
            try
            {
                await sender.SendPendingAsync(subscriber, period: null, cancellationToken);
            }
            catch (DeliveryDeferredException e)
            {
                // Every entry is pending already; the whole message comes back later and mails
                // what is still pending then, so the remaining sends wait as well.
                logger.LogInformation("Delivery of {ArticleId} deferred: {Reason}", article.Id, e.Message);
                deferredFor = e.RetryAfter;
                break;
            }
            catch (Exception e) when (e is MailDeliveryException or InvalidRecipientException)
            {
                failures.Add(e);
            }
        }

        // Failing the message makes the queue retry it; what was sent is not sent again.
        if (failures.Count > 0)
        {
            throw new MailDeliveryException(string.Join("; ", failures.Select(f => f.Message)), failures[0]);
        }

        if (deferredFor is { } delay)
        {
            // Over the send rate the message waits in the queue instead of failing: a new copy
            // becomes visible after the delay and this one completes (no dequeue is used up).
            await storage.Summaries.SendMessageAsync(messageText, visibilityTimeout: delay, cancellationToken: cancellationToken);
        }

        return deferredFor;
    }

    // The title is already the item's headline; the "why" is the first sentence of the article
    // that decided the topic.
    private static string? Why(TopicMatch topic, string title) =>
        topic.Evidence.FirstOrDefault(e => !string.Equals(e.Trim(), title.Trim(), StringComparison.Ordinal));

    private string TopicName(string id) =>
        options.Value.Topics.TryGetValue(id, out var topic) && topic.Name.Length > 0 ? topic.Name : id;
}

/// <summary>A queue message that can never be delivered, whatever the retries; it belongs in poison.</summary>
public sealed class InvalidSummaryMessageException(string message) : Exception(message);
