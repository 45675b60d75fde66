using System.Diagnostics;
using System.Text.Json.Nodes;
using Watcher.Tests.Support;

namespace Watcher.Tests.EndToEnd;

/// <summary>
/// <c>watcher run --once</c> at a real terminal (a pseudo-terminal from util-linux
/// <c>script</c>) shows live counts; with output redirected or <c>CI</c> set it writes the plain
/// log lines scripts and CI logs keep.
/// </summary>
[Collection(ServicesCollection.Name)]
public sealed class ProgressDisplayTests(ServicesFixture services) : PipelineTestBase
{
    private static readonly DateTimeOffset Day = DateTimeOffset.UtcNow.AddHours(-2);

    [Fact]
    public async Task At_a_terminal_one_cycle_shows_counts_of_feeds_articles_and_summaries_instead_of_log_lines()
    {
        var config = WriteConfig();

        var (exitCode, screen) = await RunInTerminalAsync(["run", "--once", "--config", config], ci: null);

        // One of the two feeds answers 404: a problem, counted and reported.
        Assert.True(exitCode == 1, screen);
        Assert.Contains("\u001b[", screen, StringComparison.Ordinal);
        Assert.Contains("Feeds fetched 2/2", screen, StringComparison.Ordinal);
        Assert.Contains("(1 failed)", screen, StringComparison.Ordinal);
        Assert.Contains("Articles classified 2 (2 new)", screen, StringComparison.Ordinal);
        Assert.Contains("Summaries delivered 1", screen, StringComparison.Ordinal);
        Assert.Contains("Cycle finished with 1 problem(s)", screen, StringComparison.Ordinal);
        Assert.DoesNotContain("Watcher.Feeds.FeedPoller[0] Feed Wire", screen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_CI_set_or_output_redirected_the_cycle_writes_plain_log_lines()
    {
        var config = WriteConfig();

        var (_, underCi) = await RunInTerminalAsync(["run", "--once", "--config", config], ci: "true");
        var redirected = await WatcherCli.RunAsync(["run", "--once", "--config", config]);

        foreach (var output in new[] { underCi, redirected.Output })
        {
            Assert.Contains("Watcher.Feeds.FeedPoller[0] Feed Wire: 2 items", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Feeds fetched", output, StringComparison.Ordinal);
        }
    }

    private string WriteConfig()
    {
        var wire = Feeds.Put("wire.xml", "application/rss+xml", FeedDocuments.Rss("Wire", "en",
        [
            new TestItem("Sweden upholds its ban on Huawei in 5G networks", $"https://news.example.com/{Run}/sweden-5g",
                "Sweden's highest administrative court upheld the ban on Huawei and ZTE equipment in the country's 5G networks, citing security advice from the armed forces.", Day),
            new TestItem("Quarterly results of a chipmaker beat expectations", $"https://news.example.com/{Run}/results",
                "The chipmaker reported revenue above analysts' forecasts and raised its outlook for the year.", Day.AddMinutes(-5)),
        ]));
        return TestConfig.Write(WorkDirectory, new JsonObject
        {
            ["Storage"] = new JsonObject { ["ConnectionString"] = Azurite.ConnectionString },
            ["Feeds"] = new JsonArray(TestConfig.Feed("Wire", wire, "en"), TestConfig.Feed("Gone", Feeds.Url("gone.xml"), "en")),
            ["Subscribers"] = new JsonArray(TestConfig.Subscriber($"ann-{Run}@example.org", "instant", "5g-ban")),
            ["Smtp"] = new JsonObject { ["Host"] = "127.0.0.1", ["Port"] = services.MailDev.SmtpPort, ["From"] = "watcher@example.org" },
        });
    }

    /// <summary>Runs watcher on a pseudo-terminal, as in a terminal window; returns what the screen got.</summary>
    private static async Task<(int ExitCode, string Screen)> RunInTerminalAsync(IEnumerable<string> arguments, string? ci)
    {
        var command = string.Join(' ', new[] { "dotnet", WatcherCli.WatcherDll }.Concat(arguments).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var start = new ProcessStartInfo("script", ["--quiet", "--return", "--command", command, "/dev/null"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetDirectoryName(WatcherCli.WatcherDll)!,
        };
        start.Environment["TERM"] = "xterm-256color";
        start.Environment.Remove("CI");
        if (ci is not null)
        {
            start.Environment["CI"] = ci;
        }

        using var terminal = Process.Start(start)!;
        var screen = terminal.StandardOutput.ReadToEndAsync();
        var errors = terminal.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await terminal.WaitForExitAsync(timeout.Token);
        return (terminal.ExitCode, await screen + await errors);
    }
}
