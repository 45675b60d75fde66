using Microsoft.Extensions.Logging;
using Watcher.Configuration;
using Watcher.Mail;
using Watcher.Subscribers;

namespace Watcher.Digests;

/// <summary>
/// The <c>SendDigests</c> entry point (hourly timer): sends every digest whose local send time has
/// passed, and early the digests of subscribers whose <c>MaxItems</c> is reached. Instant
/// subscribers are always due, which also sends what a failed instant delivery left pending.
/// </summary>
public sealed class DigestService(
    SubscriberDirectory subscribers,
    DigestStore store,
    DigestSender sender,
    ILogger<DigestService> logger)
{
    public async Task<DigestRunResult> SendDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var withPending = await store.SubscribersWithPendingAsync(cancellationToken);
        var sent = 0;
        var failures = new List<string>();
        foreach (var subscriber in await subscribers.ActiveAsync(cancellationToken))
        {
            if (!withPending.Contains(SubscriberKey.For(subscriber.Email)))
            {
                continue;
            }

            try
            {
                var period = DigestPeriod.Current(subscriber, now);
                var items = subscriber.Schedule == DeliverySchedule.Instant
                    ? await sender.SendPendingAsync(subscriber, period: null, cancellationToken)
                    : period is null ? 0 : await sender.SendPendingAsync(subscriber, period, cancellationToken);
                if (items == 0 && subscriber.MaxItems is { } maxItems && subscriber.Schedule != DeliverySchedule.Instant &&
                    await sender.CountPendingAsync(subscriber, cancellationToken) >= maxItems)
                {
                    items = await sender.SendPendingAsync(subscriber, period: null, cancellationToken);
                }

                sent += items > 0 ? 1 : 0;
            }
            catch (MailServerUnavailableException e)
            {
                // Every other digest would wait for the same server; they all go out on a later run.
                logger.LogDebug("Digest for {Email} waits for the mail server: {Reason}", subscriber.Email, e.Message);
                failures.Add($"every due digest waits for the mail server: {e.Message}");
                break;
            }
            catch (DeliveryDeferredException e)
            {
                // Not a failure: the send rate or another instance makes it wait for a later run.
                logger.LogInformation("Digest for {Email} waits: {Reason}", subscriber.Email, e.Message);
            }
            catch (Exception e) when (e is MailDeliveryException or InvalidRecipientException)
            {
                // The items stay pending and go out on a later run; other subscribers go on.
                logger.LogError("Digest for {Email} not sent: {Reason}", subscriber.Email, e.Message);
                failures.Add($"{subscriber.Email}: {e.Message}");
            }
        }

        return new DigestRunResult(sent, failures);
    }
}

public sealed record DigestRunResult(int DigestsSent, IReadOnlyList<string> Failures);
