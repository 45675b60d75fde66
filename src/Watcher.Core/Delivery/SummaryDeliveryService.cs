using System.Runtime.ExceptionServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Configuration;
using Watcher.Digests;
using Watcher.Mail;
using Watcher.Storage;
using Watcher.Subscribers;

namespace Watcher.Delivery;

/// <summary>
/// The <c>DeliverSummaries</c> entry point: gives each summary to every subscriber it is for.
/// Everyone gets an idempotent pending entry; instant subscribers are then mailed at once. Any
/// failure of the message leaves it on the queue to be retried, and after five tries in poison;
/// a mail server that does not answer makes it wait on the queue without spending a try.
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
        var outcome = (await DeliverAsync([messageText], cancellationToken))[0];
        if (outcome.Error is not null)
        {
            ExceptionDispatchInfo.Throw(outcome.Error);
        }

        return outcome.DeferredFor;
    }

    /// <summary>
    /// Delivers several <c>summaries</c> messages received together: every item is made pending
    /// for everyone it is for, then each instant subscriber gets one mail with all of them rather
    /// than a mail per message. The outcome of each message says whether it is done, was put back
    /// on the queue for later (<see cref="DeliveryOutcome.DeferredFor"/>), or failed and must be
    /// retried (<see cref="DeliveryOutcome.Error"/>); one message's failure leaves the others done.
    /// </summary>
    public async Task<IReadOnlyList<DeliveryOutcome>> DeliverAsync(IReadOnlyList<string> messageTexts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageTexts);
        var batch = messageTexts.Select(text => new BatchMessage(text)).ToList();
        await Parallel.ForEachAsync(batch, Parallelism(cancellationToken), async (message, ct) =>
        {
            try
            {
                (message.Item, message.SourceFeeds) = await ReadItemAsync(message.Text, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                message.Errors.Add(e);
            }
        });

        // Every subscriber's entry is written before anyone is mailed, so a mail server that
        // fails for one subscriber cannot keep the item from the others.
        var readable = batch.Where(m => m.Item is not null).ToList();
        var recipients = (await subscribers.ActiveAsync(cancellationToken))
            .Select(subscriber => (Subscriber: subscriber, Messages: readable.Where(m => m.Item!.TopicsFor(subscriber, m.SourceFeeds).Count > 0).ToList()))
            .Where(r => r.Messages.Count > 0)
            .ToList();
        await Parallel.ForEachAsync(recipients, Parallelism(cancellationToken), async (recipient, ct) =>
        {
            var (subscriber, messages) = recipient;
            try
            {
                var items = messages.Select(m => m.Item! with { Topics = m.Item!.TopicsFor(subscriber, m.SourceFeeds) }).ToList();
                foreach (var item in await digests.AddPendingAsync(SubscriberKey.For(subscriber.Email), items, ct))
                {
                    logger.LogInformation("Article {ArticleId} queued for {Email}", item.ArticleId, subscriber.Email);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                foreach (var message in messages)
                {
                    lock (message.Errors)
                    {
                        message.Errors.Add(e);
                    }
                }
            }
        });

        TimeSpan? deferredFor = null;
        string? mailServerDown = null;
        foreach (var (subscriber, messages) in recipients)
        {
            if (deferredFor is { } wait)
            {
                // Every entry is pending already; the messages come back later and mail what is
                // still pending then, so the remaining sends wait as well.
                messages.ForEach(m => m.DeferredFor ??= wait);
                continue;
            }

            if (subscriber.Schedule != DeliverySchedule.Instant &&
                !(subscriber.MaxItems is { } maxItems && await sender.CountPendingAsync(subscriber, cancellationToken) >= maxItems))
            {
                continue;
            }

            try
            {
                await sender.SendPendingAsync(subscriber, period: null, cancellationToken);
            }
            catch (DeliveryDeferredException e)
            {
                logger.LogInformation("Delivery to {Email} deferred: {Reason}", subscriber.Email, e.Message);
                deferredFor = e.RetryAfter;
                messages.ForEach(m => m.DeferredFor ??= e.RetryAfter);
            }
            catch (MailServerUnavailableException e)
            {
                // Nothing is wrong with these messages: failing them would spend their tries and
                // poison them all during an outage. They wait for the server like over the send
                // rate; the circuit says once that it is down.
                logger.LogDebug("Delivery to {Email} waits for the mail server: {Reason}", subscriber.Email, e.Message);
                deferredFor = e.RetryAfter ?? options.Value.Smtp.OutageRetryDelay;
                mailServerDown = e.Message;
                messages.ForEach(m => m.DeferredFor ??= deferredFor);
            }
            catch (Exception e) when (e is MailDeliveryException or InvalidRecipientException)
            {
                messages.ForEach(m => m.Errors.Add(e));
            }
        }

        var outcomes = new List<DeliveryOutcome>(batch.Count);
        foreach (var message in batch)
        {
            if (message.Errors.Count > 0)
            {
                // Failing the message makes the queue retry it; what was sent is not sent again.
                outcomes.Add(new DeliveryOutcome(null, message.Errors.Count == 1 || message.Errors.Any(e => e is not MailDeliveryException and not InvalidRecipientException)
                    ? message.Errors[0]
                    : new MailDeliveryException(string.Join("; ", message.Errors.Select(f => f.Message)), message.Errors[0])));
            }
            else if (message.DeferredFor is { } delay)
            {
                // Over the send rate the message waits in the queue instead of failing: a new copy
                // becomes visible after the delay and this one completes (no dequeue is used up).
                await storage.Summaries.SendMessageAsync(message.Text, visibilityTimeout: delay, cancellationToken: cancellationToken);
                outcomes.Add(new DeliveryOutcome(delay, null) { MailServerDown = mailServerDown });
            }
            else
            {
                outcomes.Add(new DeliveryOutcome(null, null));
            }
        }

        return outcomes;
    }

    /// <summary>
    /// Whether delivering the message again would do nothing: every active subscriber it is for
    /// got it in a mail, or has it pending for a scheduled digest. A message that cannot be read,
    /// or that carries no story and whose article is gone, is never settled: it stays in poison
    /// for someone to look at.
    /// </summary>
    public async Task<bool> IsSettledAsync(string messageText, CancellationToken cancellationToken)
    {
        DigestItem item;
        List<string> sourceFeeds;
        try
        {
            (item, sourceFeeds) = await ReadItemAsync(messageText, cancellationToken);
        }
        catch (InvalidSummaryMessageException)
        {
            return false;
        }

        foreach (var subscriber in await subscribers.ActiveAsync(cancellationToken))
        {
            if (item.TopicsFor(subscriber, sourceFeeds).Count == 0)
            {
                continue;
            }

            var key = SubscriberKey.For(subscriber.Email);
            if (await digests.IsDeliveredAsync(key, item.ArticleId, cancellationToken))
            {
                continue;
            }

            // Instant mail goes out only when a message comes, so only a digest sends it unaided.
            if (subscriber.Schedule == DeliverySchedule.Instant ||
                !(await digests.ReadPendingAsync(key, cancellationToken)).Items.Any(i => i.ArticleId == item.ArticleId))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The most names a why line lists: enough to say who is concerned, short enough to read at a glance.</summary>
    private const int MaxNamed = 4;

    private static ParallelOptions Parallelism(CancellationToken cancellationToken) =>
        new() { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };

    private async Task<(DigestItem Item, List<string> SourceFeeds)> ReadItemAsync(string messageText, CancellationToken cancellationToken)
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

        var story = message.Story ?? await ReadStoryAsync(message, cancellationToken);
        var index = await articles.ReadIndexAsync(message.ArticleId, cancellationToken);
        var sourceFeeds = index?.Sources.Select(s => s.FeedName).Distinct().ToList() ?? [story.FeedName];

        var item = new DigestItem
        {
            ArticleId = message.ArticleId,
            Title = story.Title,
            Url = story.Url,
            Source = sourceFeeds[0],

            // The article index knows every feed that carried this very article; the same story
            // published by another site is linked by content similarity when it was classified.
            AlsoReportedBy = sourceFeeds.Skip(1).ToList(),
            SameStoryAs = story.SameStoryAs is { } firstOfStory ? [firstOfStory] : [],
            Published = story.Published,
            FeedOrder = options.Value.Feeds.FindIndex(f => f.Name == sourceFeeds[0]) is >= 0 and var order ? order : int.MaxValue,
            Language = story.Language,
            Summary = story.Summary,
            Topics = story.Topics.Select(t => new DigestItemTopic(t.Id, TopicName(t.Id), t.Score, Why(t, story.Title, story.Summary))).ToList(),
            Named = story.Entities.Select(e => e.Text).Distinct(StringComparer.OrdinalIgnoreCase).Take(MaxNamed).ToList(),
            AddedAt = clock.GetUtcNow(),
        };
        return (item, sourceFeeds);
    }

    /// <summary>The story of a message that does not carry it: from the verdict and the article blobs.</summary>
    private async Task<SummaryStory> ReadStoryAsync(SummaryMessage message, CancellationToken cancellationToken)
    {
        var classified = (await JsonBlobs.ReadAsync<ClassifiedArticle>(storage.Classified.GetBlobClient(message.ClassifiedBlob), cancellationToken)).Document
            ?? throw new InvalidSummaryMessageException($"classified/{message.ClassifiedBlob} does not exist.");
        var article = await articles.ReadAsync(classified.ArticleBlob, cancellationToken)
            ?? throw new InvalidSummaryMessageException($"articles/{classified.ArticleBlob} does not exist.");
        return SummaryStory.From(article, classified);
    }

    private sealed class BatchMessage(string text)
    {
        public string Text { get; } = text;

        public DigestItem? Item { get; set; }

        public List<string> SourceFeeds { get; set; } = [];

        public List<Exception> Errors { get; } = [];

        public TimeSpan? DeferredFor { get; set; }
    }

    // The title is already the item's headline and the summary is shown beside it; the "why" is
    // the first sentence that decided the topic and is in neither.
    private static string? Why(TopicMatch topic, string title, string? summary) =>
        topic.Evidence.FirstOrDefault(e => !string.Equals(e.Trim(), title.Trim(), StringComparison.Ordinal)
            && !(summary ?? "").Contains(e.Trim(), StringComparison.OrdinalIgnoreCase));

    private string TopicName(string id) =>
        options.Value.Topics.TryGetValue(id, out var topic) && topic.Name.Length > 0 ? topic.Name : id;
}

/// <summary>What became of one message: done, put back on the queue for later, or failed (to be retried).</summary>
public sealed record DeliveryOutcome(TimeSpan? DeferredFor, Exception? Error)
{
    /// <summary>Why the message waits, when it waits for a mail server that does not answer.</summary>
    public string? MailServerDown { get; init; }
}

/// <summary>A queue message that can never be delivered, whatever the retries; it belongs in poison.</summary>
public sealed class InvalidSummaryMessageException(string message) : Exception(message);
