using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using Watcher.Delivery;
using Watcher.Storage;

namespace Watcher.Local.Hosting;

/// <summary>
/// The <c>DeliverSummaries</c> queue trigger (<c>src/Watcher.Functions/Functions/DeliverSummariesFunction.cs</c>):
/// handles every visible message. A failure makes the message visible again after
/// <see cref="QueueRetryDelay"/>; the fifth failure moves it to poison. Messages received
/// together are delivered together, so an instant subscriber gets one mail for what arrived at
/// once (the Functions host runs them concurrently, and the subscriber lock has the same effect
/// there: whoever holds it sends every item pending by then).
/// </summary>
internal sealed class LocalQueueTrigger(WatcherStorage storage, SummaryDeliveryService delivery, ILogger<LocalQueueTrigger> logger)
{
    /// <summary>The most the queue service hands out per receive.</summary>
    private const int MaxMessagesPerReceive = 32;

    /// <summary>
    /// How long a received summary message stays invisible: while it is handled, and after a
    /// failure until its retry (host.json <c>visibilityTimeout</c> in Azure).
    /// </summary>
    public TimeSpan QueueRetryDelay { get; set; } = WatcherStorage.QueueRetryDelay;

    /// <summary>Handles every visible message; returns the failures.</summary>
    public async Task<IReadOnlyList<string>> DrainSummariesAsync(CancellationToken cancellationToken) =>
        (await DeliverVisibleSummariesAsync(cancellationToken)).Failures;

    /// <summary>
    /// One drain of the queue trigger: how many messages it received, what failed, and by message
    /// body why it waits for the mail server (null: it was delivered, no longer waits).
    /// </summary>
    public async Task<(int Received, IReadOnlyList<string> Failures, IReadOnlyDictionary<string, string?> MailWaits)> DeliverVisibleSummariesAsync(CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var waiting = new Dictionary<string, string?>(StringComparer.Ordinal);
        var received = 0;
        while (true)
        {
            // The queue service leases a received message for at least a second; a failure then
            // sets the retry delay itself, which may be zero as in the Functions host.
            var lease = QueueRetryDelay < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : QueueRetryDelay;
            // A receive cancelled after the service handed the messages out would leave them
            // leased with no pop receipt to hand them back: it is let finish, and a stop
            // requested meanwhile releases what it received.
            QueueMessage[] batch = (await storage.Summaries.ReceiveMessagesAsync(MaxMessagesPerReceive, lease, CancellationToken.None)).Value;
            if (batch.Length == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return (received, failures, waiting);
            }

            received += batch.Length;
            IReadOnlyList<DeliveryOutcome> outcomes;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                outcomes = await delivery.DeliverAsync(batch.Select(m => m.Body.ToString()).ToList(), cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await ReleaseAsync(batch);
                throw;
            }

            foreach (var (message, outcome) in batch.Zip(outcomes))
            {
                if (outcome.Error is not { } error)
                {
                    waiting[message.Body.ToString()] = outcome.MailServerDown;

                    await storage.Summaries.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                    continue;
                }

                logger.LogError("DeliverSummaries message {MessageId} failed (dequeue {Count}/{Max}): {Message}", message.MessageId, message.DequeueCount, WatcherStorage.MaxDequeueCount, error.Message);
                failures.Add($"deliver {message.MessageId}: {error.Message}");
                if (message.DequeueCount >= WatcherStorage.MaxDequeueCount)
                {
                    await storage.SummariesPoison.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
                    await storage.Summaries.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                    logger.LogError("Message {MessageId} moved to {Queue}", message.MessageId, StorageNames.SummariesPoisonQueue);
                }
                else
                {
                    await storage.Summaries.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: QueueRetryDelay, cancellationToken: cancellationToken);
                }
            }
        }
    }

    /// <summary>
    /// Makes the messages of an abandoned delivery visible again at once: stopped with Ctrl+C,
    /// they would otherwise stay leased for <see cref="QueueRetryDelay"/>, and a run started
    /// right after would find the queue empty and finish without them. Delivery is idempotent,
    /// so whatever part of them went out is not sent twice.
    /// </summary>
    private async Task ReleaseAsync(QueueMessage[] batch)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await Task.WhenAll(batch.Select(m => storage.Summaries.UpdateMessageAsync(m.MessageId, m.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: deadline.Token)));
        }
        catch (Exception e) when (e is Azure.RequestFailedException or OperationCanceledException)
        {
            logger.LogWarning("{Count} summary messages stay leased for up to {Delay} s after the interruption: {Message}", batch.Length, QueueRetryDelay.TotalSeconds, e.Message);
        }
    }
}
