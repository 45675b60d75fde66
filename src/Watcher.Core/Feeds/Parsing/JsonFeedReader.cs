using System.Text.Json;

namespace Watcher.Feeds.Parsing;

/// <summary>Reads JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/).</summary>
internal static class JsonFeedReader
{
    public static ParsedFeed Read(string text, FeedParseContext context, string encoding)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new FeedParseException($"not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || String(root, "version") is not { } declared || !declared.Contains("jsonfeed.org", StringComparison.OrdinalIgnoreCase))
            {
                throw new FeedParseException("the JSON document is not a JSON Feed (no \"version\": \"https://jsonfeed.org/version/1.1\").");
            }

            var baseUri = String(root, "feed_url") is { } feedUrl ? FeedUris.Resolve(context.BaseUri?.AbsoluteUri, feedUrl) : context.BaseUri?.AbsoluteUri;
            var language = String(root, "language") ?? context.ContentLanguage;
            var items = new List<ParsedItem>();
            if (root.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object)
                    {
                        continue;
                    }

                    var contentHtml = String(item, "content_html");
                    var summary = String(item, "summary");
                    var title = String(item, "title");
                    items.Add(new ParsedItem
                    {
                        Id = String(item, "id") ?? (item.TryGetProperty("id", out var numericId) && numericId.ValueKind == JsonValueKind.Number ? numericId.GetRawText() : null),
                        Title = title,
                        RawTitle = title,
                        Link = Link(String(item, "url") ?? String(item, "external_url"), baseUri),
                        Published = FeedDates.Parse(String(item, "date_published")),
                        Updated = FeedDates.Parse(String(item, "date_modified")),
                        Author = AuthorName(item) ?? AuthorName(root),
                        SummaryText = summary is not null ? HtmlMarkup.CollapseWhitespace(summary)
                            : contentHtml is not null ? HtmlMarkup.ToText(contentHtml)
                            : String(item, "content_text") is { } plain ? HtmlMarkup.CollapseWhitespace(plain) : null,
                        ContentHtml = contentHtml is null ? null : HtmlMarkup.Sanitize(contentHtml, baseUri),
                        Language = String(item, "language") ?? language,
                        Categories = item.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
                            ? tags.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!).ToList()
                            : [],
                        Enclosures = item.TryGetProperty("attachments", out var attachments) && attachments.ValueKind == JsonValueKind.Array
                            ? attachments.EnumerateArray()
                                .Where(a => a.ValueKind == JsonValueKind.Object && String(a, "url") is not null)
                                .Select(a => new MediaEnclosure(Link(String(a, "url"), baseUri)!, String(a, "mime_type"), a.TryGetProperty("size_in_bytes", out var size) && size.TryGetInt64(out var bytes) ? bytes : null))
                                .ToList()
                            : [],
                        ThumbnailUrl = Link(String(item, "image") ?? String(item, "banner_image"), baseUri),
                    });
                }
            }

            var feedTitle = String(root, "title");
            return new ParsedFeed
            {
                Version = declared.TrimEnd('/').EndsWith("1.1", StringComparison.Ordinal) ? "json11" : "json10",
                Title = feedTitle,
                RawTitle = feedTitle,
                Link = Link(String(root, "home_page_url"), baseUri),
                Language = language,
                Encoding = encoding,
                Items = items,
            };
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static string? Link(string? url, string? baseUri) => url is null ? null : FeedUris.Resolve(baseUri, url.Trim());

    private static string? AuthorName(JsonElement element)
    {
        if (element.TryGetProperty("authors", out var authors) && authors.ValueKind == JsonValueKind.Array)
        {
            foreach (var author in authors.EnumerateArray())
            {
                if (author.ValueKind == JsonValueKind.Object && String(author, "name") is { } name)
                {
                    return name;
                }
            }
        }

        return element.TryGetProperty("author", out var single) && single.ValueKind == JsonValueKind.Object ? String(single, "name") : null;
    }
}
