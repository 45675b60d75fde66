using Azure.Storage.Queues.Models;
using Watcher.Storage;

namespace Watcher.Delivery;

/// <summary>
/// The <c>summaries-poison</c> queue: messages that failed five times. Listing peeks without
/// taking them; replaying moves them back to <c>summaries</c> with the same (base64) body;
/// settling removes those whose articles reached everyone since (a later mail to the same
/// subscriber carries what was pending), so what is left is what still needs someone.
/// </summary>
public sealed class PoisonQueue(WatcherStorage storage, SummaryDeliveryService delivery)
{
    /// <summary>How long a message being replayed or settled stays hidden; a crash leaves it in poison.</summary>
    private static readonly TimeSpan ReplayLease = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Messages looked at per <see cref="SettleAsync"/>: a poison queue that has grown large is
    /// settled over several runs rather than holding one.
    /// </summary>
    private const int MaxSettledPerCall = 1_000;

    /// <summary>
    /// Deletes the poison messages that are settled (<see cref="SummaryDeliveryService.IsSettledAsync"/>)
    /// and makes the others visible again at once. Returns how many were deleted.
    /// </summary>
    public async Task<int> SettleAsync(CancellationToken cancellationToken)
    {
        await storage.SummariesPoison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var settled = 0;
        var kept = new List<(string Id, string PopReceipt)>();
        try
        {
            for (var seen = 0; seen < MaxSettledPerCall;)
            {
                QueueMessage[] batch = (await storage.SummariesPoison.ReceiveMessagesAsync(32, ReplayLease, cancellationToken)).Value;
                if (batch.Length == 0)
                {
                    break;
                }

                seen += batch.Length;
                foreach (var message in batch)
                {
                    if (await delivery.IsSettledAsync(message.Body.ToString(), cancellationToken))
                    {
                        await storage.SummariesPoison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                        settled++;
                    }
                    else
                    {
                        kept.Add((message.MessageId, message.PopReceipt));
                    }
                }
            }
        }
        finally
        {
            // Received but kept: visible again now, not after the lease, for list and replay.
            foreach (var (id, popReceipt) in kept)
            {
                await storage.SummariesPoison.UpdateMessageAsync(id, popReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None);
            }
        }

        return settled;
    }

    /// <summary>Approximate number of messages in poison, and up to 32 of them (the queue service peeks at most 32).</summary>
    public async Task<PoisonListing> ListAsync(CancellationToken cancellationToken)
    {
        await storage.SummariesPoison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var properties = await storage.SummariesPoison.GetPropertiesAsync(cancellationToken);
        PeekedMessage[] peeked = (await storage.SummariesPoison.PeekMessagesAsync(32, cancellationToken)).Value;
        return new PoisonListing(
            properties.Value.ApproximateMessagesCount,
            peeked.Select(m => new PoisonMessage(m.MessageId, m.InsertedOn, m.DequeueCount, m.Body.ToString())).ToList());
    }

    /// <summary>
    /// Moves up to <paramref name="max"/> messages back to <c>summaries</c>. Each is sent there
    /// before it is deleted from poison, so a crash in between duplicates a message (delivery is
    /// idempotent) and never loses one. Returns how many were moved.
    /// </summary>
    public async Task<int> ReplayAsync(int max, CancellationToken cancellationToken)
    {
        await storage.Summaries.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await storage.SummariesPoison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var moved = 0;
        while (moved < max)
        {
            QueueMessage[] batch = (await storage.SummariesPoison.ReceiveMessagesAsync(Math.Min(32, max - moved), ReplayLease, cancellationToken)).Value;
            if (batch.Length == 0)
            {
                break;
            }

            foreach (var message in batch)
            {
                await storage.Summaries.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
                await storage.SummariesPoison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                moved++;
            }
        }

        return moved;
    }
}

public sealed record PoisonListing(int ApproximateCount, IReadOnlyList<PoisonMessage> Messages);

public sealed record PoisonMessage(string Id, DateTimeOffset? InsertedOn, long DequeueCount, string Body);
