using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Watcher.Delivery;
using Watcher.Digests;
using Watcher.Hosting;

namespace Watcher.Functions;

/// <summary>
/// Timer trigger (UTC): sends every digest that is due. A digest that could not be sent stays
/// pending and goes out on a later run, so failures are logged, not thrown. Then it settles the
/// poison messages whose articles have reached everyone since.
/// </summary>
public sealed class SendDigestsFunction(DigestService digests, PoisonQueue poison, TimeProvider clock, ILogger<SendDigestsFunction> logger)
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

        var settled = await poison.SettleAsync(cancellationToken);
        if (settled > 0)
        {
            logger.LogInformation("Settled {Count} poison messages whose articles were delivered since", settled);
        }
    }
}
