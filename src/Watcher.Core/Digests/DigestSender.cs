using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Configuration;
using Watcher.Delivery;

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
    /// Sends the items pending for <paramref name="subscriber"/> as one digest: the digest of
    /// <paramref name="period"/> (sent once; what arrives after it waits for the next period), or
    /// without a period (instant subscribers, a <c>MaxItems</c> early send) a digest named after
    /// its items. Returns the number of items this call sent: 0 when there was nothing to send or the
    /// digest had been sent before (then only its bookkeeping is completed).
    /// Throws <see cref="DeliveryDeferredException"/> when the send rate or another delivery
    /// makes it wait; nothing is lost then.
    /// </summary>
    public async Task<int> SendPendingAsync(SubscriberOptions subscriber, DuePeriod? period, CancellationToken cancellationToken)
    {
        var key = SubscriberKey.For(subscriber.Email);
        await using var subscriberLock = await store.TryLockAsync(key, cancellationToken)
            ?? throw new DeliveryDeferredException($"Another delivery to {subscriber.Email} is in progress.", BusyRetryDelay);

        var pending = await UndeliveredAsync(key, removeDelivered: true, cancellationToken);

        if (pending.Count == 0)
        {
            return 0;
        }

        var articleIds = pending.Select(i => i.ArticleId).Order(StringComparer.Ordinal).ToList();
        var digestId = $"{key}-{period?.Id ?? "i" + ItemsHash(articleIds)}";
        var sent = await store.ReadSentAsync(key, digestId, cancellationToken);
        if (sent is null)
        {
            if (await rateLimiter.TryReserveAsync(cancellationToken) is { } wait)
            {
                throw new DeliveryDeferredException($"The send rate limit is reached; the digest for {subscriber.Email} waits {wait.TotalSeconds:0} s.", wait);
            }

            var messageId = MailComposer.MessageIdFor(digestId, options.Value.Smtp.From);
            var preferences = tokens.PreferencesUrl(subscriber.Email);
            var message = composer.Compose(subscriber, messageId, renderer.Render(subscriber, pending, preferences), preferences);
            await transport.SendAsync([message], cancellationToken);

            sent = new SentDigest { DigestId = digestId, MessageId = messageId, ArticleIds = articleIds, SentAt = clock.GetUtcNow() };
            await store.MarkSentAsync(key, sent, cancellationToken);
            logger.LogInformation("Sent digest {DigestId} with {Count} items to {Email}", digestId, pending.Count, subscriber.Email);
        }
        else
        {
            logger.LogInformation("Digest {DigestId} was sent before; completing its bookkeeping", digestId);
            await store.CompleteAsync(key, sent, cancellationToken);
            return 0;
        }

        await store.CompleteAsync(key, sent, cancellationToken);
        return sent.ArticleIds.Count;
    }

    /// <summary>Number of items waiting for a subscriber (for the <c>MaxItems</c> early send).</summary>
    public async Task<int> CountPendingAsync(SubscriberOptions subscriber, CancellationToken cancellationToken) =>
        (await store.ListPendingAsync(SubscriberKey.For(subscriber.Email), cancellationToken)).Count;

    /// <summary>The digest the subscriber's pending items would make now, without sending or changing anything.</summary>
    public async Task<DigestPreview> PreviewAsync(SubscriberOptions subscriber, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = SubscriberKey.For(subscriber.Email);
        var pending = await UndeliveredAsync(key, removeDelivered: false, cancellationToken);
        var period = DigestPeriod.Current(subscriber, now);
        var preferences = tokens.PreferencesUrl(subscriber.Email);
        return new DigestPreview(
            pending.Count,
            period,
            pending.Count == 0 ? null : renderer.Render(subscriber, pending, preferences));
    }

    private async Task<List<DigestItem>> UndeliveredAsync(string key, bool removeDelivered, CancellationToken cancellationToken)
    {
        var pending = await store.ListPendingAsync(key, cancellationToken);

        // Delivered yet still pending: left by a crash during DigestStore.CompleteAsync.
        var delivered = await store.DeliveredAmongAsync(key, pending.Select(i => i.ArticleId).ToList(), cancellationToken);
        if (removeDelivered)
        {
            foreach (var articleId in delivered)
            {
                await store.RemovePendingAsync(key, articleId, cancellationToken);
            }
        }

        return pending.Where(i => !delivered.Contains(i.ArticleId)).ToList();
    }

    private static string ItemsHash(IEnumerable<string> articleIds) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', articleIds))).AsSpan(0, 8));
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
