using System.Buffers.Binary;
using System.Text.RegularExpressions;
using Watcher.Configuration;
using Watcher.Delivery;
using Watcher.Digests;
using Watcher.Local.DevServices;
using Watcher.Local.Hosting;
using Watcher.Subscribers;
using Watcher.Tests.Delivery;
using Watcher.Tests.Support;

namespace Watcher.Tests.Browser;

/// <summary>
/// In headless Chromium: the digest as received in MailDev renders as one readable column in light
/// and dark mode (screenshots kept under artifacts/browser), and the preferences link from that
/// mail changes what the next mail brings.
/// </summary>
public sealed partial class PreferencesBrowserTests(ServicesFixture services) : IClassFixture<ServicesFixture>
{
    private static readonly string Artifacts = RepositoryPaths.Combine("artifacts", "browser");

    [Fact]
    public async Task The_link_in_a_received_digest_changes_settings_and_the_next_mail_follows_them()
    {
        var port = NodeService.FreePort();
        var ann = DeliveryTestHost.Subscriber("ann", DeliverySchedule.Daily, "5g-ban", "blacklist");
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero));
        using var host = await DeliveryTestHost.CreateAsync(services, [ann], clock, new Dictionary<string, string?> { ["Watcher:Delivery:PublicBaseUrl"] = $"http://127.0.0.1:{port}" });
        await using var server = await PreferencesServer.StartAsync(host.Get<PreferencesEndpoint>(), port, CancellationToken.None);

        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Belgium bars Huawei from its 5G core", ["5g-ban"], feedName: "Techblad NL", language: "nl"));
        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Xiaomi added to the Pentagon list", ["blacklist", "divestment"]));
        await host.Get<DigestService>().SendDueAsync(new DateTimeOffset(2026, 11, 22, 7, 0, 0, TimeSpan.Zero), CancellationToken.None);
        var digest = Assert.Single(await services.Mail.WaitForAsync(ann.Email, 1));
        var received = await services.Mail.ParsedAsync(digest);
        Assert.Equal("Watcher daily digest, Sun 22 Nov 2026: 2 new — 5G bans 1, Blacklists 1", received.Subject);

        var link = PreferencesLink().Match(received.HtmlBody!).Groups[1].Value.Replace("&amp;", "&", StringComparison.Ordinal);
        Assert.StartsWith($"http://127.0.0.1:{port}/api/preferences?token=", link, StringComparison.Ordinal);
        Assert.Equal($"<{link}>", received.Headers["List-Unsubscribe"]);

        var result = await ChromiumDriver.RunAsync("preferences", link, "blacklist", "instant");
        Assert.Equal(200, result.GetProperty("before").GetProperty("status").GetInt32());
        Assert.Equal("Your Watcher preferences", result.GetProperty("before").GetProperty("title").GetString());
        Assert.Equal(200, result.GetProperty("savedStatus").GetInt32());
        Assert.Contains("preferences are saved", result.GetProperty("notice").GetString(), StringComparison.Ordinal);
        Assert.Equal(["5g-ban"], result.GetProperty("checkedTopics").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("instant", result.GetProperty("schedule").GetString());

        // Blacklists are no longer followed; 5G news now comes at once instead of in tomorrow's digest.
        clock.Now = new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);
        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Another entity list update", ["blacklist"]));
        Assert.Single(await services.Mail.SettledAsync(ann.Email));
        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Italy weighs a 5G ban", ["5g-ban"]));
        var mails = await services.Mail.WaitForAsync(ann.Email, 2);
        Assert.Equal(2, mails.Count);
        Assert.Contains(mails, m => m.Subject == "Watcher: 1 new — 5G bans 1");
    }

    [Fact]
    public async Task A_received_digest_renders_as_one_readable_column_in_light_and_dark_mode()
    {
        var bo = DeliveryTestHost.Subscriber("bo", DeliverySchedule.Instant);
        using var host = await DeliveryTestHost.CreateAsync(services, [bo], new ManualClock(new DateTimeOffset(2026, 11, 22, 7, 0, 0, TimeSpan.Zero)));
        await host.DeliverAsync(await host.AddClassifiedArticleAsync(
            DeliveryTestHost.NewId(),
            "China would rather see TikTok shut down than sold <script>alert(1)</script>",
            ["divestment", "blacklist"],
            alsoFeeds: ["Beurs en Beleid", "Techblad NL"]));
        var received = await services.Mail.ParsedAsync(Assert.Single(await services.Mail.WaitForAsync(bo.Email, 1)));

        Directory.CreateDirectory(Artifacts);
        var htmlFile = Path.Combine(Artifacts, "digest.html");
        await File.WriteAllTextAsync(htmlFile, received.HtmlBody);

        var desktopPng = Path.Combine(Artifacts, "digest-light-800.png");
        var desktop = await ChromiumDriver.RunAsync("screenshot", htmlFile, desktopPng, "800", "light");
        Assert.Equal(600, desktop.GetProperty("cardWidth").GetDouble(), 0);
        Assert.Equal("rgb(255, 255, 255)", desktop.GetProperty("cardBackground").GetString());
        Assert.Equal(0, desktop.GetProperty("scripts").GetInt32());
        Assert.Equal(0, desktop.GetProperty("images").GetInt32());
        Assert.Empty(desktop.GetProperty("requests").EnumerateArray());
        AssertScreenshot(desktopPng, minWidth: 800, minHeight: 300);

        var phonePng = Path.Combine(Artifacts, "digest-dark-375.png");
        var phone = await ChromiumDriver.RunAsync("screenshot", htmlFile, phonePng, "375", "dark");
        Assert.True(phone.GetProperty("cardWidth").GetDouble() <= 375);
        Assert.True(phone.GetProperty("scrollWidth").GetInt32() <= 375, "The digest scrolls sideways on a phone.");
        Assert.Equal("rgb(30, 31, 34)", phone.GetProperty("cardBackground").GetString());
        Assert.Equal("rgb(232, 234, 237)", phone.GetProperty("cardColor").GetString());
        AssertScreenshot(phonePng, minWidth: 375, minHeight: 400);
    }

    /// <summary>A real picture: a PNG of at least the given size and of more than a few bytes.</summary>
    private static void AssertScreenshot(string path, int minWidth, int minHeight)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 10_000, $"{path} is only {bytes.Length} bytes.");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        var width = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4));
        var height = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4));
        Assert.True(width >= minWidth && height >= minHeight, $"{path} is {width}x{height}, expected at least {minWidth}x{minHeight}.");
    }

    [GeneratedRegex("href=\"(http://127\\.0\\.0\\.1:\\d+/api/preferences\\?token=[^\"]+)\"")]
    private static partial Regex PreferencesLink();
}
