using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Watcher.Configuration;
using Watcher.Delivery;
using Watcher.Digests;
using Watcher.Local.DevServices;
using Watcher.Local.Hosting;
using Watcher.Mail;
using Watcher.Subscribers;

namespace Watcher.Local.Commands;

/// <summary><c>watcher digest preview|bench</c>: what a subscriber would get now, and how fast digests render and send.</summary>
internal static class DigestCommand
{
    public static Command Create() => new("digest", "Digest mails.") { CreatePreview(), CreateBench() };

    private static Command CreatePreview()
    {
        var subscriber = new Option<string>("--subscriber") { Description = "The subscriber's e-mail address.", Required = true };
        var html = new Option<string?>("--html") { Description = "Also write the HTML of the mail to this file." };
        var command = new Command("preview", "Show the digest a subscriber's pending items would make now, without sending it.") { subscriber, html };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var app = await WatcherAppStorage.BuildWithStorageAsync(parse.GetValue(GlobalOptions.Config), cancellationToken);
            var email = parse.GetValue(subscriber)!;
            var subscription = await app.GetRequiredService<SubscriberDirectory>().FindAsync(email, cancellationToken);
            if (subscription is null)
            {
                Console.Error.WriteLine($"{email} is not a configured subscriber.");
                return 1;
            }

            var now = app.GetRequiredService<TimeProvider>().GetUtcNow();
            var preview = await app.GetRequiredService<DigestSender>().PreviewAsync(subscription.Subscriber, now, cancellationToken);
            var schedule = subscription.Subscriber.Schedule;
            Console.WriteLine($"{email}: {schedule}{(subscription.Unsubscribed ? ", UNSUBSCRIBED (nothing is sent)" : "")}, {preview.PendingCount} item(s) pending.");
            if (preview.CurrentPeriod is { } period)
            {
                Console.WriteLine($"Current period {period.Id} began {period.SendInstant:u}; items pending since then wait for the next one.");
            }

            if (preview.Digest is null)
            {
                Console.WriteLine("Nothing would be sent: no pending items.");
                return 0;
            }

            Console.WriteLine($"Subject: {preview.Digest.Subject}");
            Console.WriteLine();
            Console.WriteLine(preview.Digest.Text);
            if (parse.GetValue(html) is { } htmlFile)
            {
                await File.WriteAllTextAsync(htmlFile, preview.Digest.Html, cancellationToken);
                Console.WriteLine($"HTML written to {Path.GetFullPath(htmlFile)}");
            }

            return 0;
        });
        return command;
    }

    private static Command CreateBench()
    {
        var items = new Option<int>("--items") { Description = "Items in the rendered digest.", DefaultValueFactory = _ => 500 };
        var mails = new Option<int>("--mails") { Description = "Instant mails sent into MailDev.", DefaultValueFactory = _ => 1000 };
        var command = new Command("bench", "Measure rendering a large digest, and instant mails per second into a local MailDev over one reused SMTP connection.") { items, mails };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var data = Path.Combine(Path.GetTempPath(), "watcher-bench-" + Guid.NewGuid().ToString("n"));
            await using var mailDev = await MailDevService.StartAsync(Path.Combine(data, "mail"), cancellationToken: cancellationToken);
            Environment.SetEnvironmentVariable("Watcher__Smtp__Transport", "smtp");
            Environment.SetEnvironmentVariable("Watcher__Smtp__Host", "127.0.0.1");
            Environment.SetEnvironmentVariable("Watcher__Smtp__Port", mailDev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var app = WatcherApp.Build(parse.GetValue(GlobalOptions.Config), Microsoft.Extensions.Logging.LogLevel.Warning);
            var renderer = app.GetRequiredService<DigestRenderer>();
            var composer = app.GetRequiredService<MailComposer>();
            var transport = app.GetRequiredService<IMailTransport>();
            var tokens = app.GetRequiredService<PreferenceTokens>();
            var topics = app.GetRequiredService<IOptions<WatcherOptions>>().Value.Topics.Keys.ToList();
            var subscriber = new SubscriberOptions { Email = "bench@example.org", Name = "Bench", Topics = topics, TimeZone = "Europe/Brussels" };
            var preferences = tokens.PreferencesUrl(subscriber.Email);

            var digestItems = BenchItems(parse.GetValue(items), topics);
            renderer.Render(subscriber, digestItems, preferences);
            const int runs = 100;
            var renderTimes = new List<double>();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            for (var run = 0; run < runs; run++)
            {
                var watch = Stopwatch.StartNew();
                renderer.Render(subscriber, digestItems, preferences);
                renderTimes.Add(watch.Elapsed.TotalMilliseconds);
            }

            // CPU time beside wall time: on a shared machine the wall time also counts waiting for a core.
            var cpuPerRender = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / runs;
            renderTimes.Sort();
            Console.WriteLine($"Render {digestItems.Count}-item digest: median {renderTimes[runs / 2]:0.0} ms, min {renderTimes[0]:0.0} ms, max {renderTimes[^1]:0.0} ms wall; {cpuPerRender:0.0} ms CPU per render ({runs} runs after warm-up).");

            // One instant mail per call, as DeliverSummaries sends them: render, compose, send.
            var count = parse.GetValue(mails);
            var single = BenchItems(1, topics);
            var sendWatch = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                var message = composer.Compose(subscriber, MailComposer.MessageIdFor($"bench-{i}", "watcher@example.org"), renderer.Render(subscriber, single, preferences), preferences);
                await transport.SendAsync([message], cancellationToken);
            }

            var seconds = sendWatch.Elapsed.TotalSeconds;
            var saved = await WaitForMailAsync(mailDev.MailDirectory, count, cancellationToken);
            Console.WriteLine($"Instant mails into MailDev: {count} in {seconds:0.00} s = {count / seconds:0} mails/s over one SMTP connection; MailDev saved {saved}.");
            return saved == count ? 0 : 1;
        });
        return command;
    }

    private static async Task<int> WaitForMailAsync(string directory, int expected, CancellationToken cancellationToken)
    {
        var saved = 0;
        for (var i = 0; i < 100 && saved < expected; i++)
        {
            saved = Directory.GetFiles(directory, "*.eml").Length;
            await Task.Delay(100, cancellationToken);
        }

        return saved;
    }

    private static List<DigestItem> BenchItems(int count, List<string> topics)
    {
        var start = new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero);
        return Enumerable.Range(0, count).Select(i => new DigestItem
        {
            ArticleId = $"a{i:D5}",
            Title = $"Article {i}: regulator weighs excluding high-risk vendors from 5G networks",
            Url = $"https://news.example.org/{i}",
            Source = $"Feed {i % 7}",
            Published = start.AddMinutes(-i),
            Language = i % 2 == 0 ? "en" : "nl",
            Summary = "The government is considering a ban on Huawei and ZTE equipment in the core of its 5G network, citing national security. Operators would have three years to replace equipment.",
            Topics = [new DigestItemTopic(topics[i % topics.Count], topics[i % topics.Count], 0.8, "The minister said high-risk vendors would be excluded from the 5G core.")],
            SameStoryAs = i % 10 == 1 ? [$"a{i - 1:D5}"] : [],
            AddedAt = start,
        }).ToList();
    }
}
