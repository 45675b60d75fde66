using Microsoft.Extensions.Logging;
using Watcher.Configuration;
using Watcher.Delivery;

namespace Watcher.Digests;

/// <summary>
/// The <c>SendDigests</c> entry point: sends every digest that is due. Instant subscribers are
/// always due, which also sends what a failed instant delivery left pending.
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
        foreach (var subscriber in subscribers.All)
        {
            if (!withPending.Contains(SubscriberKey.For(subscriber.Email)))
            {
                continue;
            }

            var period = DigestPeriod.CurrentPeriodId(subscriber, now);
            if (subscriber.Schedule != DeliverySchedule.Instant && period is null)
            {
                continue;
            }

            try
            {
                sent += await sender.SendPendingAsync(subscriber, period, cancellationToken) > 0 ? 1 : 0;
            }
            catch (Exception e) when (e is MailDeliveryException or SubscriberBusyException)
            {
                // The items stay pending and go out on the next run; other subscribers go on.
                logger.LogError("Digest for {Email} not sent: {Reason}", subscriber.Email, e.Message);
                failures.Add($"{subscriber.Email}: {e.Message}");
            }
        }

        return new DigestRunResult(sent, failures);
    }
}

public sealed record DigestRunResult(int DigestsSent, IReadOnlyList<string> Failures);
