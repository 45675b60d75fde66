using System.Globalization;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Watcher.Local.DevServices;
using Watcher.Storage;
using Watcher.Tests.Delivery;
using Watcher.Tests.EndToEnd;
using Watcher.Tests.Support;

namespace Watcher.Tests.Faults;

/// <summary>
/// The mail server down, for a whole run or for part of one: the summaries wait on the queue
/// without spending their tries (nothing goes to poison), the outage is said once, and the mail
/// goes out once when the server answers. Poison messages whose articles went out since are settled.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class SmtpOutageTests(ServicesFixture services) : PipelineTestBase
{
    private static readonly TestItem[] Stories =
    [
        new("Poland bars Huawei and ZTE from its 5G networks", "https://news.example.com/poland-5g",
            "The government of Poland will exclude Huawei and ZTE from its 5G networks, the digital ministry said. Operators get five years to remove their equipment.",
            new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero)),
        new("Portugal orders operators to strip Huawei gear from 5G core", "https://news.example.com/portugal-5g",
            "Portugal's cybersecurity council ruled that equipment from high-risk vendors such as Huawei may not be used in 5G networks. Telecom operators must replace it.",
            new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero)),
        new("Sweden upholds ban on Huawei in 5G auction", "https://news.example.com/sweden-5g",
            "A Swedish court upheld the telecom regulator's decision to ban Huawei equipment from the country's 5G networks, rejecting the Chinese vendor's appeal.",
            new DateTimeOffset(2026, 11, 21, 11, 0, 0, TimeSpan.Zero)),
    ];

    [Fact]
    public async Task A_run_without_SMTP_keeps_the_summaries_on_the_queue_and_the_next_run_mails_them_once()
    {
        var ann = $"ann-{Run}@example.org";
        var config = WriteConfig(ann, NodeService.FreePort(), [Stories[0]]);
        var smtpBack = new Dictionary<string, string> { ["Watcher__Smtp__Port"] = services.MailDev.SmtpPort.ToString(CultureInfo.InvariantCulture) };

        // With no visibility delay (the Functions default) a failing message would be retried at
        // once and use up its five dequeues within the run.
        var down = await WatcherCli.RunAsync(["run", "--once", "--queue-retry-delay", "00:00:00", "--config", config]);
        Assert.NotEqual(0, down.ExitCode);
        Assert.Contains("summaries wait on the queue", down.Output, StringComparison.Ordinal);
        Assert.Contains("(Watcher:Smtp:Host and Port) does not answer", down.Output, StringComparison.Ordinal);
        Assert.Contains("Start the mail server (./demo.sh starts MailDev) or correct Watcher:Smtp", down.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("dequeue", down.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("summaries-poison", down.Output, StringComparison.Ordinal);
        Assert.Empty(await services.Mail.ForAsync(ann));
        Assert.Contains("0 message(s) in summaries-poison", (await WatcherCli.RunAsync(["poison", "list", "--config", config])).StandardOutput, StringComparison.Ordinal);

        // The message is back on the queue after the outage pause (one second here).
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var back = await WatcherCli.RunAsync(["run", "--once", "--config", config], smtpBack);
        Assert.True(back.ExitCode == 0, back.ToString());
        var mails = await services.Mail.ForAsync(ann);
        Assert.Equal(1, mails.Count(m => (m.Text ?? "").Contains(Stories[0].Title, StringComparison.Ordinal)));
        Assert.Contains("0 message(s) in summaries-poison", (await WatcherCli.RunAsync(["poison", "list", "--config", config])).StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mail_server_that_goes_away_during_watcher_run_is_waited_for_said_once_and_every_story_is_mailed_once_when_it_is_back()
    {
        var ann = $"ann-{Run}@example.org";
        await using var smtp = new SwitchableTcpProxy(services.MailDev.SmtpPort);
        var config = WriteConfig(ann, smtp.Port, Stories);

        using var running = WatcherCli.Start(["run", "--queue-retry-delay", "00:00:00", "--config", config]);
        await running.WaitForOutputAsync("Mail waits and the summaries stay on the queue", TimeSpan.FromSeconds(60));

        // Several pauses (1, 2, 2 s) pass while the server is away: without the circuit each
        // would have spent a try, and five tries poison a message.
        await Task.Delay(TimeSpan.FromSeconds(7));
        Assert.Empty(await services.Mail.ForAsync(ann));
        var poison = new QueueClient(Azurite.ConnectionString, StorageNames.SummariesPoisonQueue);
        Assert.False(await poison.ExistsAsync() && (await poison.PeekMessagesAsync(32)).Value.Length > 0, "a message went to poison during the outage");

        smtp.Up();
        await running.WaitForOutputAsync("answers again", TimeSpan.FromSeconds(30));
        await services.Mail.WaitForAsync(ann, 1);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var mails = await services.Mail.ForAsync(ann);
        foreach (var story in Stories)
        {
            Assert.Equal(1, mails.Count(m => (m.Text ?? "").Contains(story.Title, StringComparison.Ordinal)));
        }

        await running.InterruptAsync();
        var stopped = await running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(CountOf(stopped.Output, "Mail waits and the summaries stay on the queue") == 1, stopped.ToString());
        Assert.DoesNotContain("summaries-poison", stopped.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Poison_messages_whose_article_reached_everyone_are_settled_and_the_others_stay()
    {
        var ann = $"ann-{Run}@example.org";
        var config = WriteConfig(ann, services.MailDev.SmtpPort, [Stories[0]]);
        var delivered = await WatcherCli.RunAsync(["run", "--once", "--config", config]);
        Assert.True(delivered.ExitCode == 0, delivered.ToString());
        await services.Mail.WaitForAsync(ann, 1);

        // What a poison message of that article looks like (left by an outage under an older
        // build, or a failure after which a later mail carried the article), beside two that
        // can never be settled.
        var classified = new Azure.Storage.Blobs.BlobContainerClient(Azurite.ConnectionString, StorageNames.ClassifiedContainer);
        var verdict = Assert.Single(await classified.GetBlobsAsync().ToListAsync());
        var poison = new QueueClient(Azurite.ConnectionString, StorageNames.SummariesPoisonQueue, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await poison.CreateIfNotExistsAsync();
        var settledBody = new JsonObject { ["articleId"] = Path.GetFileNameWithoutExtension(verdict.Name.Split('/')[^1]), ["classifiedBlob"] = verdict.Name }.ToJsonString();
        await poison.SendMessageAsync(settledBody);
        await poison.SendMessageAsync("{\"articleId\":\"gone\",\"classifiedBlob\":\"2026/11/21/gone.json\"}");
        await poison.SendMessageAsync("not json at all");

        var listed = await WatcherCli.RunAsync(["poison", "list", "--config", config]);
        Assert.True(listed.ExitCode == 0, listed.ToString());
        Assert.Contains("1 message(s) settled", listed.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("2 message(s) in summaries-poison", listed.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(settledBody, listed.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("not json at all", listed.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(2, (await poison.PeekMessagesAsync(32)).Value.Length);
    }

    private string WriteConfig(string subscriber, int smtpPort, IReadOnlyList<TestItem> stories)
    {
        var feed = Feeds.Put($"feed-{Guid.NewGuid():n}.xml", "application/rss+xml", FeedDocuments.Rss("Wire", "en", stories));
        return TestConfig.Write(WorkDirectory, new JsonObject
        {
            ["Storage"] = new JsonObject { ["ConnectionString"] = Azurite.ConnectionString },
            ["Feeds"] = new JsonArray(TestConfig.Feed("Wire", feed, "en")),
            ["Subscribers"] = new JsonArray(TestConfig.Subscriber(subscriber, "instant", "5g-ban")),
            ["Smtp"] = new JsonObject
            {
                ["Host"] = "127.0.0.1",
                ["Port"] = smtpPort,
                ["From"] = "watcher@example.org",
                ["OutageRetryDelay"] = "00:00:01",
                ["MaxOutageRetryDelay"] = "00:00:02",
            },
        });
    }

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
