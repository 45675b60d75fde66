using System.CommandLine;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Watcher.Feeds;
using Watcher.Local.Commands;

namespace Watcher.Tests.Feeds.Fetching;

/// <summary><c>watcher feeds ...</c> against a real configuration file, a real feed server and Azurite.</summary>
public sealed class FeedsCommandTests(FetchTestHost host) : IClassFixture<FetchTestHost>
{
    private const string Feed = """
        <?xml version="1.0" encoding="utf-8"?>
        <rss version="2.0"><channel><title>Techblad</title><language>nl</language>
        <item><title>Een</title><link>http://techblad.example/een</link></item>
        <item><title>Twee</title><link>http://techblad.example/twee</link></item>
        </channel></rss>
        """;

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        var root = new RootCommand { GlobalOptions.Config, FeedsCommand.Create() };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    private string ConfigWithExtras()
    {
        var path = host.WriteConfig([FetchTestHost.Feed("Existing", new Uri("https://existing.example/feed"))]);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["Watcher"]!["Subscribers"] = new JsonArray(new JsonObject { ["Email"] = "ann@example.org", ["Topics"] = new JsonArray("5g-ban") });
        json["Logging"] = new JsonObject { ["LogLevel"] = new JsonObject { ["Default"] = "Warning" } };
        File.WriteAllText(path, json.ToJsonString());
        return path;
    }

    [Fact]
    public async Task Add_fetches_the_feed_reports_it_and_keeps_the_rest_of_the_file()
    {
        host.Server.MapText("/add/techblad", Feed);
        var config = ConfigWithExtras();
        var url = host.Server.Url("/add/techblad").AbsoluteUri;

        var (exitCode, output, error) = await RunAsync("feeds", "add", url, "--config", config);

        Assert.True(exitCode == 0, error);
        Assert.Contains("Techblad", output, StringComparison.Ordinal);
        Assert.Contains("2 items", output, StringComparison.Ordinal);
        var json = JsonNode.Parse(File.ReadAllText(config))!;
        var feeds = json["Watcher"]!["Feeds"]!.AsArray();
        Assert.Equal(["Existing", "Techblad"], feeds.Select(f => (string)f!["Name"]!).ToArray());
        Assert.Equal(url, (string?)feeds[1]!["Url"]);
        Assert.Equal("nl", (string?)feeds[1]!["Language"]);
        Assert.Equal("ann@example.org", (string?)json["Watcher"]!["Subscribers"]![0]!["Email"]);
        Assert.Equal("Warning", (string?)json["Logging"]!["LogLevel"]!["Default"]);

        var (again, _, duplicate) = await RunAsync("feeds", "add", url, "--config", config, "--name", "Other");
        Assert.Equal(1, again);
        Assert.Contains("already configured", duplicate, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/add/web-page", "text/html", "<html><body><p>Just a web page</p></body></html>")]
    [InlineData("/add/missing", null, null)]
    public async Task Add_refuses_what_is_not_a_usable_feed_and_says_why(string path, string? contentType, string? body)
    {
        if (body is not null)
        {
            host.Server.MapText(path, body, contentType!);
        }

        var config = ConfigWithExtras();
        var before = File.ReadAllText(config);
        var (exitCode, _, error) = await RunAsync("feeds", "add", host.Server.Url(path).AbsoluteUri, "--config", config);
        Assert.Equal(1, exitCode);
        Assert.Contains("cannot be used as a feed", error, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(config));
    }

    [Fact]
    public async Task Add_takes_a_file_url_only_when_the_configuration_allows_file_urls()
    {
        var feedFile = Path.Combine(Path.GetTempPath(), $"watcher-feed-{Guid.NewGuid():n}.xml");
        await File.WriteAllTextAsync(feedFile, Feed);
        var url = new Uri(feedFile).AbsoluteUri;
        var config = ConfigWithExtras();
        var json = JsonNode.Parse(File.ReadAllText(config))!;
        json["Watcher"]!["Fetch"] = new JsonObject { ["AllowFileUrls"] = false };
        File.WriteAllText(config, json.ToJsonString());

        var (refused, _, why) = await RunAsync("feeds", "add", url, "--config", config);
        Assert.Equal(1, refused);
        Assert.Contains("Watcher:Fetch:AllowFileUrls", why, StringComparison.Ordinal);

        json["Watcher"]!["Fetch"] = new JsonObject { ["AllowFileUrls"] = true };
        File.WriteAllText(config, json.ToJsonString());
        var (exitCode, output, error) = await RunAsync("feeds", "add", url, "--config", config);
        Assert.True(exitCode == 0, error);
        Assert.Contains("2 items", output, StringComparison.Ordinal);
        Assert.Contains(JsonNode.Parse(File.ReadAllText(config))!["Watcher"]!["Feeds"]!.AsArray(), f => (string?)f!["Url"] == url);
        File.Delete(feedFile);
    }

    [Fact]
    public async Task Remove_takes_a_feed_out_by_name()
    {
        var config = ConfigWithExtras();
        Assert.Equal(0, (await RunAsync("feeds", "remove", "existing", "--config", config)).ExitCode);
        Assert.Empty(JsonNode.Parse(File.ReadAllText(config))!["Watcher"]!["Feeds"]!.AsArray());
        var (exitCode, _, error) = await RunAsync("feeds", "remove", "Nope", "--config", config);
        Assert.Equal(1, exitCode);
        Assert.Contains("No feed named 'Nope'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Import_adds_nested_outlines_once_and_export_prints_opml_that_imports_again()
    {
        var config = ConfigWithExtras();
        var opml = Path.Combine(host.Root, "subscriptions.opml");
        await File.WriteAllTextAsync(opml, """
            <?xml version="1.0" encoding="UTF-8"?>
            <opml version="2.0"><head><title>My feeds</title></head><body>
              <outline text="Tech">
                <outline type="rss" text="Wire Tech" title="Wire Tech EN" xmlUrl="https://wire.example/tech.atom" language="en"/>
                <outline type="rss" text="Existing again" xmlUrl="https://existing.example/feed"/>
              </outline>
              <outline type="rss" text="Beurs" xmlUrl="https://beurs.example/rss"/>
              <outline type="rss" text="Existing" xmlUrl="https://other.example/rss"/>
              <outline type="rss" text="Gopher" xmlUrl="gopher://old.example/feed"/>
            </body></opml>
            """);

        var (exitCode, output, _) = await RunAsync("feeds", "import", opml, "--config", config);
        Assert.Equal(0, exitCode);
        Assert.Contains("Imported 3 of 5", output, StringComparison.Ordinal);
        var names = JsonNode.Parse(File.ReadAllText(config))!["Watcher"]!["Feeds"]!.AsArray().Select(f => (string)f!["Name"]!).ToArray();
        Assert.Equal(["Existing", "Wire Tech EN", "Beurs", "Existing (2)"], names);

        var (exportCode, exported, _) = await RunAsync("feeds", "export", "--config", config);
        Assert.Equal(0, exportCode);
        var document = XDocument.Parse(exported);
        Assert.Equal("2.0", (string?)document.Root!.Attribute("version"));
        Assert.Equal(4, document.Descendants("outline").Count());
        Assert.Equal("en", (string?)document.Descendants("outline").Single(o => (string?)o.Attribute("text") == "Wire Tech EN").Attribute("language"));

        var exportedFile = Path.Combine(host.Root, "exported.opml");
        await File.WriteAllTextAsync(exportedFile, exported);
        using var reread = File.OpenRead(exportedFile);
        Assert.Equal(4, Watcher.Feeds.Opml.OpmlDocument.Read(reread).Count);
    }

    [Fact]
    public async Task Status_shows_success_error_failures_next_poll_and_items_for_every_feed()
    {
        host.Server.MapText("/status/good", Feed);
        host.Server.Map("/status/bad", context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        var config = host.WriteConfig([FetchTestHost.Feed("Good", host.Server.Url("/status/good")), FetchTestHost.Feed("Bad", host.Server.Url("/status/bad")), FetchTestHost.Feed("Never", new Uri("https://never.example/feed"), fullText: false)]);
        using (var provider = await FetchTestHost.BuildAsync(config))
        {
            await provider.GetRequiredService<FeedPoller>().PollAsync(provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Watcher.Configuration.WatcherOptions>>().Value.Feeds[0], CancellationToken.None);
            await provider.GetRequiredService<FeedPoller>().PollAsync(provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Watcher.Configuration.WatcherOptions>>().Value.Feeds[1], CancellationToken.None);
        }

        var (exitCode, output, _) = await RunAsync("feeds", "status", "--config", config);
        Assert.Equal(0, exitCode);
        var good = output[output.IndexOf("Good", StringComparison.Ordinal)..output.IndexOf("Bad", StringComparison.Ordinal)];
        var bad = output[output.IndexOf("Bad", StringComparison.Ordinal)..output.IndexOf("Never", StringComparison.Ordinal)];
        Assert.Contains("items seen:           2", good, StringComparison.Ordinal);
        Assert.Contains("last error:           none", good, StringComparison.Ordinal);
        Assert.Contains("last success:         never", bad, StringComparison.Ordinal);
        Assert.Contains("HttpStatus", bad, StringComparison.Ordinal);
        Assert.Contains("404", bad, StringComparison.Ordinal);
        Assert.Contains("consecutive failures: 1", bad, StringComparison.Ordinal);
        Assert.Contains("next poll:", bad, StringComparison.Ordinal);
        Assert.Contains("not polled yet", output[output.IndexOf("Never", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }
}
