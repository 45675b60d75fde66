using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Polly;
using Polly.CircuitBreaker;
using Watcher.Configuration;

namespace Watcher.Mail;

/// <summary>
/// A circuit breaker (Polly's) in front of the mail transport. When the server stops answering,
/// every mail after the first few waits without a connection attempt, the pause doubling from
/// <see cref="SmtpOptions.OutageRetryDelay"/> to <see cref="SmtpOptions.MaxOutageRetryDelay"/>;
/// one try then tells whether it is back. The outage is logged once when it starts and once when
/// it ends, however many mails wait, and every wait says when the next try is due
/// (<see cref="MailServerUnavailableException.RetryAfter"/>), so the queue holds the summaries
/// for that long instead of spending their tries.
/// </summary>
public sealed class MailServerCircuit : IMailTransport, IAsyncDisposable, IDisposable
{
    private readonly IMailTransport inner;
    private readonly ResiliencePipeline pipeline;
    private readonly SmtpOptions smtp;
    private readonly TimeProvider clock;
    private readonly ILogger<MailServerCircuit> logger;
    private readonly Lock outageLock = new();
    private DateTimeOffset? outageSince;
    private string lastFailure = "";

    public MailServerCircuit(IMailTransport inner, IOptions<WatcherOptions> options, TimeProvider clock, ILogger<MailServerCircuit> logger)
    {
        this.inner = inner;
        this.clock = clock;
        this.logger = logger;
        smtp = options.Value.Smtp;
        pipeline = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<MailServerUnavailableException>(),

                // Two failed tries in half a minute: one refused connection could be a restart.
                FailureRatio = 0.5,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDurationGenerator = args => ValueTask.FromResult(PauseAfter(args.HalfOpenAttempts)),
                OnOpened = args =>
                {
                    Opened(args.Outcome.Exception?.Message ?? "");
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    Closed();
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>Whether the server was failing at the last try, and since when.</summary>
    public DateTimeOffset? OutageSince
    {
        get
        {
            lock (outageLock)
            {
                return outageSince;
            }
        }
    }

    public async Task SendAsync(IReadOnlyList<MimeMessage> messages, CancellationToken cancellationToken)
    {
        try
        {
            await pipeline.ExecuteAsync(async ct => await inner.SendAsync(messages, ct), cancellationToken);
        }
        catch (MailServerUnavailableException e)
        {
            lock (outageLock)
            {
                lastFailure = e.Message;
            }

            throw new MailServerUnavailableException(e.Message, e.InnerException) { RetryAfter = smtp.OutageRetryDelay };
        }
        catch (BrokenCircuitException e)
        {
            var wait = e.RetryAfter ?? smtp.OutageRetryDelay;
            string failure;
            lock (outageLock)
            {
                failure = lastFailure;
            }

            throw new MailServerUnavailableException($"{failure} (next try in {wait.TotalSeconds:0} s)", e) { RetryAfter = wait };
        }
    }

    private TimeSpan PauseAfter(int failedTrials)
    {
        var pause = smtp.OutageRetryDelay * Math.Pow(2, Math.Min(failedTrials, 30));
        return pause < smtp.MaxOutageRetryDelay ? pause : smtp.MaxOutageRetryDelay;
    }

    private void Opened(string reason)
    {
        lock (outageLock)
        {
            lastFailure = reason;
            if (outageSince is not null)
            {
                return;
            }

            outageSince = clock.GetUtcNow();
        }

        logger.LogWarning(
            "{Reason}. Mail waits and the summaries stay on the queue; trying again after {First} s, then at most every {Max} s.",
            reason, smtp.OutageRetryDelay.TotalSeconds, smtp.MaxOutageRetryDelay.TotalSeconds);
    }

    private void Closed()
    {
        DateTimeOffset? since;
        lock (outageLock)
        {
            since = outageSince;
            outageSince = null;
        }

        if (since is { } start)
        {
            logger.LogInformation("SMTP server {Host}:{Port} answers again after {Seconds:0} s; waiting mail goes out.", smtp.Host, smtp.Port, (clock.GetUtcNow() - start).TotalSeconds);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (inner is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
