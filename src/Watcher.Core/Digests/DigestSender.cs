using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Configuration;
using Watcher.Mail;
using Watcher.Subscribers;

namespace Watcher.Digests;

/// <summary>
/// Sends one subscriber's pending items as one mail. The order is what makes a digest never lost
/// and never sent twice: the sent marker is written only after the server accepted the mail; a
/// crash between the two at worst repeats the mail with the same Message-ID.
/// </summary>
public sealed class DigestSender(
    DigestStore store,
    DigestRenderer renderer,
    MailComposer composer,
    IMailTransport transport,
    SendRateLimiter rateLimiter,
    PreferenceTokens tokens,
    IOptions<WatcherOptions> options,
    TimeProvider clock,
    ILogger<DigestSender> logger)
{
    /// <summary>How long work waits when another instance is delivering to the same subscriber.</summary>
    public static readonly TimeSpan BusyRetryDelay = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The most stories one mail holds. A larger digest goes out as several mails ("part 2 of 3"),
    /// each with its own stable id: a 2,000-story mail is several megabytes, which relays and
    /// mailboxes time out on or refuse.
    /// </summary>
    public const int MaxStoriesPerMail = 200;

    /// <summary>
    /// Sends the items pending for <paramref name="subscriber"/>: the digest of
    /// <paramref name="period"/> (sent once; what arrives after it waits for the next period), or
    /// without a period (instant subscribers, a <c>MaxItems</c> early send) digests named after
    /// their items. Either goes out in parts of at most <see cref="MaxStoriesPerMail"/> stories.
    /// Returns the number of items this call sent: 0 when there was nothing to send or the
    /// digest had been sent before (then only its bookkeeping is completed).
    /// Throws <see cref="DeliveryDeferredException"/> when the send rate or another delivery
    /// makes it wait; nothing is lost then.
    /// </summary>
    public async Task<int> SendPendingAsync(SubscriberOptions subscriber, DuePeriod? period, CancellationToken cancellationToken)
    {
        var key = SubscriberKey.For(subscriber.Email);
        await using var subscriberLock = await store.TryLockAsync(key, cancellationToken)
            ?? throw new DeliveryDeferredException($"Another delivery to {subscriber.Email} is in progress.", BusyRetryDelay);

        var pending = await store.ReadPendingAsync(key, cancellationToken);
        if (pending.Items.Count == 0)
        {
            await store.RemoveSettledAsync(pending, cancellationToken);
            return 0;
        }

        var remaining = pending.Items;
        var itemsSent = 0;

        // A period's parts are numbered, and the first part's marker says how many there are, so
        // a retry after a crash finishes the same set and what arrived later waits for the next
        // period. Parts without a period are named after their items like any instant digest.
        int? periodParts = null;
        for (var part = 1; periodParts is null || part <= periodParts; part++)
        {
            var chunks = SplitIntoMails(remaining);
            var digestId = period is not null ? PeriodPartId(key, period, part)
                : chunks.Count > 0 ? $"{key}-i{DigestStore.IdsHash(chunks[0].Select(i => i.ArticleId))}"
                : null;
            if (digestId is null)
            {
                break;
            }

            var sent = await store.ReadSentAsync(key, digestId, cancellationToken);
            if (sent is not null)
            {
                logger.LogInformation("Digest {DigestId} was sent before; completing its bookkeeping", digestId);
            }
            else if (chunks.Count == 0)
            {
                break;
            }
            else
            {
                var partCount = period is null ? part - 1 + chunks.Count : periodParts ?? chunks.Count;
                sent = await SendAsync(subscriber, key, digestId, chunks[0], new DigestPart(part, partCount), period, cancellationToken);
                itemsSent += sent.ArticleIds.Count;
            }

            if (period is not null)
            {
                periodParts ??= sent.Parts;
            }

            await store.CompleteAsync(key, sent, pending, cancellationToken);
            var done = sent.ArticleIds.ToHashSet(StringComparer.Ordinal);
            remaining = remaining.Where(i => !done.Contains(i.ArticleId)).ToList();
        }

        return itemsSent;
    }

    /// <summary>Number of items waiting for a subscriber (for the <c>MaxItems</c> early send).</summary>
    public async Task<int> CountPendingAsync(SubscriberOptions subscriber, CancellationToken cancellationToken) =>
        (await store.ReadPendingAsync(SubscriberKey.For(subscriber.Email), cancellationToken)).Items.Count;

    /// <summary>The digest the subscriber's pending items would make now, without sending or changing anything.</summary>
    public async Task<DigestPreview> PreviewAsync(SubscriberOptions subscriber, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = SubscriberKey.For(subscriber.Email);
        var pending = (await store.ReadPendingAsync(key, cancellationToken)).Items;
        var period = DigestPeriod.Current(subscriber, now);
        var preferences = tokens.PreferencesUrl(subscriber.Email);
        return new DigestPreview(
            pending.Count,
            period,
            pending.Count == 0 ? null : renderer.Render(subscriber, pending, preferences, period: period));
    }

    private async Task<SentDigest> SendAsync(SubscriberOptions subscriber, string key, string digestId, List<DigestItem> items, DigestPart part, DuePeriod? period, CancellationToken cancellationToken)
    {
        if (await rateLimiter.TryReserveAsync(cancellationToken) is { } wait)
        {
            throw new DeliveryDeferredException($"The send rate limit is reached; the digest for {subscriber.Email} waits {wait.TotalSeconds:0} s.", wait);
        }

        var messageId = MailComposer.MessageIdFor(digestId, options.Value.Smtp.From);
        var preferences = tokens.PreferencesUrl(subscriber.Email);
        var message = composer.Compose(subscriber, messageId, renderer.Render(subscriber, items, preferences, part, period), preferences);
        await transport.SendAsync([message], cancellationToken);

        var sent = new SentDigest
        {
            DigestId = digestId,
            MessageId = messageId,
            ArticleIds = items.Select(i => i.ArticleId).Order(StringComparer.Ordinal).ToList(),
            SentAt = clock.GetUtcNow(),
            Parts = part.Of,
        };
        await store.MarkSentAsync(key, sent, cancellationToken);
        logger.LogInformation("Sent digest {DigestId} with {Count} items to {Email}", digestId, items.Count, subscriber.Email);
        return sent;
    }

    /// <summary>The items in mails of at most <see cref="MaxStoriesPerMail"/> stories; a story's articles stay together.</summary>
    private static List<List<DigestItem>> SplitIntoMails(IReadOnlyList<DigestItem> items)
    {
        var byId = items.ToDictionary(i => i.ArticleId, StringComparer.Ordinal);
        return DigestStory.Group(items)
            .Chunk(MaxStoriesPerMail)
            .Select(stories => stories.SelectMany(s => s.ArticleIds).Select(id => byId[id]).ToList())
            .ToList();
    }

    private static string PeriodPartId(string key, DuePeriod period, int part) =>
        part == 1 ? $"{key}-{period.Id}" : $"{key}-{period.Id}-{part}";
}

/// <summary>What <see cref="DigestSender.PreviewAsync"/> found: pending items, the current period, and the mail they make.</summary>
public sealed record DigestPreview(int PendingCount, DuePeriod? CurrentPeriod, RenderedDigest? Digest);

/// <summary>
/// Delivery must wait (the send rate is used up, or another instance holds the subscriber's
/// lock); the items stay pending and the work is tried again after <see cref="RetryAfter"/>.
/// </summary>
public sealed class DeliveryDeferredException(string message, TimeSpan retryAfter) : Exception(message)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
