using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Watcher.Configuration;
using Watcher.Mail;

namespace Watcher.Feeds.Fetching;

/// <summary>
/// Tells the admin about a feed that keeps failing: once when it has failed for
/// <see cref="FetchOptions.ReportFailingAfter"/> (or at once when it is gone), once more when it
/// fails differently, and once when it recovers. What was reported is kept in the feed's state,
/// so a run never mails what an earlier run already did.
/// </summary>
public sealed class FeedHealthReporter(IOptions<WatcherOptions> options, IMailTransport mail, ILogger<FeedHealthReporter> logger)
{
    /// <summary>The state to store after a failure, with <see cref="FeedState.ReportedProblem"/> updated if a mail went out.</summary>
    public async Task<FeedState> AfterFailureAsync(FeedState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var fetch = options.Value.Fetch;
        var problem = ProblemOf(state);
        var due = state.Disabled || (state.FailingSince is { } since && now - since >= fetch.ReportFailingAfter);
        if (!due || problem == state.ReportedProblem || string.IsNullOrWhiteSpace(fetch.AdminEmail))
        {
            return state;
        }

        var failingFor = now - (state.FailingSince ?? now);
        var subject = state.Disabled
            ? $"Watcher: feed '{state.FeedName}' is gone and was disabled"
            : $"Watcher: feed '{state.FeedName}' has failed for {Describe(failingFor)}";
        var body = string.Join(
            Environment.NewLine,
            $"Feed: {state.FeedName}",
            $"URL: {state.FeedUrl}",
            $"Problem: {state.LastErrorKind}: {state.LastError}",
            $"Consecutive failures: {state.ConsecutiveFailures}",
            $"Failing since: {state.FailingSince:u}",
            $"Last success: {(state.LastSuccess is { } ok ? ok.ToString("u", CultureInfo.InvariantCulture) : "never")}",
            state.Disabled ? "The feed is no longer polled. Change its URL in the configuration (or remove it) to poll again." : $"Next attempt: {state.NextPoll:u}",
            "",
            "You get this mail once per problem; another comes when the feed recovers or fails differently.");
        return await SendAsync(subject, body, cancellationToken) ? state with { ReportedProblem = problem } : state;
    }

    /// <summary>The state to store after a success: a recovery mail if a problem had been reported.</summary>
    public async Task<FeedState> AfterSuccessAsync(FeedState state, CancellationToken cancellationToken)
    {
        if (state.ReportedProblem is null || string.IsNullOrWhiteSpace(options.Value.Fetch.AdminEmail))
        {
            return state with { ReportedProblem = null };
        }

        var body = string.Join(
            Environment.NewLine,
            $"Feed: {state.FeedName}",
            $"URL: {state.FeedUrl}",
            $"It was read successfully again at {state.LastSuccess:u}.",
            $"The problem reported earlier was: {state.ReportedProblem}");
        return await SendAsync($"Watcher: feed '{state.FeedName}' has recovered", body, cancellationToken) ? state with { ReportedProblem = null } : state;
    }

    /// <summary>What counts as "the same problem": its kind and HTTP status, not the wording of the message.</summary>
    private static string ProblemOf(FeedState state) =>
        state.Disabled ? $"{FeedErrorKind.Gone}" : $"{state.LastErrorKind} {state.LastStatusCode}".TrimEnd();

    private static string Describe(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{span.TotalHours:0} hours" : $"{Math.Max(1, span.TotalMinutes):0} minutes";

    private async Task<bool> SendAsync(string subject, string body, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = body } };
        message.From.Add(new MailboxAddress(smtp.FromName, smtp.From));
        message.To.Add(MailboxAddress.Parse(options.Value.Fetch.AdminEmail ?? throw new InvalidOperationException("Watcher:Fetch:AdminEmail is not set.")));
        try
        {
            await mail.SendAsync([message], cancellationToken);
            logger.LogInformation("Mailed the admin: {Subject}", subject);
            return true;
        }
        catch (MailDeliveryException e)
        {
            // Not recorded as reported, so the next run tries again.
            logger.LogError("Could not mail the admin about a feed: {Reason}", e.Message);
            return false;
        }
    }
}
