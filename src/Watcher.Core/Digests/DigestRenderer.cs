using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Watcher.Configuration;
using Watcher.Mail;

namespace Watcher.Digests;

/// <summary>Which of the mails a digest was split into this one is.</summary>
public sealed record DigestPart(int Number, int Of);

/// <summary>
/// Renders a subscriber's items as one mail: stories grouped by topic, a single 600 px column
/// with inline CSS that reads on a phone, dark-mode colours through <c>prefers-color-scheme</c>,
/// no remote images or scripts, and a plain-text part with the same content.
/// </summary>
/// <remarks>
/// Nothing from a feed is kept as HTML: every title, summary and source is reduced to plain text
/// (<see cref="FeedText"/>) and HTML-encoded, and only absolute http(s) links become
/// <c>href</c>s, so a feed cannot put a script, a tracking pixel or a <c>javascript:</c> link into
/// the mail (no HTML is kept, so no sanitizer is needed).
/// </remarks>
public sealed class DigestRenderer(IOptions<WatcherOptions> options)
{
    private const int WhyLength = 240;

    private const string DarkModeStyle =
        "<style>:root{color-scheme:light dark;supported-color-schemes:light dark;}" +
        "@media (prefers-color-scheme: dark){" +
        ".w-body{background:#121212 !important;}" +
        ".w-card{background:#1e1f22 !important;color:#e8eaed !important;border-color:#3c4043 !important;}" +
        ".w-muted{color:#a8adb3 !important;}" +
        ".w-link{color:#8ab4f8 !important;}" +
        ".w-tag{background:#2b3440 !important;color:#d2e3fc !important;}" +
        ".w-topic{color:#e8eaed !important;border-color:#3c4043 !important;}}" +
        "@media only screen and (max-width:620px){.w-outer{padding:8px !important;}.w-card{padding:14px !important;}}" +
        "</style>";

    /// <summary>
    /// The mail for <paramref name="items"/>. A scheduled digest (<paramref name="period"/>) says in
    /// its subject that it is the daily or weekly digest and of which day, so it reads differently
    /// from instant mail in an inbox.
    /// </summary>
    public RenderedDigest Render(SubscriberOptions subscriber, IReadOnlyList<DigestItem> items, Uri preferencesUrl, DigestPart? part = null, DuePeriod? period = null)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(subscriber.TimeZone);
        var stories = DigestStory.Group(items);
        var topicOrder = options.Value.Topics.Keys.Select((id, index) => (id, index)).ToDictionary(p => p.id, p => p.index, StringComparer.OrdinalIgnoreCase);
        var groups = stories
            .GroupBy(s => s.Topics[0].Id, StringComparer.OrdinalIgnoreCase)
            .OrderBy(g => topicOrder.GetValueOrDefault(g.Key, int.MaxValue))
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (TopicName(g.Key, g.First().Topics[0].Name), Stories: g.OrderByDescending(s => s.Lead.Published ?? s.Lead.AddedAt).ToList()))
            .ToList();
        var kind = period is null || subscriber.Schedule == DeliverySchedule.Instant ? "Watcher"
            : subscriber.Schedule == DeliverySchedule.Weekly
                ? $"Watcher weekly digest, week to {TimeZoneInfo.ConvertTime(period.SendInstant, zone).ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture)}"
                : $"Watcher daily digest, {TimeZoneInfo.ConvertTime(period.SendInstant, zone).ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture)}";
        var subject = $"{kind}: {stories.Count} new — {string.Join(", ", groups.Select(g => $"{g.Item1} {g.Stories.Count}"))}" +
            (part is { Of: > 1 } ? $" (part {part.Number} of {part.Of})" : "");

        var html = new StringBuilder(2048 + (stories.Count * 1200));
        var text = new StringBuilder(512 + (stories.Count * 400));
        var greeting = string.IsNullOrWhiteSpace(subscriber.Name) ? "Hello," : $"Hello {subscriber.Name},";
        var intro = $"{stories.Count} new {(stories.Count == 1 ? "story matches" : "stories match")} your topics. Times are in {subscriber.TimeZone}.";

        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
            .Append("<meta name=\"color-scheme\" content=\"light dark\"><meta name=\"supported-color-schemes\" content=\"light dark\">")
            .Append("<title>").Append(Encode(subject)).Append("</title>")
            .Append(DarkModeStyle)
            .Append("</head><body class=\"w-body\" style=\"margin:0;padding:0;background:#f1f3f4;\">")
            .Append("<div class=\"w-outer\" style=\"padding:16px;\">")
            .Append("<div class=\"w-card\" style=\"box-sizing:border-box;max-width:600px;margin:0 auto;background:#ffffff;color:#202124;border:1px solid #dadce0;border-radius:8px;padding:20px;font-family:-apple-system,'Segoe UI',Roboto,Arial,sans-serif;font-size:15px;line-height:1.5;\">")
            .Append("<h1 style=\"font-size:20px;line-height:1.3;margin:0 0 4px;\">").Append(Encode(subject)).Append("</h1>")
            .Append("<p class=\"w-muted\" style=\"margin:0 0 16px;color:#5f6368;font-size:13px;\">").Append(Encode(greeting)).Append(' ').Append(Encode(intro)).Append("</p>");
        text.AppendLine(subject).AppendLine().AppendLine(greeting).AppendLine(intro).AppendLine();

        foreach (var (topicName, groupStories) in groups)
        {
            html.Append("<h2 class=\"w-topic\" style=\"font-size:17px;margin:20px 0 8px;padding-bottom:4px;border-bottom:2px solid #dadce0;color:#202124;\">")
                .Append(Encode(topicName)).Append(" <span class=\"w-muted\" style=\"color:#5f6368;font-weight:normal;\">(").Append(groupStories.Count).Append(")</span></h2>");
            text.Append("== ").Append(topicName).Append(" (").Append(groupStories.Count).AppendLine(") ==").AppendLine();
            foreach (var story in groupStories)
            {
                AppendStory(html, text, story, zone);
            }
        }

        var link = preferencesUrl.AbsoluteUri;
        html.Append("<p class=\"w-muted\" style=\"margin:24px 0 0;font-size:12px;color:#5f6368;\">You receive this because you subscribed to Watcher. ")
            .Append("<a class=\"w-link\" href=\"").Append(Encode(link)).Append("\" style=\"color:#1a56c4;\">Change topics or schedule, or unsubscribe</a>.</p>")
            .Append("</div></div></body></html>");
        text.AppendLine("--").AppendLine("You receive this because you subscribed to Watcher.")
            .Append("Change topics or schedule, or unsubscribe: ").AppendLine(link);
        return new RenderedDigest(subject, html.ToString(), text.ToString(), stories.Count);
    }

    private void AppendStory(StringBuilder html, StringBuilder text, DigestStory story, TimeZoneInfo zone)
    {
        var item = story.Lead;
        var title = FeedText.Plain(item.Title);
        var summary = FeedText.Plain(item.Summary);
        var date = item.Published is { } published
            ? TimeZoneInfo.ConvertTime(published, zone).ToString("ddd d MMM yyyy HH:mm", CultureInfo.InvariantCulture)
            : null;
        var meta = string.Join(" · ", new[] { FeedText.Plain(item.Source), date, FeedText.Plain(item.Language).ToUpperInvariant() }.Where(p => !string.IsNullOrWhiteSpace(p)));
        // The why line must add something: a sentence the summary already shows is left out.
        // When every deciding sentence is in the summary already, the line says who the article
        // names instead: the vendor, the country or the agency, which the summary may not show.
        var why = story.Topics.Select(t => t.Why).FirstOrDefault(w => !string.IsNullOrWhiteSpace(w) && !Repeats(summary, FeedText.Plain(w))) is { } evidence
            ? Shorten(FeedText.Plain(evidence))
            : null;
        var named = why is null && item.Named.Count > 0 ? "names " + string.Join(", ", item.Named.Select(FeedText.Plain)) : null;
        var alsoReportedBy = string.Join(", ", story.AlsoReportedBy.Select(FeedText.Plain));
        var link = SafeLink(item.Url);

        // The mail is in English; an item in another language says so for screen readers and hyphenation.
        var language = FeedText.Plain(item.Language);
        html.Append("<div style=\"margin:0 0 18px;\"");
        if (language.Length is > 0 and <= 12 && language.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') && !language.StartsWith("en", StringComparison.OrdinalIgnoreCase))
        {
            html.Append(" lang=\"").Append(language).Append('"');
        }

        html.Append('>');
        if (link is null)
        {
            html.Append("<div style=\"font-weight:bold;font-size:16px;\">").Append(Encode(title)).Append("</div>");
        }
        else
        {
            html.Append("<a class=\"w-link\" href=\"").Append(Encode(link)).Append("\" style=\"font-weight:bold;font-size:16px;color:#1a56c4;text-decoration:none;\">")
                .Append(Encode(title)).Append("</a>");
        }

        html.Append("<div class=\"w-muted\" style=\"font-size:12px;color:#5f6368;margin:2px 0 4px;\">").Append(Encode(meta)).Append("</div><div>");
        foreach (var topic in story.Topics)
        {
            html.Append("<span class=\"w-tag\" style=\"display:inline-block;font-size:11px;background:#e8f0fe;color:#174ea6;border-radius:10px;padding:1px 8px;margin:0 4px 4px 0;\">")
                .Append(Encode(TopicName(topic.Id, topic.Name))).Append("</span>");
        }

        html.Append("</div><p style=\"margin:4px 0;\">").Append(Encode(summary)).Append("</p>");
        if (why is not null)
        {
            html.Append("<p class=\"w-muted\" style=\"margin:4px 0;font-size:13px;color:#5f6368;\"><b>Why:</b> “").Append(Encode(why)).Append("”</p>");
        }
        else if (named is not null)
        {
            html.Append("<p class=\"w-muted\" style=\"margin:4px 0;font-size:13px;color:#5f6368;\"><b>Why:</b> ").Append(Encode(named)).Append("</p>");
        }

        if (story.AlsoReportedBy.Count > 0)
        {
            html.Append("<p class=\"w-muted\" style=\"margin:4px 0;font-size:12px;color:#5f6368;\">Also reported by ")
                .Append(Encode(alsoReportedBy)).Append("</p>");
        }

        html.Append("</div>");

        text.AppendLine(title);
        if (link is not null)
        {
            text.AppendLine(link);
        }

        text.AppendLine(meta).Append("Topics: ").AppendLine(string.Join(", ", story.Topics.Select(t => TopicName(t.Id, t.Name)))).AppendLine(summary);
        if (why is not null)
        {
            text.Append("Why: \"").Append(why).AppendLine("\"");
        }
        else if (named is not null)
        {
            text.Append("Why: ").AppendLine(named);
        }

        if (story.AlsoReportedBy.Count > 0)
        {
            text.Append("Also reported by ").AppendLine(alsoReportedBy);
        }

        text.AppendLine();
    }

    private string TopicName(string id, string fallback) =>
        options.Value.Topics.TryGetValue(id, out var topic) && topic.Name.Length > 0 ? topic.Name : fallback;

    /// <summary>Only absolute http(s) URLs become links; anything else (javascript:, data:) is dropped.</summary>
    private static string? SafeLink(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.AbsoluteUri : null;

    private static bool Repeats(string summary, string sentence)
    {
        static string Squeeze(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return Squeeze(summary).Contains(Squeeze(sentence).TrimEnd('.', '…'), StringComparison.OrdinalIgnoreCase);
    }

    private static string Shorten(string evidence) =>
        evidence.Length <= WhyLength ? evidence : string.Concat(evidence.AsSpan(0, WhyLength - 1).TrimEnd(), "…");

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}

/// <summary>
/// One story in a digest: an article, or several that tell the same story, shown once with every
/// topic it is tagged with and the other sources as "also reported by".
/// </summary>
public sealed record DigestStory(DigestItem Lead, IReadOnlyList<DigestItemTopic> Topics, IReadOnlyList<string> AlsoReportedBy, IReadOnlyList<string> ArticleIds)
{
    /// <summary>
    /// Joins items linked by <see cref="DigestItem.SameStoryAs"/> (in either direction). The lead is
    /// the earliest published (the time it was added when the feed gives none), then the one from
    /// the feed listed first in the configuration: a rule a reader can predict, whatever order
    /// the items arrived in.
    /// </summary>
    public static IReadOnlyList<DigestStory> Group(IReadOnlyList<DigestItem> allItems)
    {
        var items = allItems.DistinctBy(i => i.ArticleId, StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            index[items[i].ArticleId] = i;
        }

        // Union-find over item positions: links may be recorded on either article of a pair.
        var parent = Enumerable.Range(0, items.Count).ToArray();
        int Find(int i)
        {
            while (parent[i] != i)
            {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }

            return i;
        }

        for (var i = 0; i < items.Count; i++)
        {
            foreach (var other in items[i].SameStoryAs)
            {
                if (index.TryGetValue(other, out var j))
                {
                    parent[Find(i)] = Find(j);
                }
            }
        }

        var stories = new List<DigestStory>();
        foreach (var cluster in Enumerable.Range(0, items.Count).GroupBy(Find))
        {
            var members = cluster.Select(i => items[i]).OrderBy(i => i.Published ?? i.AddedAt).ThenBy(i => i.FeedOrder).ThenBy(i => i.ArticleId, StringComparer.Ordinal).ToList();
            var lead = members[0];
            var topics = members.SelectMany(m => m.Topics)
                .GroupBy(t => t.Id, StringComparer.OrdinalIgnoreCase)
                .Select(g => g.MaxBy(t => t.Score)!)
                .OrderByDescending(t => t.Score)
                .ToList();
            var alsoReportedBy = members.SelectMany(m => m.AlsoReportedBy.Prepend(m.Source))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .Where(s => !string.Equals(s, lead.Source, StringComparison.OrdinalIgnoreCase))
                .ToList();
            stories.Add(new DigestStory(lead, topics, alsoReportedBy, members.Select(m => m.ArticleId).ToList()));
        }

        return stories;
    }
}
