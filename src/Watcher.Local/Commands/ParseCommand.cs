using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Watcher.Feeds;

namespace Watcher.Local.Commands;

/// <summary>
/// <c>watcher parse FILE|URL|DIR... [--json] [--summary]</c> and <c>watcher parse --manifest FILE.jsonl</c>:
/// shows what Watcher reads from feed documents, and produces the conformance projection
/// (one JSON line per document, the shape of /work/shared/conformance/README.md).
/// </summary>
internal static class ParseCommand
{
    private static readonly JsonSerializerOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Feed files, folders of feed files, or http(s) URLs.", Arity = ArgumentArity.ZeroOrMore };
        var json = new Option<bool>("--json") { Description = "Print one JSON line per document (the conformance projection) instead of a readable listing." };
        var summary = new Option<bool>("--summary") { Description = "Print only totals (documents, items, failures, elapsed time): for benchmarks." };
        var manifest = new Option<string?>("--manifest") { Description = "A conformance reference (JSON lines): parse every document it names, with its HTTP context, and print the projection." };
        var command = new Command("parse", "Show what Watcher reads from feed files or URLs (title, items, dates, links).") { inputs, json, summary, manifest };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(manifest) is { } manifestPath)
            {
                return await RunManifestAsync(manifestPath, Console.Out, cancellationToken);
            }

            var given = parse.GetValue(inputs) ?? [];
            if (given.Length == 0)
            {
                Console.Error.WriteLine("Give at least one feed file, folder or URL, or --manifest FILE.");
                return 2;
            }

            var mode = parse.GetValue(summary) ? OutputMode.Summary : parse.GetValue(json) ? OutputMode.Json : OutputMode.Listing;
            return await RunAsync(given, mode, Console.Out, cancellationToken);
        });
        return command;
    }

    internal enum OutputMode
    {
        Listing,
        Json,
        Summary,
    }

    internal static async Task<int> RunAsync(IReadOnlyList<string> inputs, OutputMode mode, TextWriter output, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var documents = 0;
        var items = 0;
        var failures = 0;
        long bytes = 0;
        // Created on first use: local files should not pay for an HTTP stack.
        HttpClient? http = null;
        foreach (var source in Expand(inputs))
        {
            documents++;
            byte[] body;
            FeedParseContext context;
            try
            {
                (body, context) = await LoadAsync(() => http ??= new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.All }), source, cancellationToken);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or UnauthorizedAccessException or TaskCanceledException)
            {
                failures++;
                await output.WriteLineAsync($"{source}: cannot read: {e.Message}");
                continue;
            }

            bytes += body.Length;
            ParsedFeed? feed = null;
            string? error = null;
            try
            {
                feed = FeedParser.Parse(body, context);
                items += feed.Items.Count;
            }
            catch (FeedParseException e)
            {
                failures++;
                error = e.Message;
            }

            switch (mode)
            {
                case OutputMode.Json:
                    await output.WriteLineAsync(ProjectionLine(source, feed, error));
                    break;
                case OutputMode.Listing:
                    await WriteListingAsync(output, source, feed, error);
                    break;
            }
        }

        http?.Dispose();
        if (mode == OutputMode.Summary)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"parsed {documents} documents ({bytes / 1048576.0:F1} MB), {items} items, {failures} failures in {stopwatch.Elapsed.TotalSeconds:F3} s"));
        }

        return failures == 0 ? 0 : 1;
    }

    internal static async Task<int> RunManifestAsync(string manifestPath, TextWriter output, CancellationToken cancellationToken)
    {
        var corpus = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, "feedparser");
        foreach (var line in await File.ReadAllLinesAsync(manifestPath, cancellationToken))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var reference = JsonNode.Parse(line)!;
            var file = (string)reference["file"]!;
            var context = FeedParseContext.None;
            if (reference["http_headers"] is JsonObject headers)
            {
                var documentUrl = new Uri((string)reference["doc_url"]!);
                var location = Header(headers, "Content-Location");
                context = new FeedParseContext
                {
                    ContentType = Header(headers, "Content-Type") ?? "",
                    BaseUri = location is not null && Uri.TryCreate(documentUrl, location, out var resolved) ? resolved : documentUrl,
                    ContentLanguage = Header(headers, "Content-Language"),
                };
            }

            ParsedFeed? feed = null;
            string? error = null;
            try
            {
                feed = FeedParser.Parse(await File.ReadAllBytesAsync(Path.Combine(corpus, file), cancellationToken), context);
            }
            catch (FeedParseException e)
            {
                error = e.Message;
            }

            await output.WriteLineAsync(ProjectionLine(file, feed, error));
        }

        return 0;
    }

    private static string? Header(JsonObject headers, string name) =>
        headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.GetValue<string>();

    private static IEnumerable<string> Expand(IEnumerable<string> inputs)
    {
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                foreach (var file in Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                {
                    yield return file;
                }
            }
            else
            {
                yield return input;
            }
        }
    }

    private static async Task<(byte[] Body, FeedParseContext Context)> LoadAsync(Func<HttpClient> http, string source, CancellationToken cancellationToken)
    {
        if (Uri.TryCreate(source, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            using var response = await http().GetAsync(url, cancellationToken);
            response.EnsureSuccessStatusCode();
            var finalUrl = response.RequestMessage?.RequestUri ?? url;
            var location = response.Content.Headers.ContentLocation;
            return (await response.Content.ReadAsByteArrayAsync(cancellationToken), new FeedParseContext
            {
                ContentType = response.Content.Headers.ContentType?.ToString() ?? "",
                BaseUri = location is null ? finalUrl : new Uri(finalUrl, location),
                ContentLanguage = response.Content.Headers.ContentLanguage.FirstOrDefault(),
            });
        }

        return (await File.ReadAllBytesAsync(source, cancellationToken), FeedParseContext.None);
    }

    /// <summary>The conformance projection of one parse (README of the conformance corpus).</summary>
    internal static string ProjectionLine(string file, ParsedFeed? feed, string? error)
    {
        var line = new JsonObject
        {
            ["file"] = file,
            ["bozo"] = feed?.Bozo ?? true,
            ["version"] = feed?.Version ?? "",
            ["feed"] = new JsonObject
            {
                ["title"] = feed?.RawTitle,
                ["link"] = feed?.Link,
                ["language"] = feed?.Language,
                ["updated_iso"] = Iso(feed?.Updated),
            },
            ["entries"] = new JsonArray((feed?.Items ?? []).Select(item => (JsonNode)new JsonObject
            {
                ["id"] = item.Id,
                ["title"] = item.RawTitle,
                ["link"] = item.Link,
                ["published_iso"] = Iso(item.Published),
                ["updated_iso"] = Iso(item.Updated),
                ["author"] = item.Author,
                ["summary_text"] = item.SummaryText,
            }).ToArray()),
            ["bozo_exception"] = error ?? feed?.BozoReason,
        };
        return line.ToJsonString(LineOptions);
    }

    private static string? Iso(DateTimeOffset? date) =>
        date?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static async Task WriteListingAsync(TextWriter output, string source, ParsedFeed? feed, string? error)
    {
        if (feed is null)
        {
            await output.WriteLineAsync($"{source}: not readable as a feed: {error}");
            return;
        }

        await output.WriteLineAsync($"{source}: {feed.Version}, {feed.Encoding}{(feed.Bozo ? $" (recovered: {feed.BozoReason})" : "")}");
        await output.WriteLineAsync($"  title:    {feed.Title ?? "(none)"}");
        await output.WriteLineAsync($"  link:     {feed.Link ?? "(none)"}");
        await output.WriteLineAsync($"  language: {feed.Language ?? "(none)"}   updated: {Iso(feed.Updated) ?? "(none)"}");
        await output.WriteLineAsync($"  {feed.Items.Count} item(s)");
        foreach (var item in feed.Items)
        {
            await output.WriteLineAsync($"  - {item.Title ?? "(untitled)"}");
            await output.WriteLineAsync($"    link: {item.Link ?? "(none)"}   id: {item.Id ?? "(none)"}");
            await output.WriteLineAsync($"    published: {Iso(item.Published) ?? "(none)"}   updated: {Iso(item.Updated) ?? "(none)"}   author: {item.Author ?? "(none)"}");
        }
    }
}
