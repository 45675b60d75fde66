using System.Globalization;
using System.Text.Json.Nodes;
using Watcher.Local.DevServices;
using Watcher.Tests.EndToEnd;
using Watcher.Tests.Support;

namespace Watcher.Tests.Faults;

/// <summary>
/// The mail server down for a whole cycle: nothing is lost, the message ends in
/// <c>summaries-poison</c> after five dequeues, and <c>watcher poison replay</c> brings it back.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class SmtpOutageTests(ServicesFixture services) : PipelineTestBase
{

    [Fact]
    public async Task A_cycle_without_SMTP_poisons_the_message_and_replay_delivers_it_once()
    {
        var ann = $"ann-{Run}@example.org";
        var story = new TestItem(
            "Poland bars Huawei and ZTE from its 5G networks",
            "https://news.example.com/poland-5g",
            "The government of Poland will exclude Huawei and ZTE from its 5G networks, the digital ministry said. Operators get five years to remove their equipment.",
            new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero));
        var feed = Feeds.Put("feed.xml", "application/rss+xml", FeedDocuments.Rss("Wire", "en", [story]));
        var config = TestConfig.Write(WorkDirectory, new JsonObject
        {
            ["Storage"] = new JsonObject { ["ConnectionString"] = Azurite.ConnectionString },
            ["Feeds"] = new JsonArray(TestConfig.Feed("Wire", feed, "en")),
            ["Subscribers"] = new JsonArray(TestConfig.Subscriber(ann, "instant", "5g-ban")),
            ["Smtp"] = new JsonObject { ["Host"] = "127.0.0.1", ["Port"] = NodeService.FreePort(), ["From"] = "watcher@example.org" },
        });
        var smtpBack = new Dictionary<string, string> { ["Watcher__Smtp__Port"] = services.MailDev.SmtpPort.ToString(CultureInfo.InvariantCulture) };

        // With no visibility delay (the Functions default) a failing message is retried at once,
        // so one cycle uses up its five dequeues.
        var down = await WatcherCli.RunAsync(["run", "--once", "--queue-retry-delay", "00:00:00", "--config", config]);
        Assert.NotEqual(0, down.ExitCode);
        Assert.True(down.Output.Contains("dequeue 5/5", StringComparison.Ordinal), down.ToString());
        Assert.Empty(await services.Mail.ForAsync(ann));

        var listed = await WatcherCli.RunAsync(["poison", "list", "--config", config]);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains("1 message(s) in summaries-poison", listed.StandardOutput, StringComparison.Ordinal);

        var replayed = await WatcherCli.RunAsync(["poison", "replay", "--config", config], smtpBack);
        Assert.True(replayed.ExitCode == 0, replayed.ToString());
        Assert.Contains("1 message(s) moved back to summaries", replayed.StandardOutput, StringComparison.Ordinal);

        var back = await WatcherCli.RunAsync(["run", "--once", "--config", config], smtpBack);
        Assert.True(back.ExitCode == 0, back.ToString());
        var mails = await services.Mail.ForAsync(ann);
        Assert.Equal(1, mails.Count(m => (m.Text ?? "").Contains(story.Title, StringComparison.Ordinal)));

        var empty = await WatcherCli.RunAsync(["poison", "list", "--config", config]);
        Assert.Contains("0 message(s) in summaries-poison", empty.StandardOutput, StringComparison.Ordinal);
    }
}
