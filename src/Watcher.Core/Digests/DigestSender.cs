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
    PreferenceTokens tokens,
    IOptions<WatcherOptions> options,
    TimeProvider clock,
    ILogger<DigestSender> logger)
{
    /// <summary>
    /// Sends the pending items of <paramref name="subscriber"/> as digest <paramref name="periodId"/>
    /// (null: an instant digest, named after its items). Returns the number of items sent.
    /// </summary>
    public async Task<int> SendPendingAsync(SubscriberOptions subscriber, string? periodId, CancellationToken cancellationToken)
    {
        var key = SubscriberKey.For(subscriber.Email);
        await using var subscriberLock = await store.TryLockAsync(key, cancellationToken)
            ?? throw new SubscriberBusyException($"Another delivery to {subscriber.Email} is in progress; retry later.");

        var pending = new List<DigestItem>();
        foreach (var item in await store.ListPendingAsync(key, cancellationToken))
        {
            if (await store.IsDeliveredAsync(key, item.ArticleId, cancellationToken))
            {
                await store.RemovePendingAsync(key, item.ArticleId, cancellationToken);
            }
            else
            {
                pending.Add(item);
            }
        }

        if (pending.Count == 0)
        {
            return 0;
        }

        pending.Sort((a, b) => (b.Published ?? b.AddedAt).CompareTo(a.Published ?? a.AddedAt));
        var articleIds = pending.Select(i => i.ArticleId).Order(StringComparer.Ordinal).ToList();
        var digestId = $"{key}-{periodId ?? "i" + ItemsHash(articleIds)}";

        var sent = await store.ReadSentAsync(key, digestId, cancellationToken);
        if (sent is null)
        {
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
        }

        await store.CompleteAsync(key, sent, cancellationToken);
        return sent.ArticleIds.Count;
    }

    private static string ItemsHash(IEnumerable<string> articleIds) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', articleIds))).AsSpan(0, 8));
}

/// <summary>Another instance holds the subscriber's delivery lock; the work is retried later.</summary>
public sealed class SubscriberBusyException(string message) : Exception(message);
