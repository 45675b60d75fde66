using System.Text.Json;
using Watcher.Local.Commands;
using static Watcher.Tests.Feeds.Parsing.FeedFixtures;

namespace Watcher.Tests.Feeds.Parsing;

public class ParseCommandTests
{
    [Fact]
    public async Task Parse_json_prints_the_projection_of_a_fixture()
    {
        var output = new StringWriter();

        var exitCode = await ParseCommand.RunAsync([PathOf("atom10-xmlbase.xml")], ParseCommand.OutputMode.Json, output, CancellationToken.None);

        Assert.Equal(0, exitCode);
        using var line = JsonDocument.Parse(output.ToString().Trim());
        var root = line.RootElement;
        Assert.Equal("atom10", root.GetProperty("version").GetString());
        Assert.False(root.GetProperty("bozo").GetBoolean());
        Assert.Equal("World <em>news</em>", root.GetProperty("feed").GetProperty("title").GetString());
        Assert.Equal("2021-01-14T20:00:00Z", root.GetProperty("feed").GetProperty("updated_iso").GetString());
        var entries = root.GetProperty("entries");
        Assert.Equal(2, entries.GetArrayLength());
        Assert.Equal("https://news.example/archive/2021/xiaomi.html", entries[0].GetProperty("link").GetString());
        Assert.Equal("2021-01-15T02:30:00Z", entries[0].GetProperty("published_iso").GetString());
        Assert.Equal("US investors must divest.", entries[0].GetProperty("summary_text").GetString());
        Assert.Equal(JsonValueKind.Null, entries[1].GetProperty("published_iso").ValueKind);
    }

    [Fact]
    public async Task Parse_lists_what_it_read_and_fails_on_a_document_that_is_no_feed()
    {
        var page = Path.Combine(Path.GetTempPath(), $"watcher-page-{Guid.NewGuid():N}.html");
        await File.WriteAllTextAsync(page, "<!DOCTYPE html><html><body>hi</body></html>");
        try
        {
            var output = new StringWriter();

            var exitCode = await ParseCommand.RunAsync([PathOf("rss10-rdf.xml"), page], ParseCommand.OutputMode.Listing, output, CancellationToken.None);

            Assert.Equal(1, exitCode);
            var text = output.ToString();
            Assert.Contains("title:    RDF Site", text, StringComparison.Ordinal);
            Assert.Contains("- China would rather see TikTok shut down than sold", text, StringComparison.Ordinal);
            Assert.Contains("looks like an HTML page, not a feed", text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(page);
        }
    }

    [Fact]
    public async Task Parse_reads_a_url_with_its_content_type_charset_and_content_location()
    {
        var port = FreePort();
        using var server = new System.Net.HttpListener();
        server.Prefixes.Add($"http://127.0.0.1:{port}/");
        server.Start();
        var serving = Task.Run(async () =>
        {
            var context = await server.GetContextAsync();
            context.Response.ContentType = "application/rss+xml; charset=windows-1252";
            context.Response.Headers["Content-Location"] = "/nieuws/feed.xml";
            var body = await File.ReadAllBytesAsync(PathOf("dutch-windows-1252-declared-utf8.xml"));
            var withRelativeLink = System.Text.Encoding.Latin1.GetBytes(System.Text.Encoding.Latin1.GetString(body).Replace("https://beurs.example/1", "artikel/1", StringComparison.Ordinal));
            await context.Response.OutputStream.WriteAsync(withRelativeLink);
            context.Response.Close();
        });
        var output = new StringWriter();

        var exitCode = await ParseCommand.RunAsync([$"http://127.0.0.1:{port}/feed"], ParseCommand.OutputMode.Json, output, CancellationToken.None);
        await serving;

        Assert.Equal(0, exitCode);
        using var line = JsonDocument.Parse(output.ToString().Trim());
        var entry = line.RootElement.GetProperty("entries")[0];
        Assert.False(line.RootElement.GetProperty("bozo").GetBoolean());
        Assert.StartsWith("Ministerie: geen één", entry.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal($"http://127.0.0.1:{port}/nieuws/artikel/1", entry.GetProperty("link").GetString());
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Manifest_mode_applies_each_documents_http_context()
    {
        var folder = Directory.CreateTempSubdirectory("watcher-manifest-");
        try
        {
            Directory.CreateDirectory(Path.Combine(folder.FullName, "feedparser", "tests"));
            File.Copy(PathOf("dutch-windows-1252-declared-utf8.xml"), Path.Combine(folder.FullName, "feedparser", "tests", "dutch.xml"));
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "feedparser", "tests", "relative.xml"),
                """<rss version="2.0"><channel><title>R</title><item><link>item/1</link></item></channel></rss>""");
            var manifest = Path.Combine(folder.FullName, "reference.jsonl");
            await File.WriteAllLinesAsync(manifest,
            [
                """{"file": "tests/dutch.xml", "http_headers": {"Content-Type": "application/xml; charset=windows-1252"}, "doc_url": "http://127.0.0.1:8097/tests/dutch.xml"}""",
                """{"file": "tests/relative.xml", "http_headers": {"Content-Type": "text/xml", "Content-Location": "/base/feed.xml", "Content-Language": "nl"}, "doc_url": "http://127.0.0.1:8097/tests/relative.xml"}""",
            ]);
            var output = new StringWriter();

            await ParseCommand.RunManifestAsync(manifest, output, CancellationToken.None);

            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(2, lines.Count);
            Assert.False(lines[0].GetProperty("bozo").GetBoolean());
            Assert.StartsWith("Ministerie: geen één", lines[0].GetProperty("entries")[0].GetProperty("title").GetString(), StringComparison.Ordinal);
            Assert.Equal("http://127.0.0.1:8097/base/item/1", lines[1].GetProperty("entries")[0].GetProperty("link").GetString());
            Assert.Equal("nl", lines[1].GetProperty("feed").GetProperty("language").GetString());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
