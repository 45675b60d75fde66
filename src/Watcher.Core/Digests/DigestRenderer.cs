using System.Globalization;
using System.Net;
using System.Text;
using Watcher.Configuration;

namespace Watcher.Digests;

/// <summary>A rendered digest: subject, HTML and plain-text bodies with the same content.</summary>
public sealed record RenderedDigest(string Subject, string Html, string Text);

/// <summary>Renders a subscriber's items as one mail, grouped by topic.</summary>
public sealed class DigestRenderer(Microsoft.Extensions.Options.IOptions<WatcherOptions> options)
{
    public RenderedDigest Render(SubscriberOptions subscriber, IReadOnlyList<DigestItem> items, Uri unsubscribeUrl)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(subscriber.TimeZone);
        var groups = items
            .GroupBy(i => i.Topics[0].Id)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        var counts = string.Join(", ", groups.Select(g => $"{TopicName(g.Key)} {g.Count()}"));
        var subject = $"Watcher: {items.Count} new — {counts}";

        var html = new StringBuilder();
        var text = new StringBuilder();
        html.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"></head>")
            .Append("<body style=\"margin:0;padding:16px;font-family:Arial,sans-serif;\"><div style=\"max-width:600px;margin:0 auto;\">")
            .Append(CultureInfo.InvariantCulture, $"<h1 style=\"font-size:20px;\">{Encode(subject)}</h1>");
        text.AppendLine(subject).AppendLine();

        foreach (var group in groups)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h2 style=\"font-size:17px;\">{Encode(TopicName(group.Key))}</h2>");
            text.AppendLine($"== {TopicName(group.Key)} ==").AppendLine();
            foreach (var item in group)
            {
                var date = item.Published is { } published ? TimeZoneInfo.ConvertTime(published, zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
                var tags = string.Join(", ", item.Topics.Select(t => t.Name));
                html.Append("<div style=\"margin:0 0 16px;\">")
                    .Append(CultureInfo.InvariantCulture, $"<a href=\"{Encode(item.Url)}\" style=\"font-weight:bold;\">{Encode(item.Title)}</a>")
                    .Append(CultureInfo.InvariantCulture, $"<div style=\"font-size:12px;color:#666;\">{Encode(item.Source)} · {Encode(date)} · {Encode(item.Language)} · {Encode(tags)}</div>")
                    .Append(CultureInfo.InvariantCulture, $"<p style=\"margin:4px 0;\">{Encode(item.Summary)}</p>")
                    .Append("</div>");
                text.AppendLine(item.Title)
                    .AppendLine(item.Url)
                    .AppendLine($"{item.Source} · {date} · {item.Language} · {tags}")
                    .AppendLine(item.Summary)
                    .AppendLine();
            }
        }

        html.Append(CultureInfo.InvariantCulture, $"<p style=\"font-size:12px;color:#666;\"><a href=\"{Encode(unsubscribeUrl.AbsoluteUri)}\">Unsubscribe or change preferences</a></p>")
            .Append("</div></body></html>");
        text.AppendLine($"Unsubscribe or change preferences: {unsubscribeUrl.AbsoluteUri}");
        return new RenderedDigest(subject, html.ToString(), text.ToString());
    }

    private string TopicName(string id) =>
        options.Value.Topics.TryGetValue(id, out var topic) && topic.Name.Length > 0 ? topic.Name : id;

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
