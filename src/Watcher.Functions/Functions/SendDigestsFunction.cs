using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Watcher.Digests;
using Watcher.Hosting;

namespace Watcher.Functions;

/// <summary>
/// Timer trigger (UTC): sends every digest that is due. A digest that could not be sent stays
/// pending and goes out on a later run, so failures are logged, not thrown.
/// </summary>
public sealed class SendDigestsFunction(DigestService digests, TimeProvider clock, ILogger<SendDigestsFunction> logger)
{
    [Function(FunctionNames.SendDigests)]
    public async Task RunAsync([TimerTrigger(FunctionNames.SendDigestsSchedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var result = await digests.SendDueAsync(clock.GetUtcNow(), cancellationToken);
        logger.LogInformation(
            "Sent {Digests} digests, {Failed} failed (timer past due: {PastDue})",
            result.DigestsSent,
            result.Failures.Count,
            timer.IsPastDue);
    }
}
