using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Watcher.Local.DevServices;
using Watcher.Tests.Browser;
using Watcher.Tests.Support;

namespace Watcher.Tests.EndToEnd;

/// <summary>
/// The README's main command: Azurite and MailDev started, sample feeds read, mail saved; then a
/// running Watcher whose mails' links work in a browser, and a second start that continues without
/// repeating mail.
/// </summary>
public sealed partial class DemoCommandTests
{
    [Fact]
    public async Task Demo_mails_the_sample_feeds_keeps_running_with_a_working_preferences_page_and_continues_on_the_next_start()
    {
        var data = Path.Combine(Path.GetTempPath(), "watcher-demo-" + Guid.NewGuid().ToString("n"));
        string[] ports = ["--blob-port", Free(), "--queue-port", Free(), "--smtp-port", Free(), "--mail-web-port", Free(), "--preferences-port", Free()];
        var preferencesPort = ports[^1];

        using (var demo = WatcherCli.Start(["demo", "--data", data, .. ports]))
        {
            await demo.WaitForOutputAsync("Watcher running", TimeSpan.FromMinutes(3));
            var saved = Directory.GetFiles(Path.Combine(data, "mail"), "*.eml");
            Assert.NotEmpty(saved);
            var mails = await Task.WhenAll(saved.Select(f => File.ReadAllTextAsync(f)));
            Assert.Contains(mails, m => m.Contains("To: Ann <ann@example.org>", StringComparison.Ordinal));
            Assert.DoesNotContain(mails, m => m.Contains("vouwtelefoon", StringComparison.Ordinal));
            Assert.Contains("Read them in a browser: http://127.0.0.1:", demo.OutputSoFar, StringComparison.Ordinal);

            // The link a mail carries answers while the demo runs.
            var link = PreferencesLink().Match(mails.First(m => m.Contains("To: Ann", StringComparison.Ordinal)).Replace("=\r\n", "", StringComparison.Ordinal).Replace("=3D", "=", StringComparison.Ordinal));
            Assert.True(link.Success, "no preferences link in the mail");
            Assert.StartsWith($"http://127.0.0.1:{preferencesPort}/api/preferences", link.Value, StringComparison.Ordinal);

            // Opened in Chromium as a reader would: the page loads and a change is saved.
            var browser = await ChromiumDriver.RunAsync("preferences", link.Value, "divestment", "weekly");
            Assert.Equal(200, browser.GetProperty("before").GetProperty("status").GetInt32());
            Assert.Equal(200, browser.GetProperty("savedStatus").GetInt32());
            Assert.Contains("preferences are saved", browser.GetProperty("notice").GetString(), StringComparison.Ordinal);
            Assert.Equal(["5g-ban", "blacklist"], browser.GetProperty("checkedTopics").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("weekly", browser.GetProperty("schedule").GetString());

            await TheReadmeCommandsWorkAgainstTheRunningDemoAsync(data, ports);

            await demo.InterruptAsync();
            var stopped = await demo.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(stopped.ExitCode == 0, stopped.ToString());
        }

        // Storage persisted: the second start sends nothing again.
        var mailCount = Directory.GetFiles(Path.Combine(data, "mail"), "*.eml").Length;
        var again = await WatcherCli.RunAsync(["demo", "--no-wait", "--data", data, .. ports], timeout: TimeSpan.FromMinutes(3));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.True(again.StandardOutput.Contains($"0 new mail(s) delivered to MailDev ({mailCount} from earlier demos)", StringComparison.Ordinal), again.ToString());
        Assert.Equal(mailCount, Directory.GetFiles(Path.Combine(data, "mail"), "*.eml").Length);
    }

    [Fact]
    public async Task A_taken_port_is_named_with_the_option_that_moves_it()
    {
        var port = NodeService.FreePort();
        using var taken = new TcpListener(IPAddress.Loopback, port);
        taken.Start();
        var data = Path.Combine(Path.GetTempPath(), "watcher-demo-" + Guid.NewGuid().ToString("n"));

        var result = await WatcherCli.RunAsync(["demo", "--no-wait", "--data", data, "--blob-port", Free(), "--queue-port", Free(), "--smtp-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--mail-web-port", Free()]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"Port {port} (MailDev's SMTP server) is in use", result.Output, StringComparison.Ordinal);
        Assert.Contains("--smtp-port", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_listens_where_the_shipped_configuration_looks_so_other_commands_find_it()
    {
        var help = (await WatcherCli.RunAsync(["demo", "--help"])).StandardOutput;
        var shipped = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(WatcherCli.WatcherDll)!, "watcher.json")))!["Watcher"]!;

        // UseDevelopmentStorage=true is Azurite's blob 10000 and queue 10001.
        Assert.Equal("UseDevelopmentStorage=true", (string?)shipped["Storage"]!["ConnectionString"]);
        Assert.Matches(@"--blob-port[^\n]*\(default 10000\)", help);
        Assert.Matches(@"--queue-port[^\n]*\(default 10001\)", help);
        Assert.Matches($@"--smtp-port[^\n]*\(default {(int)shipped["Smtp"]!["Port"]!}\)", help);
        Assert.Matches($@"--preferences-port[^\n]*\(default {new Uri(new Watcher.Configuration.DeliveryOptions().PublicBaseUrl).Port}\)", help);
    }

    /// <summary>
    /// The README's "after ./demo.sh" commands, each against the demo's own storage and mail
    /// server. On its default ports the shipped configuration already points there (see the
    /// test below); this demo runs on free ports, so the commands get a copy of that
    /// configuration with the demo's ports.
    /// </summary>
    private static async Task TheReadmeCommandsWorkAgainstTheRunningDemoAsync(string data, string[] ports)
    {
        int Port(string option) => int.Parse(ports[Array.IndexOf(ports, option) + 1], System.Globalization.CultureInfo.InvariantCulture);
        var shipped = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(WatcherCli.WatcherDll)!, "watcher.json")))!;
        shipped["Watcher"]!["Storage"]!["ConnectionString"] = AzuriteService.ConnectionStringFor(Port("--blob-port"), Port("--queue-port"));
        shipped["Watcher"]!["Smtp"]!["Port"] = Port("--smtp-port");
        var config = Path.Combine(data, "commands.json");
        await File.WriteAllTextAsync(config, shipped.ToJsonString());

        var list = await WatcherCli.RunAsync(["feeds", "list", "--config", config]);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("Techblad NL", list.StandardOutput, StringComparison.Ordinal);

        var status = await WatcherCli.RunAsync(["feeds", "status", "--config", config]);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains("Wire Tech EN", status.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("never", status.StandardOutput.Split('\n').First(l => l.Contains("Wire Tech EN", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);

        // The demo already sent Bram's daily digest: nothing waits for the next one.
        var preview = await WatcherCli.RunAsync(["digest", "preview", "--subscriber", "bram@example.org", "--config", config]);
        Assert.True(preview.ExitCode == 0, preview.ToString());
        Assert.Contains("bram@example.org: Daily, 0 item(s) pending", preview.StandardOutput, StringComparison.Ordinal);

        var poison = await WatcherCli.RunAsync(["poison", "list", "--config", config]);
        Assert.True(poison.ExitCode == 0, poison.ToString());
    }

    private static string Free() => NodeService.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/api/preferences\?token=[A-Za-z0-9_\-.%]+")]
    private static partial Regex PreferencesLink();
}
