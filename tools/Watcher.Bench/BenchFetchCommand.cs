using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Watcher.Feeds;
using Watcher.Local.DevServices;
using Watcher.Local.Hosting;
using Watcher.Storage;

namespace Watcher.Bench;

/// <summary>
/// <c>watcher-bench fetch</c>: a fetch cycle over many feeds served by a local HTTP server that
/// answers every request after a delay, against a real Azurite (state and article writes are part
/// of the cycle), twice (the second pass all 304), and then the same feeds fetched one by one by
/// Debian's python3-feedparser as rss2email does, for the ratio.
/// </summary>
internal static class BenchFetchCommand
{
    private static readonly string[] Vocabulary =
    [
        "network", "operator", "government", "security", "vendor", "contract", "minister", "market", "shares", "export",
        "licence", "court", "ruling", "appeal", "company", "chipmaker", "investors", "sanctions", "parliament", "regulator",
        "equipment", "spectrum", "auction", "telecom", "deadline", "statement", "analysts", "quarter", "revenue", "supplier",
        "ministry", "agency", "decision", "hearing", "committee", "billion", "factory", "platform", "software", "research",
    ];

    public static Command Create()
    {
        var feedCount = new Option<int>("--feeds") { Description = "Number of feeds.", DefaultValueFactory = _ => 1000 };
        var portCount = new Option<int>("--ports") { Description = "Ports (hosts) the feeds are spread over; the politeness limits apply per host and port.", DefaultValueFactory = _ => 100 };
        var items = new Option<int>("--items") { Description = "Items per feed (each a new article on the first pass).", DefaultValueFactory = _ => 1 };
        var delay = new Option<int>("--delay-ms") { Description = "How long the server waits before answering each request.", DefaultValueFactory = _ => 50 };
        var concurrency = new Option<int>("--concurrency") { Description = "Watcher:Fetch:MaxConcurrency for the run (the default is 16).", DefaultValueFactory = _ => 16 };
        var skipFeedparser = new Option<bool>("--no-feedparser") { Description = "Skip the python3-feedparser comparison." };
        var fetch = new Command("fetch", "Benchmark a fetch cycle over many local feeds against Azurite, side by side with feedparser.") { feedCount, portCount, items, delay, concurrency, skipFeedparser };
        fetch.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var settings = new BenchSettings(parse.GetValue(feedCount), parse.GetValue(portCount), parse.GetValue(items), parse.GetValue(delay), parse.GetValue(concurrency));
            var work = Path.Combine(Path.GetTempPath(), "watcher-bench-fetch-" + Guid.NewGuid().ToString("n"));
            try
            {
                return await RunAsync(settings, work, parse.GetValue(skipFeedparser), output, cancellationToken);
            }
            finally
            {
                try
                {
                    Directory.Delete(work, recursive: true);
                }
                catch (IOException)
                {
                    // Azurite may still hold a file for a moment; the temp folder is cleaned by the OS.
                }
            }
        });
        return fetch;
    }

    private static async Task<int> RunAsync(BenchSettings settings, string work, bool skipFeedparser, TextWriter output, CancellationToken cancellationToken)
    {
        await using var azurite = await AzuriteService.StartAsync(Path.Combine(work, "azurite"), cancellationToken: cancellationToken);
        using var server = new DelayedFeedServer(settings);
        server.Start();
        var urls = server.FeedUrls;
        output.WriteLine($"{settings.Feeds} feeds, {settings.ItemsPerFeed} item(s) each, on {settings.Ports} ports of 127.0.0.1; every answer after {settings.DelayMs} ms.");
        output.WriteLine($"Watcher: MaxConcurrency {settings.Concurrency}, MaxConcurrencyPerHost 2, MinIntervalPerHost 250 ms (defaults), PollInterval 0 so the second pass polls again; state and articles in Azurite.");

        var config = new JsonObject
        {
            ["Watcher"] = new JsonObject
            {
                ["Storage"] = new JsonObject { ["ConnectionString"] = azurite.ConnectionString },
                ["Fetch"] = new JsonObject { ["MaxConcurrency"] = settings.Concurrency, ["PollInterval"] = "00:00:00" },
                ["Feeds"] = new JsonArray(urls.Select((u, i) => (JsonNode)new JsonObject { ["Name"] = $"bench-{i:0000}", ["Url"] = u }).ToArray()),
                ["Smtp"] = new JsonObject { ["Transport"] = "pickup", ["PickupDirectory"] = Path.Combine(work, "mail") },
            },
        };
        var configPath = Path.Combine(work, "watcher.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString(), cancellationToken);

        var rows = new List<(string Name, TimeSpan Elapsed, string Detail)>();
        using (var app = WatcherApp.Build(configPath, LogLevel.Error))
        {
            await app.GetRequiredService<WatcherStorage>().EnsureCreatedAsync(cancellationToken);
            var poller = app.GetRequiredService<FeedPoller>();
            foreach (var pass in new[] { "first pass", "second pass" })
            {
                var requestsBefore = server.Requests;
                var notModifiedBefore = server.NotModified;
                var clock = Stopwatch.StartNew();
                var results = await poller.PollAllAsync(cancellationToken);
                clock.Stop();
                var failed = results.Count(r => r.Error is not null);
                var detail = $"{server.Requests - requestsBefore} requests, {server.NotModified - notModifiedBefore} answered 304, {results.Sum(r => r.NewArticles)} new articles, {failed} failed";
                rows.Add(($"Watcher {pass}", clock.Elapsed, detail));
                output.WriteLine($"Watcher {pass}: {clock.Elapsed.TotalSeconds:0.00} s ({detail})");
                if (failed > 0)
                {
                    output.WriteLine("  first failure: " + results.First(r => r.Error is not null).Error);
                }
            }
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        output.WriteLine($"Watcher peak working set (whole process, including the in-process HTTP server): {process.PeakWorkingSet64 / (1024.0 * 1024):0} MB");

        if (!skipFeedparser)
        {
            await RunFeedparserAsync(urls, work, output, rows, cancellationToken);
        }

        output.WriteLine();
        output.WriteLine("| run | seconds | detail |");
        output.WriteLine("| --- | ---: | --- |");
        foreach (var (name, elapsed, detail) in rows)
        {
            output.WriteLine($"| {name} | {elapsed.TotalSeconds:0.00} | {detail} |");
        }

        return 0;
    }

    /// <summary>feedparser fetching the feeds one after the other, as rss2email does, with its ETag on the second pass.</summary>
    private static async Task RunFeedparserAsync(List<string> urls, string work, TextWriter output, List<(string, TimeSpan, string)> rows, CancellationToken cancellationToken)
    {
        const string Python = "/usr/bin/python3";
        var script = Path.Combine(work, "feedparser_bench.py");
        var list = Path.Combine(work, "urls.txt");
        await File.WriteAllLinesAsync(list, urls, cancellationToken);
        await File.WriteAllTextAsync(script, """
            import sys, time, feedparser
            urls = [u.strip() for u in open(sys.argv[1]) if u.strip()]
            state = {}
            for name in ("first pass", "second pass"):
                start = time.perf_counter()
                entries = not_modified = 0
                for url in urls:
                    etag, modified = state.get(url, (None, None))
                    d = feedparser.parse(url, etag=etag, modified=modified)
                    if d.get("status") == 304:
                        not_modified += 1
                    entries += len(d.entries)
                    state[url] = (d.get("etag"), d.get("modified"))
                print(f"{name}\t{time.perf_counter() - start:.3f}\t{entries}\t{not_modified}", flush=True)
            """, cancellationToken);
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(list);
        Process? python;
        try
        {
            python = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            output.WriteLine($"feedparser comparison skipped: cannot start {Python} ({e.Message}); apt-get install -y python3-feedparser");
            return;
        }

        using (python)
        {
            var stdout = python!.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = python.StandardError.ReadToEndAsync(cancellationToken);
            await python.WaitForExitAsync(cancellationToken);
            if (python.ExitCode != 0)
            {
                output.WriteLine($"feedparser comparison failed (is python3-feedparser installed? apt-get install -y python3-feedparser): {(await stderr).Trim()}");
                return;
            }

            foreach (var line in (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var fields = line.Split('\t');
                var elapsed = TimeSpan.FromSeconds(double.Parse(fields[1], CultureInfo.InvariantCulture));
                var detail = $"{urls.Count} requests one by one, {fields[3]} answered 304, {fields[2]} entries parsed, no storage";
                rows.Add(($"feedparser {fields[0]}", elapsed, detail));
                output.WriteLine($"feedparser {fields[0]}: {elapsed.TotalSeconds:0.00} s ({detail})");
            }
        }
    }

    private sealed record BenchSettings(int Feeds, int Ports, int ItemsPerFeed, int DelayMs, int Concurrency);

    /// <summary>
    /// An HttpListener, not <see cref="BenchFeedServer"/>'s Kestrel: the figures in docs/BENCHMARKS.md
    /// were measured with it. It sits in this process, so its memory counts in the peak figure.
    /// </summary>
    private sealed class DelayedFeedServer(BenchSettings settings) : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly Dictionary<string, byte[]> bodies = new(StringComparer.Ordinal);
        private int requests;
        private int notModified;

        public List<string> FeedUrls { get; } = [];

        public int Requests => Volatile.Read(ref requests);

        public int NotModified => Volatile.Read(ref notModified);

        public void Start()
        {
            var ports = Enumerable.Range(0, settings.Ports).Select(_ => FreePort()).ToList();
            foreach (var port in ports)
            {
                listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            }

            var random = new Random(20261122);
            for (var i = 0; i < settings.Feeds; i++)
            {
                var path = $"/feeds/{i:0000}.xml";
                var url = $"http://127.0.0.1:{ports[i % ports.Count]}{path}";
                FeedUrls.Add(url);
                bodies[path] = Encoding.UTF8.GetBytes(FeedDocument(i, random));
            }

            listener.Start();
            _ = Task.Run(AcceptLoopAsync);
        }

        private string FeedDocument(int feed, Random random)
        {
            var xml = new StringBuilder($"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>Bench feed {feed}</title><link>http://bench{feed}.example/</link>");
            for (var item = 0; item < settings.ItemsPerFeed; item++)
            {
                var words = string.Join(' ', Enumerable.Range(0, 60).Select(_ => Vocabulary[random.Next(Vocabulary.Length)] + random.Next(1000).ToString(CultureInfo.InvariantCulture)));
                xml.Append(CultureInfo.InvariantCulture, $"<item><title>Story {item} of feed {feed}</title><link>http://bench{feed}.example/story/{item}</link><guid>http://bench{feed}.example/story/{item}</guid><pubDate>Sun, 22 Nov 2026 08:{item % 60:00}:00 GMT</pubDate><description>{words}</description></item>");
            }

            return xml.Append("</channel></rss>").ToString();
        }

        private async Task AcceptLoopAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                _ = Task.Run(() => AnswerAsync(context));
            }
        }

        private async Task AnswerAsync(HttpListenerContext context)
        {
            Interlocked.Increment(ref requests);
            await Task.Delay(settings.DelayMs);
            var response = context.Response;
            try
            {
                var path = context.Request.Url!.AbsolutePath;
                if (!bodies.TryGetValue(path, out var body))
                {
                    response.StatusCode = 404;
                    return;
                }

                var etag = $"\"{path.GetHashCode(StringComparison.Ordinal):x8}\"";
                if (context.Request.Headers["If-None-Match"] == etag)
                {
                    Interlocked.Increment(ref notModified);
                    response.StatusCode = 304;
                    return;
                }

                response.ContentType = "application/rss+xml; charset=utf-8";
                response.Headers["ETag"] = etag;
                response.ContentLength64 = body.Length;
                await response.OutputStream.WriteAsync(body);
            }
            catch (HttpListenerException)
            {
                // The client went away; nothing to answer.
            }
            finally
            {
                response.Close();
            }
        }

        private static int FreePort()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        public void Dispose()
        {
            listener.Stop();
            listener.Close();
        }
    }
}
