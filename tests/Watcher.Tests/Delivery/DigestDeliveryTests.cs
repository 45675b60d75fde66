using MimeKit;
using Watcher.Configuration;
using Watcher.Digests;
using Watcher.Subscribers;
using Watcher.Tests.Support;

namespace Watcher.Tests.Delivery;

/// <summary>DeliverSummaries and SendDigests end to end on a real Azurite and MailDev.</summary>
public sealed class DigestDeliveryTests(ServicesFixture services) : IClassFixture<ServicesFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 10, 24, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_instant_subscriber_gets_one_mail_per_article_with_one_click_unsubscribe_headers()
    {
        var ann = DeliveryTestHost.Subscriber("ann", DeliverySchedule.Instant);
        using var host = await DeliveryTestHost.CreateAsync(services, [ann], new ManualClock(Start));
        var id = DeliveryTestHost.NewId();
        var message = await host.AddClassifiedArticleAsync(id, "Belgium bars Huawei from 5G core", ["5g-ban", "blacklist"], alsoFeeds: ["Techblad NL"]);

        Assert.Null(await host.DeliverAsync(message));
        Assert.Null(await host.DeliverAsync(message));

        var mails = await services.Mail.WaitForAsync(ann.Email, 1);
        await Task.Delay(300);
        mails = await services.Mail.ForAsync(ann.Email);
        var mail = Assert.Single(mails);
        Assert.Equal("Watcher: 1 new — 5G bans 1", mail.Subject);

        var source = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(await services.Mail.SourceAsync(mail.Id))));
        var unsubscribe = source.Headers["List-Unsubscribe"]!;
        Assert.Matches(@"^<http://127\.0\.0\.1:7071/api/preferences\?token=[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+>$", unsubscribe);
        Assert.Equal("List-Unsubscribe=One-Click", source.Headers["List-Unsubscribe-Post"]);
        Assert.NotNull(source.HtmlBody);
        Assert.NotNull(source.TextBody);
        Assert.Contains("Belgium bars Huawei from 5G core", source.HtmlBody);
        Assert.Contains("Belgium bars Huawei from 5G core", source.TextBody);
        Assert.Contains("Also reported by Techblad NL", source.TextBody);
        Assert.Contains("Blacklists", source.HtmlBody);

        var token = unsubscribe[(unsubscribe.IndexOf("token=", StringComparison.Ordinal) + 6)..^1];
        Assert.Equal(ann.Email, host.Get<Watcher.Subscribers.PreferenceTokens>().Validate(token).Email, ignoreCase: true);
    }

    [Fact]
    public async Task Messages_received_together_make_one_instant_mail_and_a_bad_one_fails_alone()
    {
        var ann = DeliveryTestHost.Subscriber("ann", DeliverySchedule.Instant);
        var bram = DeliveryTestHost.Subscriber("bram", DeliverySchedule.Instant, "blacklist");
        using var host = await DeliveryTestHost.CreateAsync(services, [ann, bram], new ManualClock(Start));
        var first = await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Sweden bars Huawei from 5G", ["5g-ban"]);
        var second = await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Xiaomi put on the Pentagon list", ["blacklist"]);
        const string Broken = "{\"articleId\": \"gone\", \"classifiedBlob\": \"gone.json\"}";

        var outcomes = await host.Get<Watcher.Delivery.SummaryDeliveryService>().DeliverAsync([first, Broken, second], CancellationToken.None);

        Assert.Null(outcomes[0].Error);
        Assert.IsType<Watcher.Delivery.InvalidSummaryMessageException>(outcomes[1].Error);
        Assert.Null(outcomes[2].Error);
        var annMail = Assert.Single(await services.Mail.SettledAsync(ann.Email));
        Assert.StartsWith("Watcher: 2 new", annMail.Subject, StringComparison.Ordinal);
        var bramMail = await services.Mail.ParsedAsync(Assert.Single(await services.Mail.SettledAsync(bram.Email)));
        Assert.Contains("Xiaomi put on the Pentagon list", bramMail.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("Sweden bars Huawei", bramMail.TextBody, StringComparison.Ordinal);

        // The same messages again (a retry after a crash before they were deleted) mail nothing.
        Assert.All(await host.Get<Watcher.Delivery.SummaryDeliveryService>().DeliverAsync([first, second], CancellationToken.None), o => Assert.Null(o.Error));
        Assert.Single(await services.Mail.SettledAsync(ann.Email));
    }

    [Fact]
    public async Task A_feed_title_with_script_and_CRLF_cannot_inject_a_header_or_a_script()
    {
        var ann = DeliveryTestHost.Subscriber("ann", DeliverySchedule.Instant);
        ann.Name = "Ann\r\nBcc: name-injected@example.org";
        using var host = await DeliveryTestHost.CreateAsync(services, [ann], new ManualClock(Start));
        var message = await host.AddClassifiedArticleAsync(
            DeliveryTestHost.NewId(),
            "Huawei ban <script>alert('x')</script>\r\nBcc: title-injected@example.org\r\nX-Injected: yes",
            ["5g-ban"],
            feedName: "Evil Feed\r\nX-Injected-Feed: yes");

        await host.DeliverAsync(message);

        var mail = Assert.Single(await services.Mail.WaitForAsync(ann.Email, 1));
        var raw = await services.Mail.SourceAsync(mail.Id);
        var headerBlock = raw[..raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var headerNames = headerBlock.Split("\r\n").Where(l => l.Length > 0 && !char.IsWhiteSpace(l[0])).Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]).ToList();
        Assert.DoesNotContain("Bcc", headerNames, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("X-Injected", headerNames, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("X-Injected-Feed", headerNames, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("script", raw, StringComparison.OrdinalIgnoreCase);
        Assert.Single(mail.To);

        var parsed = MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw)));
        Assert.DoesNotContain("script", parsed.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Huawei ban", parsed.HtmlBody);
        Assert.Equal(ann.Email, Assert.Single(parsed.To.Mailboxes).Address, ignoreCase: true);
    }

    [Fact]
    public async Task A_daily_digest_goes_out_once_at_the_local_send_time_with_a_stable_message_id()
    {
        var bram = DeliveryTestHost.Subscriber("bram", DeliverySchedule.Daily, "5g-ban", "divestment");
        var clock = new ManualClock(new DateTimeOffset(2026, 10, 24, 5, 30, 0, TimeSpan.Zero));
        using var host = await DeliveryTestHost.CreateAsync(services, [bram], clock);
        var digests = host.Get<DigestService>();

        // Saturday's digest (08:00 CEST = 06:00 UTC) goes out first.
        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Saturday news", ["5g-ban"]));
        Assert.Equal(1, (await digests.SendDueAsync(new DateTimeOffset(2026, 10, 24, 6, 0, 0, TimeSpan.Zero), CancellationToken.None)).DigestsSent);
        Assert.Single(await services.Mail.WaitForAsync(bram.Email, 1));

        clock.Now = Start;
        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Italy weighs 5G ban", ["5g-ban"]));
        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Forced sale of TikTok", ["divestment"]));
        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Entity list grows", ["blacklist"]));

        // Hourly ticks through the night of 2026-10-25, when Brussels falls back: 08:00 CET is 07:00 UTC.
        for (clock.Now = Start.AddHours(1); clock.Now <= new DateTimeOffset(2026, 10, 25, 6, 0, 0, TimeSpan.Zero); clock.Now = clock.Now.AddHours(1))
        {
            await digests.SendDueAsync(clock.Now, CancellationToken.None);
        }

        Assert.Single(await services.Mail.SettledAsync(bram.Email));

        clock.Now = new DateTimeOffset(2026, 10, 25, 7, 0, 0, TimeSpan.Zero);
        var result = await digests.SendDueAsync(clock.Now, CancellationToken.None);
        Assert.Equal(1, result.DigestsSent);
        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal(0, (await digests.SendDueAsync(clock.Now.AddHours(i), CancellationToken.None)).DigestsSent);
        }

        var mails = await services.Mail.SettledAsync(bram.Email);
        Assert.Equal(2, mails.Count);
        Assert.Equal("Watcher daily digest, Sat 24 Oct 2026: 1 new — 5G bans 1", Assert.Single(mails, m => m.Subject.Contains("Sat 24 Oct", StringComparison.Ordinal)).Subject);
        var sunday = Assert.Single(mails, m => m.Subject.Contains("Sun 25 Oct", StringComparison.Ordinal));
        Assert.Equal("Watcher daily digest, Sun 25 Oct 2026: 2 new — 5G bans 1, Divestment 1", sunday.Subject);
        Assert.Equal($"{SubscriberKey.For(bram.Email)}-d20261025@example.org", (await services.Mail.ParsedAsync(sunday)).MessageId);

        // The next day has nothing new: nothing is sent for an empty period.
        Assert.Equal(0, (await digests.SendDueAsync(new DateTimeOffset(2026, 10, 26, 8, 0, 0, TimeSpan.Zero), CancellationToken.None)).DigestsSent);
        Assert.Equal(2, (await services.Mail.SettledAsync(bram.Email)).Count);
    }

    [Fact]
    public async Task Items_that_arrive_after_the_period_was_sent_wait_for_the_next_period()
    {
        var cleo = DeliveryTestHost.Subscriber("cleo", DeliverySchedule.Daily);
        var clock = new ManualClock(new DateTimeOffset(2026, 10, 26, 6, 30, 0, TimeSpan.Zero));
        using var host = await DeliveryTestHost.CreateAsync(services, [cleo], clock);
        var digests = host.Get<DigestService>();
        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Morning 5G news", ["5g-ban"]));
        Assert.Equal(1, (await digests.SendDueAsync(new DateTimeOffset(2026, 10, 26, 7, 0, 0, TimeSpan.Zero), CancellationToken.None)).DigestsSent);

        // Arrives at 10:30 Brussels, after today's 08:00 digest went out.
        clock.Now = new DateTimeOffset(2026, 10, 26, 9, 30, 0, TimeSpan.Zero);
        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Late 5G news", ["5g-ban"]));
        for (var hour = 10; hour < 24; hour++)
        {
            Assert.Equal(0, (await digests.SendDueAsync(new DateTimeOffset(2026, 10, 26, hour, 0, 0, TimeSpan.Zero), CancellationToken.None)).DigestsSent);
        }

        Assert.Equal(1, (await digests.SendDueAsync(new DateTimeOffset(2026, 10, 27, 7, 0, 0, TimeSpan.Zero), CancellationToken.None)).DigestsSent);
        var mails = await services.Mail.WaitForAsync(cleo.Email, 2);
        Assert.Equal(2, mails.Count);
        var late = Assert.Single(mails, m => (m.Text ?? "").Contains("Late 5G news", StringComparison.Ordinal));
        Assert.EndsWith("-d20261027@example.org", (await services.Mail.ParsedAsync(late)).MessageId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crash_after_acceptance_repeats_the_digest_with_the_same_message_id_and_never_loses_it()
    {
        var dirk = DeliveryTestHost.Subscriber("dirk", DeliverySchedule.Daily);
        var clock = new ManualClock(Start);
        using var host = await DeliveryTestHost.CreateAsync(services, [dirk], clock);
        var articleId = DeliveryTestHost.NewId();
        await host.DeliverAsync(await host.AddClassifiedArticleAsync(articleId, "5G ban news", ["5g-ban"]));
        var at = new DateTimeOffset(2026, 10, 25, 7, 0, 0, TimeSpan.Zero);
        var pendingName = await host.Storage.Digests.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"pending/{SubscriberKey.For(dirk.Email)}/", CancellationToken.None).Select(b => b.Name).SingleAsync();
        var pendingBlob = host.Storage.Digests.GetBlobClient(pendingName);
        var pendingCopy = (await pendingBlob.DownloadContentAsync()).Value.Content;

        await host.Get<DigestService>().SendDueAsync(at, CancellationToken.None);

        // The state a crash right after the server accepted the mail leaves: no marker, item pending.
        var crashKey = SubscriberKey.For(dirk.Email);
        await host.Storage.Digests.GetBlobClient($"sent/{crashKey}/{crashKey}-d20261025.json").DeleteAsync();
        await host.Storage.Digests.GetBlobClient($"delivered/{crashKey}/{articleId}.json").DeleteAsync();
        await pendingBlob.UploadAsync(pendingCopy);

        await host.Get<DigestService>().SendDueAsync(at.AddHours(1), CancellationToken.None);
        await host.Get<DigestService>().SendDueAsync(at.AddHours(2), CancellationToken.None);

        var mails = await services.Mail.SettledAsync(dirk.Email);
        Assert.Equal(2, mails.Count);
        var key = SubscriberKey.For(dirk.Email);
        Assert.Equal($"{key}-d20261025@example.org", (await services.Mail.ParsedAsync(mails[0])).MessageId);
        Assert.Equal($"{key}-d20261025@example.org", (await services.Mail.ParsedAsync(mails[1])).MessageId);
        Assert.False((await pendingBlob.ExistsAsync()).Value);
    }

    [Fact]
    public async Task A_digest_larger_than_one_mail_goes_out_in_numbered_parts_and_a_deferred_part_follows_under_its_own_id()
    {
        var ivo = DeliveryTestHost.Subscriber("ivo", DeliverySchedule.Daily);
        var clock = new ManualClock(Start);
        using var host = await DeliveryTestHost.CreateAsync(services, [ivo], clock, new Dictionary<string, string?> { ["Watcher:Delivery:MaxPerMinute"] = "1" });
        var storyCount = DigestSender.MaxStoriesPerMail + 5;
        await QueueStoriesAsync(host, storyCount);

        var digests = host.Get<DigestService>();
        var at = new DateTimeOffset(2026, 10, 25, 7, 0, 0, TimeSpan.Zero);
        clock.Now = at;
        await digests.SendDueAsync(at, CancellationToken.None);
        var first = Assert.Single(await services.Mail.WaitForAsync(ivo.Email, 1));
        Assert.EndsWith("(part 1 of 2)", first.Subject, StringComparison.Ordinal);

        // The send rate held part 2 back; the next run sends it, then the period is done.
        clock.Now = at.AddMinutes(2);
        await digests.SendDueAsync(clock.Now, CancellationToken.None);
        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Arrived after the digest", ["5g-ban"]));
        clock.Now = at.AddMinutes(4);
        await digests.SendDueAsync(clock.Now, CancellationToken.None);

        var mails = await services.Mail.WaitForAsync(ivo.Email, 2);
        await Task.Delay(300);
        mails = await services.Mail.ForAsync(ivo.Email);
        Assert.Equal(2, mails.Count);
        var key = SubscriberKey.For(ivo.Email);
        var second = Assert.Single(mails, m => m.Id != first.Id);
        Assert.EndsWith("(part 2 of 2)", second.Subject, StringComparison.Ordinal);
        Assert.Equal($"{key}-d20261025@example.org", (await services.Mail.ParsedAsync(first)).MessageId);
        Assert.Equal($"{key}-d20261025-2@example.org", (await services.Mail.ParsedAsync(second)).MessageId);
        var mailed = mails.SelectMany(m => System.Text.RegularExpressions.Regex.Matches(m.Text ?? "", @"Huawei 5G story (\d{3})").Select(x => x.Groups[1].Value)).ToList();
        Assert.Equal(storyCount, mailed.Distinct().Count());
        Assert.Equal(storyCount, mailed.Count);
        var left = Assert.Single((await host.Get<DigestStore>().ReadPendingAsync(key, CancellationToken.None)).Items);
        Assert.Equal("Arrived after the digest", left.Title);

        // Items that arrived together were one pending bundle each; only the late one's is left.
        Assert.Equal(1, await host.Storage.Digests.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"pending/{key}/", CancellationToken.None).CountAsync());
    }

    [Fact]
    public async Task Parts_sent_in_one_run_leave_no_pending_bundle_behind()
    {
        var jan = DeliveryTestHost.Subscriber("jan", DeliverySchedule.Daily);
        using var host = await DeliveryTestHost.CreateAsync(services, [jan], new ManualClock(Start));
        await QueueStoriesAsync(host, DigestSender.MaxStoriesPerMail + 1);

        await host.Get<DigestService>().SendDueAsync(new DateTimeOffset(2026, 10, 25, 7, 0, 0, TimeSpan.Zero), CancellationToken.None);

        Assert.Equal(2, (await services.Mail.WaitForAsync(jan.Email, 2)).Count);

        // Bundles of 32 straddle the two parts; each goes once both parts are delivered.
        var key = SubscriberKey.For(jan.Email);
        Assert.Equal(0, await host.Storage.Digests.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"pending/{key}/", CancellationToken.None).CountAsync());
    }

    [Fact]
    public async Task A_pending_entry_from_before_bundles_is_sent_and_removed()
    {
        var kim = DeliveryTestHost.Subscriber("kim", DeliverySchedule.Daily);
        using var host = await DeliveryTestHost.CreateAsync(services, [kim], new ManualClock(Start));
        var key = SubscriberKey.For(kim.Email);
        var articleId = DeliveryTestHost.NewId();
        var oldEntry = host.Storage.Digests.GetBlobClient($"pending/{key}/{articleId}.json");
        await Watcher.Storage.JsonBlobs.UpsertAsync(
            oldEntry,
            new DigestItem
            {
                ArticleId = articleId,
                Title = "Pending since the previous version",
                Url = "https://news.example.org/old-entry",
                Source = "Wire Tech EN",
                Language = "en",
                Summary = "An entry written one item per blob.",
                Topics = [new DigestItemTopic("5g-ban", "5G bans", 0.9, null)],
                AddedAt = Start,
            },
            CancellationToken.None);

        await host.Get<DigestService>().SendDueAsync(new DateTimeOffset(2026, 10, 25, 7, 0, 0, TimeSpan.Zero), CancellationToken.None);

        var mail = Assert.Single(await services.Mail.WaitForAsync(kim.Email, 1));
        Assert.Contains("Pending since the previous version", mail.Text, StringComparison.Ordinal);
        Assert.False((await oldEntry.ExistsAsync()).Value);
    }

    /// <summary>Stories that are not the same story, delivered in batches of 32 as the queue hands them out.</summary>
    private static async Task QueueStoriesAsync(DeliveryTestHost host, int count)
    {
        var messages = new List<string>();
        for (var i = 0; i < count; i++)
        {
            messages.Add(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), $"Huawei 5G story {i:000}", ["5g-ban"]));
        }

        foreach (var batch in messages.Chunk(32))
        {
            Assert.All(await host.Get<Watcher.Delivery.SummaryDeliveryService>().DeliverAsync(batch, CancellationToken.None), o => Assert.Null(o.Error));
        }
    }

    [Fact]
    public async Task MaxItems_sends_a_digest_early_when_that_many_items_are_pending()
    {
        var eva = DeliveryTestHost.Subscriber("eva", DeliverySchedule.Weekly);
        eva.MaxItems = 2;
        using var host = await DeliveryTestHost.CreateAsync(services, [eva], new ManualClock(Start));

        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "First", ["5g-ban"]));
        Assert.Empty(await services.Mail.SettledAsync(eva.Email));

        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Second", ["blacklist"]));
        var mail = Assert.Single(await services.Mail.WaitForAsync(eva.Email, 1));
        Assert.Equal("Watcher: 2 new — 5G bans 1, Blacklists 1", mail.Subject);
    }

    [Fact]
    public async Task An_unsubscribed_address_gets_nothing_more()
    {
        var finn = DeliveryTestHost.Subscriber("finn", DeliverySchedule.Instant);
        var gus = DeliveryTestHost.Subscriber("gus", DeliverySchedule.Daily);
        using var host = await DeliveryTestHost.CreateAsync(services, [finn, gus], new ManualClock(Start));
        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Pending for gus", ["5g-ban"]));
        Assert.Single(await services.Mail.WaitForAsync(finn.Email, 1));

        var directory = host.Get<SubscriberDirectory>();
        foreach (var subscriber in new[] { finn, gus })
        {
            await directory.SaveAsync(new SubscriberPreferences { Email = subscriber.Email, Unsubscribed = true }, CancellationToken.None);
        }

        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "After unsubscribing", ["5g-ban"]));
        await host.Get<DigestService>().SendDueAsync(new DateTimeOffset(2026, 10, 26, 8, 0, 0, TimeSpan.Zero), CancellationToken.None);

        Assert.Single(await services.Mail.SettledAsync(finn.Email));
        Assert.Empty(await services.Mail.ForAsync(gus.Email));
    }

    [Fact]
    public async Task Over_the_send_rate_the_message_waits_in_the_queue_instead_of_failing()
    {
        var hana = DeliveryTestHost.Subscriber("hana", DeliverySchedule.Instant);
        var clock = new ManualClock(Start);
        using var host = await DeliveryTestHost.CreateAsync(services, [hana], clock, new Dictionary<string, string?> { ["Watcher:Delivery:MaxPerMinute"] = "2" });
        var queue = host.Storage.Summaries;
        await queue.ClearMessagesAsync();

        // The send log is shared by every test on this Azurite; another test's later clock would count here.
        await host.Storage.State.GetBlobClient("delivery/send-rate.json").DeleteIfExistsAsync();

        Assert.Null(await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "One", ["5g-ban"])));
        Assert.Null(await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Two", ["5g-ban"])));
        var third = await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Three", ["5g-ban"]);
        var delay = await host.DeliverAsync(third);

        Assert.NotNull(delay);
        Assert.InRange(delay.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(61));
        Assert.Equal(2, (await services.Mail.SettledAsync(hana.Email)).Count);

        // The copy is on the queue but invisible until the rate allows it.
        Assert.Equal(1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Empty((await queue.PeekMessagesAsync()).Value);

        clock.Now = clock.Now.AddMinutes(2);
        Assert.Null(await host.DeliverAsync(third));
        var mails = await services.Mail.WaitForAsync(hana.Email, 3);
        Assert.Equal(3, mails.Count);
    }
}
