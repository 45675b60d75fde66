using System.Globalization;
using Cronos;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Watcher.Configuration;

/// <summary>
/// Validates the whole section at start-up so a bad setting stops the host with a message that
/// names it (<c>Watcher:Feeds:2:Url</c>), instead of failing on first use.
/// </summary>
public sealed class WatcherOptionsValidator : IValidateOptions<WatcherOptions>
{
    public ValidateOptionsResult Validate(string? name, WatcherOptions options)
    {
        var errors = new List<string>();
        void Fail(string setting, string problem) => errors.Add($"{WatcherOptions.SectionName}:{setting}: {problem}");

        if (string.IsNullOrWhiteSpace(options.Storage.ConnectionString) && string.IsNullOrWhiteSpace(options.Storage.AccountName))
        {
            Fail("Storage:ConnectionString", "set a connection string or Watcher:Storage:AccountName.");
        }

        var feedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Feeds.Count; i++)
        {
            var feed = options.Feeds[i];
            if (string.IsNullOrWhiteSpace(feed.Name))
            {
                Fail($"Feeds:{i}:Name", "is required.");
            }
            else if (!feedNames.Add(feed.Name))
            {
                Fail($"Feeds:{i}:Name", $"'{feed.Name}' is used by another feed.");
            }

            if (!Uri.TryCreate(feed.Url, UriKind.Absolute, out var url))
            {
                Fail($"Feeds:{i}:Url", $"'{feed.Url}' is not an absolute URL.");
            }
            else if (url.Scheme is not ("http" or "https" or "file"))
            {
                Fail($"Feeds:{i}:Url", $"scheme '{url.Scheme}' is not supported; use http, https or file.");
            }
            else if (url.IsFile && !options.Fetch.AllowFileUrls)
            {
                Fail($"Feeds:{i}:Url", "file URLs are refused unless Watcher:Fetch:AllowFileUrls is true.");
            }
        }

        if (options.Topics.Count == 0)
        {
            Fail("Topics", "at least one topic is required.");
        }

        foreach (var (id, topic) in options.Topics)
        {
            if (!TopicIds.IsValid(id))
            {
                Fail($"Topics:{id}", "a topic id uses lower-case letters, digits and '-'.");
            }

            Watcher.Classification.TopicOptionsValidation.Validate($"Topics:{id}", topic, Fail);
        }

        var emails = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Subscribers.Count; i++)
        {
            var subscriber = options.Subscribers[i];
            if (!MailboxAddress.TryParse(subscriber.Email, out var address) || !address.Address.Contains('@', StringComparison.Ordinal))
            {
                Fail($"Subscribers:{i}:Email", $"'{subscriber.Email}' is not an e-mail address.");
            }
            else if (!emails.Add(address.Address))
            {
                Fail($"Subscribers:{i}:Email", $"'{subscriber.Email}' is listed twice.");
            }

            if (subscriber.Topics.Count == 0)
            {
                Fail($"Subscribers:{i}:Topics", "subscribe to at least one topic.");
            }

            foreach (var topic in subscriber.Topics.Where(t => !options.Topics.ContainsKey(t)))
            {
                Fail($"Subscribers:{i}:Topics", $"unknown topic '{topic}'; known: {string.Join(", ", options.Topics.Keys)}.");
            }

            if (!TimeZoneInfo.TryFindSystemTimeZoneById(subscriber.TimeZone, out _))
            {
                Fail($"Subscribers:{i}:TimeZone", $"'{subscriber.TimeZone}' is not an IANA time zone.");
            }

            if (!TimeOnly.TryParseExact(subscriber.SendAt, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                Fail($"Subscribers:{i}:SendAt", $"'{subscriber.SendAt}' is not a time of day as HH:mm.");
            }

            if (subscriber.MaxItems is <= 0)
            {
                Fail($"Subscribers:{i}:MaxItems", "must be positive.");
            }
        }

        if (options.Smtp.Transport == "smtp")
        {
            if (string.IsNullOrWhiteSpace(options.Smtp.Host))
            {
                Fail("Smtp:Host", "is required.");
            }

            if (options.Smtp.Port is < 1 or > 65535)
            {
                Fail("Smtp:Port", $"{options.Smtp.Port} is not a TCP port.");
            }

            if (!Enum.TryParse<MailKit.Security.SecureSocketOptions>(options.Smtp.Security, ignoreCase: true, out _))
            {
                Fail("Smtp:Security", $"'{options.Smtp.Security}' is not one of Auto, None, StartTls, SslOnConnect.");
            }
        }
        else if (options.Smtp.Transport == "pickup")
        {
            if (string.IsNullOrWhiteSpace(options.Smtp.PickupDirectory))
            {
                Fail("Smtp:PickupDirectory", "is required for the pickup transport.");
            }
        }
        else
        {
            Fail("Smtp:Transport", $"'{options.Smtp.Transport}' is not 'smtp' or 'pickup'.");
        }

        if (options.Smtp.OutageRetryDelay < TimeSpan.FromMilliseconds(500) || options.Smtp.MaxOutageRetryDelay < options.Smtp.OutageRetryDelay)
        {
            // The circuit breaker cannot wait less than half a second.
            Fail("Smtp:OutageRetryDelay", $"{options.Smtp.OutageRetryDelay} and Smtp:MaxOutageRetryDelay {options.Smtp.MaxOutageRetryDelay} must be at least 00:00:00.5, the maximum no less than the first.");
        }

        if (!MailboxAddress.TryParse(options.Smtp.From, out _))
        {
            Fail("Smtp:From", $"'{options.Smtp.From}' is not an e-mail address.");
        }

        ValidateRetention(options.Retention, options.Fetch, Fail);
        ValidateCron(options.Schedules.FetchFeeds, "Schedules:FetchFeeds", Fail);
        ValidateCron(options.Schedules.SendDigests, "Schedules:SendDigests", Fail);

        if (options.Classifier.Backend is not ("local" or "azure-language"))
        {
            Fail("Classifier:Backend", $"'{options.Classifier.Backend}' is not 'local' or 'azure-language'.");
        }
        else if (options.Classifier.Backend == "azure-language"
            && (!Uri.TryCreate(options.Classifier.Endpoint, UriKind.Absolute, out var languageEndpoint) || languageEndpoint.Scheme is not ("https" or "http")))
        {
            Fail("Classifier:Endpoint", $"'{options.Classifier.Endpoint}' is not the https URL of an Azure AI Language resource (required for the azure-language backend).");
        }

        if (options.Classifier.PollInterval <= TimeSpan.Zero || options.Classifier.JobTimeout <= options.Classifier.PollInterval)
        {
            Fail("Classifier:JobTimeout", "must be longer than Watcher:Classifier:PollInterval, which must be positive.");
        }

        if (!Uri.TryCreate(options.Delivery.PublicBaseUrl, UriKind.Absolute, out var publicBaseUrl) || publicBaseUrl.Scheme is not ("http" or "https"))
        {
            Fail("Delivery:PublicBaseUrl", $"'{options.Delivery.PublicBaseUrl}' is not an absolute http(s) URL.");
        }
        else if (!publicBaseUrl.IsLoopback)
        {
            // Outside a developer's machine the links go to real inboxes: they must be https and
            // signed with a secret only this deployment knows.
            if (publicBaseUrl.Scheme != "https")
            {
                Fail("Delivery:PublicBaseUrl", $"'{options.Delivery.PublicBaseUrl}' must use https (List-Unsubscribe one-click needs it).");
            }

            if (string.IsNullOrWhiteSpace(options.Delivery.TokenSecret) || options.Delivery.TokenSecret.Length < 32)
            {
                Fail("Delivery:TokenSecret", "a secret of at least 32 characters is required when Delivery:PublicBaseUrl is not loopback.");
            }
        }

        if (options.Delivery.UnsubscribeMailto is { } mailto && (!MailboxAddress.TryParse(mailto, out var mailtoAddress) || !mailtoAddress.Address.Contains('@', StringComparison.Ordinal)))
        {
            Fail("Delivery:UnsubscribeMailto", $"'{mailto}' is not an e-mail address.");
        }

        if (options.Delivery.MaxPerMinute is <= 0)
        {
            Fail("Delivery:MaxPerMinute", "must be positive (or absent for no limit).");
        }

        if (options.Delivery.MaxPerHour is <= 0)
        {
            Fail("Delivery:MaxPerHour", "must be positive (or absent for no limit).");
        }

        if (options.Fetch.MaxConcurrency < 1)
        {
            Fail("Fetch:MaxConcurrency", "must be at least 1.");
        }

        if (options.Fetch.MaxNewItemsPerPoll < 1)
        {
            Fail("Fetch:MaxNewItemsPerPoll", "must be at least 1.");
        }

        if (options.Fetch.MaxResponseBytes < 1024)
        {
            Fail("Fetch:MaxResponseBytes", "must be at least 1024.");
        }

        ValidateFetch(options.Fetch, Fail);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateFetch(FetchOptions fetch, Action<string, string> fail)
    {
        if (fetch.MaxConcurrencyPerHost < 1)
        {
            fail("Fetch:MaxConcurrencyPerHost", "must be at least 1.");
        }

        if (fetch.MinIntervalPerHost < TimeSpan.Zero)
        {
            fail("Fetch:MinIntervalPerHost", "must not be negative.");
        }

        if (fetch.Timeout <= TimeSpan.Zero)
        {
            fail("Fetch:Timeout", "must be positive.");
        }

        if (fetch.PollInterval < TimeSpan.Zero)
        {
            fail("Fetch:PollInterval", "must not be negative.");
        }

        if (fetch.InitialBackoff <= TimeSpan.Zero || fetch.MaxBackoff < fetch.InitialBackoff)
        {
            fail("Fetch:MaxBackoff", "InitialBackoff must be positive and MaxBackoff at least InitialBackoff.");
        }

        if (fetch.ReportFailingAfter <= TimeSpan.Zero)
        {
            fail("Fetch:ReportFailingAfter", "must be positive.");
        }

        if (!string.IsNullOrWhiteSpace(fetch.AdminEmail) && !MailboxAddress.TryParse(fetch.AdminEmail, out _))
        {
            fail("Fetch:AdminEmail", $"'{fetch.AdminEmail}' is not an e-mail address.");
        }

        if (!Uri.TryCreate(fetch.ContactUrl, UriKind.Absolute, out _))
        {
            fail("Fetch:ContactUrl", $"'{fetch.ContactUrl}' is not an absolute URL.");
        }

        for (var i = 0; i < fetch.AllowedPrivateHosts.Count; i++)
        {
            var entry = fetch.AllowedPrivateHosts[i];
            if (string.IsNullOrWhiteSpace(entry) || (entry.Contains('/', StringComparison.Ordinal) && !System.Net.IPNetwork.TryParse(entry, out _)))
            {
                fail($"Fetch:AllowedPrivateHosts:{i}", $"'{entry}' is neither a host name nor a CIDR range.");
            }
        }

        if (fetch.SimilarStoryWindow <= TimeSpan.Zero)
        {
            fail("Fetch:SimilarStoryWindow", "must be positive.");
        }
    }

    private static void ValidateRetention(RetentionOptions retention, FetchOptions fetch, Action<string, string> fail)
    {
        // An article claimed but never written is finished within ArticleStore.FinishWindow; one
        // deleted by retention must be older than that, or it would be written and mailed again.
        var minArticleDays = (int)Math.Ceiling(Articles.ArticleStore.FinishWindow.TotalDays) + 5;
        if (retention.ArticleDays < minArticleDays)
        {
            fail("Retention:ArticleDays", $"{retention.ArticleDays} is too short: at least {minArticleDays} days.");
        }

        if (retention.IndexDays < retention.ArticleDays)
        {
            fail("Retention:IndexDays", $"{retention.IndexDays} is shorter than Watcher:Retention:ArticleDays ({retention.ArticleDays}): a feed that lists an item after its index entry is gone would have it stored and mailed again.");
        }

        // A weekly digest looks back a week; the same-story log is read back over the window.
        var minMarkerDays = Math.Max(8, (int)Math.Ceiling(fetch.SimilarStoryWindow.TotalDays) + 1);
        if (retention.MarkerDays < minMarkerDays)
        {
            fail("Retention:MarkerDays", $"{retention.MarkerDays} is too short: at least {minMarkerDays} days (a week for the weekly digest, and Watcher:Fetch:SimilarStoryWindow).");
        }
    }

    private static void ValidateCron(string expression, string setting, Action<string, string> fail)
    {
        if (!CronExpression.TryParse(expression, CronFormat.IncludeSeconds, out _))
        {
            fail(setting, $"'{expression}' is not a six-field NCRONTAB expression (seconds minutes hours day month weekday).");
        }
    }
}
