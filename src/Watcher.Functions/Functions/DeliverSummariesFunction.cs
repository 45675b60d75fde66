using Microsoft.Azure.Functions.Worker;
using Watcher.Delivery;
using Watcher.Hosting;
using Watcher.Storage;

namespace Watcher.Functions;

/// <summary>
/// Queue trigger: delivers one matched article to its subscribers. The host decodes the base64
/// message into the string. An exception leaves the message to the host, which retries it after
/// host.json's visibilityTimeout and moves it to <c>summaries-poison</c> after maxDequeueCount tries.
/// </summary>
public sealed class DeliverSummariesFunction(SummaryDeliveryService delivery)
{
    [Function(FunctionNames.DeliverSummaries)]
    public async Task RunAsync(
        [QueueTrigger(StorageNames.SummariesQueue, Connection = StorageNames.TriggerConnection)] string message,
        CancellationToken cancellationToken)
    {
        await delivery.DeliverAsync(message, cancellationToken);
    }
}
