using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Configuration;

namespace Watcher.Subscribers;

/// <summary>
/// The preferences and unsubscribe endpoint (<c>/api/preferences?token=...</c>), whole, for both
/// hosts: the Functions HTTP trigger and <c>watcher run</c>'s local server only pass the method,
/// the token and the form in, and write the status and HTML out.
/// </summary>
/// <remarks>
/// GET shows a small server-rendered form (no scripts, no external assets). POST with the body
/// <c>List-Unsubscribe=One-Click</c> (RFC 8058) unsubscribes without a page; POST from the form
/// saves topics and schedule, or unsubscribes, or subscribes again. The signed token is the only
/// credential: a tampered or expired one gets 403 with a page saying why.
/// </remarks>
public sealed class PreferencesEndpoint(
    PreferenceTokens tokens,
    SubscriberDirectory subscribers,
    IOptions<WatcherOptions> options,
    TimeProvider clock,
    ILogger<PreferencesEndpoint> logger)
{
    public const string Route = "preferences";

    /// <summary>The largest form body a host reads: the real form is well under 2 KB.</summary>
    public const int MaxFormBytes = 16 * 1024;

    /// <summary>The most fields a form may have: the real form has one per topic plus six.</summary>
    public const int MaxFormFields = 100;

    /// <summary>
    /// Reads a URL-encoded form body for <see cref="HandleAsync"/> within <see cref="MaxFormBytes"/>
    /// and <see cref="MaxFormFields"/>; over either, the refusal page (413 or 400) to answer instead.
    /// Both hosts read through here, so a 5 MB field is refused the same way by each.
    /// </summary>
    public static async Task<(IReadOnlyList<KeyValuePair<string, string>> Form, PreferencesResponse? Refusal)> ReadFormAsync(Stream body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var buffer = new byte[MaxFormBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        if (length > MaxFormBytes)
        {
            return ([], Page(413, "Form too large", $"<p>The form sent is larger than {MaxFormBytes / 1024} KB. Nothing was changed; open the link from your mail again.</p>"));
        }

        var text = System.Text.Encoding.UTF8.GetString(buffer, 0, length);
        if (text.Count(c => c == '&') + 1 > MaxFormFields)
        {
            return ([], Page(400, "Too many form fields", $"<p>The form sent has more than {MaxFormFields} fields. Nothing was changed; open the link from your mail again.</p>"));
        }

        var fields = System.Web.HttpUtility.ParseQueryString(text);
        var form = new List<KeyValuePair<string, string>>();
        foreach (var key in fields.AllKeys.OfType<string>())
        {
            form.AddRange((fields.GetValues(key) ?? []).Select(value => new KeyValuePair<string, string>(key, value)));
        }

        return (form, null);
    }

    public async Task<PreferencesResponse> HandleAsync(string method, string? token, IReadOnlyList<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        var isPost = string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase);
        if (!isPost && !string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            return Page(405, "Method not allowed", "<p>Open the link from your mail.</p>");
        }

        var check = tokens.Validate(token);
        if (check.Email is null)
        {
            return Page(403, "This link cannot be used", $"<p>{Encode(check.Refusal ?? "The link is not valid.")}</p><p>Nothing was changed. Every Watcher mail has a fresh link at the bottom.</p>");
        }

        var subscription = await subscribers.FindAsync(check.Email, cancellationToken);
        if (subscription is null)
        {
            return Page(404, "Not a subscriber", "<p>This address is not subscribed to Watcher (any more). Nothing was changed.</p>");
        }

        if (!isPost)
        {
            return Form(200, token!, subscription, notice: null, errors: []);
        }

        if (Value(form, "List-Unsubscribe") == "One-Click" || Value(form, "action") == "unsubscribe")
        {
            await SaveAsync(subscription.Subscriber, unsubscribed: true, cancellationToken);
            logger.LogInformation("{Email} unsubscribed", subscription.Subscriber.Email);
            return Page(200, "You are unsubscribed", $"<p>{Encode(subscription.Subscriber.Email)} will get no more mail from Watcher.</p>" +
                $"<form method=\"post\" action=\"?token={Encode(token!)}\"><button name=\"action\" value=\"resubscribe\" style=\"{ButtonStyle}\">Subscribe again</button></form>");
        }

        if (Value(form, "action") == "resubscribe")
        {
            await SaveAsync(subscription.Subscriber, unsubscribed: false, cancellationToken);
            return Form(200, token!, subscription with { Unsubscribed = false }, "You are subscribed again.", []);
        }

        if (Value(form, "action") != "save")
        {
            return Form(400, token!, subscription, null, ["The form was not understood; nothing was changed."]);
        }

        var (changed, errors) = Parse(subscription.Subscriber, form);
        if (errors.Count > 0)
        {
            return Form(400, token!, subscription, null, errors);
        }

        await SaveAsync(changed, subscription.Unsubscribed, cancellationToken);
        logger.LogInformation("{Email} changed their preferences", changed.Email);
        return Form(200, token!, subscription with { Subscriber = changed }, "Your preferences are saved. The next mail follows them.", []);
    }

    private (SubscriberOptions Changed, List<string> Errors) Parse(SubscriberOptions current, IReadOnlyList<KeyValuePair<string, string>> form)
    {
        var errors = new List<string>();
        var known = options.Value.Topics;
        var topics = form.Where(f => f.Key == "topic").Select(f => f.Value).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (topics.Count == 0)
        {
            errors.Add("Choose at least one topic (or unsubscribe).");
        }

        errors.AddRange(topics.Where(t => !known.ContainsKey(t)).Select(t => $"'{t}' is not a topic."));

        if (!Enum.TryParse<DeliverySchedule>(Value(form, "schedule"), ignoreCase: true, out var schedule) || !Enum.IsDefined(schedule))
        {
            errors.Add("Choose instant, daily or weekly.");
        }

        var sendAt = Value(form, "sendAt") ?? current.SendAt;
        if (!TimeOnly.TryParseExact(sendAt, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            errors.Add($"'{sendAt}' is not a time of day (HH:mm).");
        }

        var weekdayText = Value(form, "weekday") ?? current.Weekday.ToString();
        if (!Enum.TryParse<DayOfWeek>(weekdayText, ignoreCase: true, out var weekday) || !Enum.IsDefined(weekday))
        {
            errors.Add($"'{weekdayText}' is not a weekday.");
        }

        var timeZone = Value(form, "timeZone")?.Trim() ?? current.TimeZone;
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            errors.Add($"'{timeZone}' is not a time zone (use an IANA name such as Europe/Brussels).");
        }

        var changed = new SubscriberOptions
        {
            Email = current.Email,
            Name = current.Name,
            Topics = topics.Select(t => known.Keys.FirstOrDefault(k => string.Equals(k, t, StringComparison.OrdinalIgnoreCase)) ?? t).ToList(),
            Schedule = schedule,
            SendAt = sendAt,
            Weekday = weekday,
            TimeZone = timeZone,
            Languages = current.Languages,
            Keywords = current.Keywords,
            Feeds = current.Feeds,
            MaxItems = current.MaxItems,
        };
        return (changed, errors);
    }

    private async Task SaveAsync(SubscriberOptions subscriber, bool unsubscribed, CancellationToken cancellationToken) =>
        await subscribers.SaveAsync(
            new SubscriberPreferences
            {
                Email = subscriber.Email,
                Unsubscribed = unsubscribed,
                Topics = subscriber.Topics,
                Schedule = subscriber.Schedule,
                SendAt = subscriber.SendAt,
                Weekday = subscriber.Weekday,
                TimeZone = subscriber.TimeZone,
                UpdatedAt = clock.GetUtcNow(),
            },
            cancellationToken);

    private PreferencesResponse Form(int status, string token, Subscription subscription, string? notice, List<string> errors)
    {
        var subscriber = subscription.Subscriber;
        var body = new StringBuilder();
        if (notice is not null)
        {
            body.Append("<p role=\"status\" style=\"background:#e6f4ea;color:#137333;padding:8px 12px;border-radius:6px;\">").Append(Encode(notice)).Append("</p>");
        }

        if (errors.Count > 0)
        {
            body.Append("<div role=\"alert\" style=\"background:#fce8e6;color:#a50e0e;padding:8px 12px;border-radius:6px;\"><p style=\"margin:0;\">Nothing was saved:</p><ul>");
            foreach (var error in errors)
            {
                body.Append("<li>").Append(Encode(error)).Append("</li>");
            }

            body.Append("</ul></div>");
        }

        if (subscription.Unsubscribed)
        {
            body.Append("<p>You are unsubscribed. Save below to subscribe again with these settings.</p>");
        }

        body.Append(CultureInfo.InvariantCulture, $"<p>Settings for <b>{Encode(subscriber.Email)}</b>.</p>")
            .Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"?token={Encode(token)}\">")
            .Append("<fieldset style=\"border:1px solid #dadce0;border-radius:6px;margin:0 0 12px;\"><legend>Topics</legend>");
        foreach (var (id, topic) in options.Value.Topics)
        {
            var isChecked = subscriber.Topics.Contains(id, StringComparer.OrdinalIgnoreCase) ? " checked" : "";
            body.Append(CultureInfo.InvariantCulture, $"<label style=\"display:block;margin:4px 0;\"><input type=\"checkbox\" name=\"topic\" value=\"{Encode(id)}\"{isChecked}> {Encode(topic.Name.Length > 0 ? topic.Name : id)}</label>");
        }

        body.Append("</fieldset><fieldset style=\"border:1px solid #dadce0;border-radius:6px;margin:0 0 12px;\"><legend>When</legend>");
        foreach (var schedule in Enum.GetValues<DeliverySchedule>())
        {
            var value = schedule.ToString().ToLowerInvariant();
            var isChecked = subscriber.Schedule == schedule ? " checked" : "";
            var label = schedule switch
            {
                DeliverySchedule.Instant => "Instant: a mail as soon as matching stories arrive (stories found together come in one mail)",
                DeliverySchedule.Daily => "Daily digest: one mail a day at your send time",
                _ => "Weekly digest: one mail a week on your day and time",
            };
            body.Append(CultureInfo.InvariantCulture, $"<label style=\"display:block;margin:4px 0;\"><input type=\"radio\" name=\"schedule\" value=\"{value}\"{isChecked}> {label}</label>");
        }

        body.Append(CultureInfo.InvariantCulture, $"<label style=\"display:block;margin:8px 0 4px;\">Send at (local time) <input type=\"time\" name=\"sendAt\" value=\"{Encode(subscriber.SendAt)}\"></label>")
            .Append("<label style=\"display:block;margin:4px 0;\">Weekday (weekly) <select name=\"weekday\">");
        foreach (var day in Enum.GetValues<DayOfWeek>())
        {
            var selected = subscriber.Weekday == day ? " selected" : "";
            body.Append(CultureInfo.InvariantCulture, $"<option value=\"{day}\"{selected}>{day}</option>");
        }

        body.Append("</select></label>")
            .Append(CultureInfo.InvariantCulture, $"<label style=\"display:block;margin:4px 0;\">Time zone <input type=\"text\" name=\"timeZone\" value=\"{Encode(subscriber.TimeZone)}\" style=\"width:14em;\"></label>")
            .Append("</fieldset>")
            .Append(CultureInfo.InvariantCulture, $"<button name=\"action\" value=\"save\" style=\"{ButtonStyle}\">Save</button> ")
            .Append("<button name=\"action\" value=\"unsubscribe\" style=\"padding:8px 16px;border:1px solid #a50e0e;background:transparent;color:#a50e0e;border-radius:6px;\">Unsubscribe</button>")
            .Append("</form>");
        return Page(status, "Your Watcher preferences", body.ToString());
    }

    private const string ButtonStyle = "padding:8px 16px;border:0;background:#1a56c4;color:#fff;border-radius:6px;";

    private static PreferencesResponse Page(int status, string title, string bodyHtml) => new(
        status,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">" +
        "<meta name=\"color-scheme\" content=\"light dark\"><meta name=\"referrer\" content=\"no-referrer\">" +
        $"<title>{Encode(title)} — Watcher</title></head>" +
        "<body style=\"font-family:-apple-system,'Segoe UI',Roboto,Arial,sans-serif;max-width:600px;margin:0 auto;padding:16px;line-height:1.5;\">" +
        $"<h1 style=\"font-size:22px;\">{Encode(title)}</h1>{bodyHtml}</body></html>");

    private static string? Value(IReadOnlyList<KeyValuePair<string, string>> form, string key) =>
        form.Where(f => f.Key == key).Select(f => f.Value).FirstOrDefault();

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}

/// <summary>What the endpoint answers: an HTTP status and an HTML page.</summary>
public sealed record PreferencesResponse(int StatusCode, string Html)
{
    public const string ContentType = "text/html; charset=utf-8";

    /// <summary>Headers both hosts send with every page: nothing cached, nothing loaded from elsewhere.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Headers { get; } =
    [
        new("Cache-Control", "no-store"),
        new("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"),
        new("Referrer-Policy", "no-referrer"),
        new("X-Content-Type-Options", "nosniff"),
    ];
}
