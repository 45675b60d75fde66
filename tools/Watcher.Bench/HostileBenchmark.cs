using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Watcher.Configuration;
using Watcher.Local.Hosting;

namespace Watcher.Bench;

public sealed record HostileBenchmarkOptions
{
    public required string DataDirectory { get; init; }

    /// <summary>Class names to run (see <see cref="HostileBenchmark.Classes"/>); all when empty.</summary>
    public IReadOnlyList<string> Only { get; init; } = [];
}

/// <summary>One hostile class: the name, what the test that holds it generates, and how it is served.</summary>
public sealed record HostileClass(string Name, string Description, RequestDelegate? Serve);

public sealed record HostileRun(string Class, string Description, TimeSpan Elapsed, long PeakRssKiB, int ExitCode, string NamedError, int HealthyStories, int HealthyMails, bool HealthyMailedOnce);

/// <summary>
/// <c>watcher-bench hostile</c>: for each feed-side class of issue 13's hostile input, one real
/// <c>watcher run --once</c> (the built watcher, under <c>/usr/bin/time -v</c>) over fresh Azurite
/// and MailDev, with the hostile feed served by a Kestrel server in this process next to one healthy
/// feed; reports the run's wall time, the child's peak resident set, its exit code, the error it
/// logged for the hostile feed and whether the healthy feed's stories were each mailed once.
/// </summary>
public static partial class HostileBenchmark
{
    private const string Recipient = "hostile-reader@example.org";
    private const string HostileFeed = "hostile";
    private const int HealthyItems = 20;

    /// <summary>The sizes are those of BadInputTests and PollingBehaviourTests.</summary>
    public static IReadOnlyList<HostileClass> Classes { get; } =
    [
        new("baseline", "the healthy feed alone", null),
        new("deep", "10,000 nested elements, well-formed", Text(Rss(Item("Deep", "http://example.org/deep", "deep")).Replace("</channel>", Nest("<x>") + Nest("</x>") + "</channel>", StringComparison.Ordinal))),
        new("deep-unclosed", "10,000 nested elements, never closed", Text(Rss(Item("Deep", "http://example.org/deep-unclosed", "deep")).Replace("</channel>", Nest("<x>") + "</channel>", StringComparison.Ordinal))),
        new("deep-html", "10,000 nested escaped HTML elements in a description", Text(Rss(Item("Deep markup", "http://example.org/deep-html", Nest("&lt;div&gt;") + "bottom of the nest" + Nest("&lt;/div&gt;"))))),
        new("xxe", "external entity naming a local file", Text("""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/hostname">]><rss version="2.0"><channel><title>XXE</title><item><title>&secret;</title><link>http://example.org/xxe</link></item></channel></rss>""")),
        new("billion-laughs", "9 levels of 10 entities (10^9 \"lol\")", Text(BillionLaughs())),
        new("huge", "50 MB in 64 KiB chunks, no Content-Length", ServeHugeAsync),
        new("silent", "headers never sent (server waits 10 min)", ServeSilentAsync),
        new("redirect-loop", "two URLs redirecting to each other", context => Redirect(context, context.Request.Path.Value!.EndsWith("-b", StringComparison.Ordinal) ? "/hostile" : "/hostile-b")),
        new("redirect-metadata", "redirect to http://169.254.169.254/latest/meta-data/", context => Redirect(context, "http://169.254.169.254/latest/meta-data/")),
        new("redirect-loopback", "redirect to [::1], another loopback host", context => Redirect(context, $"http://[::1]:{context.Connection.LocalPort}/feeds/000.xml")),
        new("retry-after-2037", "503 with Retry-After: Thu, 01 Jan 2037", context =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "Thu, 01 Jan 2037 00:00:00 GMT";
            return Task.CompletedTask;
        }),
        new("100k-items", "100,000 items", Text(Rss([.. Enumerable.Range(0, 100_000).Select(i => Item($"Item {i:000000}", $"http://news.example.org/huge/{i}", "Other news."))]))),
        // The row above is over MaxResponseBytes at about 110 bytes an item; this one stays under it
        // (about 60 bytes an item, no dates), so MaxNewItemsPerPoll is what holds it.
        new("100k-short-items", "100,000 items without dates, 6 MB", Text(Rss([.. Enumerable.Range(0, 100_000).Select(i => $"<item><title>I{i}</title><link>http://n.example/{i}</link></item>")]))),
        new("5mb-title", "one item with a 5 MB title", Text(Rss(Item(new string('T', 5 * 1024 * 1024), "http://news.example.org/big/1", "Short body."), Item("Second", "http://news.example.org/big/2", "Other.")))),
    ];

    public static async Task<IReadOnlyList<HostileRun>> RunAsync(HostileBenchmarkOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var selected = Classes.Where(c => options.Only.Count == 0 || options.Only.Contains(c.Name)).ToList();
        var runs = new List<HostileRun>();
        foreach (var hostile in selected)
        {
            runs.Add(await RunClassAsync(hostile, Path.Combine(options.DataDirectory, hostile.Name), cancellationToken));
        }

        return runs;
    }

    public static string Report(IReadOnlyList<HostileRun> runs, string command)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var c = CultureInfo.InvariantCulture;
        var fetch = new FetchOptions();
        var text = new StringBuilder();
        text.AppendLine(c, $"Command: `{command}`");
        text.AppendLine(c, $"Date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; machine: {BenchEnvironment.MachineLine()}; load average {LoadAverage()} at the end.");
        text.AppendLine(c, $"Each row: fresh Azurite and MailDev, one `watcher run --once` (Release build) with the hostile feed and one healthy feed (1 RSS feed of {HealthyItems} items from the bench corpus, about a fifth on the topics), one instant subscriber to all topics. Fetch settings at their shipped defaults (Timeout {fetch.Timeout.TotalSeconds:0} s, MaxResponseBytes {fetch.MaxResponseBytes:N0}, MaxNewItemsPerPoll {fetch.MaxNewItemsPerPoll}). Time: wall clock of the child process. Peak memory: \"Maximum resident set size\" of `/usr/bin/time -v` around `dotnet watcher.dll`. Error: the kind in Watcher's log line \"Feed hostile failed (kind)\".");
        text.AppendLine();
        text.Append(MarkdownTable.Render(
            ["class", "hostile response", "time", "peak RSS", "exit", "error named", "healthy stories mailed once"],
            runs.Select(r => (IReadOnlyList<string>)
            [
                r.Class,
                r.Description,
                $"{r.Elapsed.TotalSeconds.ToString("0.0", c)} s",
                $"{(r.PeakRssKiB / 1024.0).ToString("0", c)} MiB",
                r.ExitCode.ToString(c),
                r.NamedError,
                $"{(r.HealthyMailedOnce ? "yes" : "NO")} ({r.HealthyMails} mails, {r.HealthyStories} stories)",
            ])));
        return text.ToString();
    }

    /// <summary>Every run mailed some story of the healthy feed, and none twice.</summary>
    public static bool AllHealthy(IReadOnlyList<HostileRun> runs) => runs.All(r => r.HealthyMailedOnce);

    private static async Task<HostileRun> RunClassAsync(HostileClass hostile, string dataDirectory, CancellationToken cancellationToken)
    {
        var corpus = new BenchCorpus(1, HealthyItems, DateTimeOffset.UtcNow.AddMinutes(-5));
        await using var environment = await BenchEnvironment.StartAsync(corpus, 1, dataDirectory, cancellationToken);
        await using var server = hostile.Serve is null ? null : await StartServerAsync(hostile.Serve, cancellationToken);
        using var inbox = new MailDevInbox(environment.MailDev.WebUrl);
        JsonObject[] extra = server is null ? [] : [new JsonObject { ["Name"] = HostileFeed, ["Url"] = new Uri(server.Urls.First() + "/hostile").AbsoluteUri, ["Language"] = "en" }];
        var config = environment.WriteWatcherConfig(
            "watcher.hostile.json",
            [BenchEnvironment.Subscriber(Recipient, "instant", [TopicIds.FiveGBan, TopicIds.Blacklist, TopicIds.Divestment])],
            extraFeeds: extra);

        var timeFile = Path.Combine(dataDirectory, "time.txt");
        var (exitCode, elapsed, output) = await RunWatcherAsync(timeFile, ["run", "--once", "--config", config], cancellationToken);
        var peak = PeakRss(await File.ReadAllTextAsync(timeFile, cancellationToken));

        var mails = (await SettledAsync(inbox, cancellationToken)).Where(m => m.IsFor(Recipient)).ToList();
        var perStory = mails.SelectMany(m => PeersBenchmark.StoryNumbers(m.Text ?? m.Html ?? "").Distinct()).GroupBy(s => s).ToList();
        var errors = ErrorPattern().Matches(output).Select(m => m.Groups[1].Value).Distinct().ToList();
        return new HostileRun(
            hostile.Name,
            hostile.Description,
            elapsed,
            peak,
            exitCode,
            errors.Count == 0 ? "none" : string.Join(", ", errors),
            perStory.Count,
            mails.Count,
            perStory.Count > 0 && perStory.All(g => g.Count() == 1));
    }

    private static async Task<WebApplication> StartServerAsync(RequestDelegate serve, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Map("/hostile", serve);
        app.Map("/hostile-b", serve);
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>The built watcher under <c>/usr/bin/time -v</c>, whose report goes to <paramref name="timeFile"/>.</summary>
    private static Task<(int ExitCode, TimeSpan Elapsed, string Output)> RunWatcherAsync(string timeFile, string[] arguments, CancellationToken cancellationToken) =>
        ChildProcess.RunAsync(
            "/usr/bin/time",
            ["-v", "-o", timeFile, .. ChildProcess.WatcherCommand(), .. arguments],
            (output, line) =>
            {
                // Only the lines about the hostile feed and the run's summary: a 100,000-item feed logs much.
                if (line.Contains(HostileFeed, StringComparison.Ordinal) || output.Length < 4096)
                {
                    output.AppendLine(line);
                }
            },
            cancellationToken);

    private static long PeakRss(string timeReport)
    {
        var match = MaxRssPattern().Match(timeReport);
        return match.Success ? long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture) : -1;
    }

    /// <summary>MailDev stores a mail shortly after accepting it: read until two reads a second apart agree.</summary>
    private static async Task<IReadOnlyList<InboxMail>> SettledAsync(MailDevInbox inbox, CancellationToken cancellationToken)
    {
        var previous = -1;
        while (true)
        {
            var mails = await inbox.ListAsync(cancellationToken);
            if (mails.Count == previous)
            {
                return mails;
            }

            previous = mails.Count;
            await Task.Delay(1000, cancellationToken);
        }
    }

    private static string LoadAverage()
    {
        var fields = File.ReadAllText("/proc/loadavg").Split(' ');
        return string.Join(' ', fields[..3]);
    }

    private static RequestDelegate Text(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        return async context =>
        {
            context.Response.ContentType = "application/rss+xml; charset=utf-8";
            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
        };
    }

    private static Task Redirect(HttpContext context, string location)
    {
        context.Response.Redirect(location);
        return Task.CompletedTask;
    }

    private static async Task ServeHugeAsync(HttpContext context)
    {
        // No Content-Length, so only a cap applied while streaming stops it early.
        context.Response.ContentType = "application/rss+xml";
        var chunk = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
        await context.Response.WriteAsync("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>", context.RequestAborted);
        try
        {
            for (var sent = 0L; sent < 50L * 1024 * 1024 && !context.RequestAborted.IsCancellationRequested; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // Watcher hung up, as it should.
        }
    }

    private static async Task ServeSilentAsync(HttpContext context)
    {
        try
        {
            // Far past the shipped Timeout, so the time measured is Watcher giving up.
            await Task.Delay(TimeSpan.FromMinutes(10), context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // Watcher gave up, as configured.
        }
    }

    private static string Nest(string element) => string.Concat(Enumerable.Repeat(element, 10_000));

    private static string BillionLaughs()
    {
        var entities = new StringBuilder("<!ENTITY lol \"lol\">");
        for (var level = 2; level <= 9; level++)
        {
            entities.Append(CultureInfo.InvariantCulture, $"<!ENTITY lol{level} \"{string.Concat(Enumerable.Repeat($"&lol{(level == 2 ? "" : level - 1)};", 10))}\">");
        }

        return $"<?xml version=\"1.0\"?><!DOCTYPE lolz [{entities}]><rss version=\"2.0\"><channel><title>&lol9;</title></channel></rss>";
    }

    private static string Rss(params string[] items) =>
        $"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Hostile feed</title><link>http://example.org/</link>{string.Concat(items)}</channel></rss>";

    private static string Item(string title, string link, string description) =>
        $"<item><title>{title}</title><link>{link}</link><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate><description>{description}</description></item>";

    [GeneratedRegex(@"Feed hostile failed \((\w+)\)")]
    private static partial Regex ErrorPattern();

    [GeneratedRegex(@"Maximum resident set size \(kbytes\): (\d+)")]
    private static partial Regex MaxRssPattern();
}
