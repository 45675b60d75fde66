using System.Text;
using System.Text.Json.Nodes;
using System.Xml;
using Watcher.Configuration;
using Watcher.Feeds;
using Watcher.Feeds.Opml;

namespace Watcher.Tests.Feeds.Opml;

/// <summary>OPML and the configuration file's feed list, without the CLI that uses them.</summary>
public sealed class OpmlAndFeedListFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("watcher-opml-").FullName;

    [Fact]
    public void Read_finds_feeds_in_nested_folders_and_write_gives_them_back()
    {
        var read = Read("""
            <opml version="2.0"><body>
              <outline text="Tech"><outline text="Wire" title="Wire Tech" xmlUrl=" https://wire.example/tech.atom " language="en"/></outline>
              <outline text="Folder without feeds"/>
              <outline text="Beurs" xmlUrl="https://beurs.example/rss"/>
            </body></opml>
            """);

        Assert.Equal([new OpmlOutline("Wire Tech", "https://wire.example/tech.atom", "en"), new OpmlOutline("Beurs", "https://beurs.example/rss", null)], read);

        var written = OpmlDocument.Write(read.Select(o => new FeedOptions { Name = o.Name, Url = o.Url, Language = o.Language }), DateTimeOffset.UnixEpoch);
        Assert.Equal(read, Read(written.ToString()));
    }

    [Fact]
    public void A_document_type_declaration_is_refused_as_in_feeds()
    {
        Assert.Throws<XmlException>(() => Read("""<!DOCTYPE opml [<!ENTITY x "boom">]><opml><body><outline text="&x;" xmlUrl="https://a.example/"/></body></opml>"""));
    }

    [Fact]
    public void Import_skips_what_is_configured_or_not_http_makes_names_unique_and_keeps_the_rest_of_the_file()
    {
        var path = Path.Combine(directory, "watcher.json");
        File.WriteAllText(path, """
            {
              // a comment, which JSON cannot keep
              "Watcher": {
                "Feeds": [ { "Name": "Beurs", "Url": "https://other.example/rss" } ],
                "Subscribers": [ { "Email": "ann@example.org", "Topics": [ "5g-ban" ] } ],
                "Smtp": { "Host": "smtp.example.org", "Port": 587 },
              }
            }
            """);
        var file = FeedListFile.Load(path);

        var (added, skipped) = file.Import(
        [
            new OpmlOutline("Beurs", "https://beurs.example/rss", "nl"),
            new OpmlOutline("Again", "https://other.example/rss", null),
            new OpmlOutline("Gopher", "gopher://old.example/feed", null),
        ]);
        file.Save();

        Assert.Equal(1, added);
        Assert.Equal(["Skipped 'Again': already configured.", "Skipped 'Gopher': 'gopher://old.example/feed' is not an http or https URL."], skipped);
        var saved = JsonNode.Parse(File.ReadAllText(path))!["Watcher"]!;
        Assert.Equal(["Beurs", "Beurs (2)"], saved["Feeds"]!.AsArray().Select(f => (string)f!["Name"]!));
        Assert.Equal("nl", (string?)saved["Feeds"]![1]!["Language"]);
        Assert.Equal("ann@example.org", (string?)saved["Subscribers"]![0]!["Email"]);
        Assert.Equal(587, (int)saved["Smtp"]!["Port"]!);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void Remove_and_the_problems_name_the_feed_and_the_file()
    {
        var path = Path.Combine(directory, "watcher.json");
        File.WriteAllText(path, """{ "Watcher": { "Feeds": [ { "Name": "Wire", "Url": "https://wire.example/" } ] } }""");
        var file = FeedListFile.Load(path);

        Assert.Equal($"A feed named 'wire' is already configured in {path}; choose another with --name.", file.Problem("wire", "https://new.example/"));
        Assert.Equal($"https://wire.example/ is already configured in {path}.", file.Problem("New", "https://wire.example/"));
        Assert.True(file.Remove("WIRE"));
        Assert.False(file.Remove("Wire"));

        var missing = Path.Combine(directory, "missing.json");
        Assert.Equal($"Configuration file '{missing}' does not exist.", Assert.Throws<ConfigFileException>(() => FeedListFile.Load(missing)).Message);
        File.WriteAllText(missing, "[1, 2]");
        Assert.Equal($"{missing} does not hold a JSON object.", Assert.Throws<ConfigFileException>(() => FeedListFile.Load(missing)).Message);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static IReadOnlyList<OpmlOutline> Read(string opml)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(opml));
        return OpmlDocument.Read(stream);
    }
}
