using System.Net;
using System.Net.Sockets;
using Watcher.Feeds;
using static Watcher.Tests.Feeds.Parsing.FeedFixtures;

namespace Watcher.Tests.Feeds.Parsing;

/// <summary>DTDs are never processed: no file is read, no URL is fetched, no entity is expanded.</summary>
public sealed class SecurityTests : IDisposable
{
    private readonly string secretFile = Path.Combine(Path.GetTempPath(), $"watcher-secret-{Guid.NewGuid():N}.txt");
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);

    public SecurityTests()
    {
        File.WriteAllText(secretFile, "TOP-SECRET-CONTENT");
        listener.Start();
    }

    private int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public void Dispose()
    {
        listener.Stop();
        File.Delete(secretFile);
    }

    [Fact]
    public void An_external_file_entity_is_not_read()
    {
        var feed = ParseText($"""
            <?xml version="1.0"?>
            <!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secretFile}">]>
            <rss version="2.0"><channel><title>x&xxe;y</title><item><title>&xxe;</title></item></channel></rss>
            """);

        Assert.DoesNotContain("TOP-SECRET", feed.Title, StringComparison.Ordinal);
        Assert.DoesNotContain("TOP-SECRET", feed.Items[0].Title ?? "", StringComparison.Ordinal);
        Assert.Equal("x&xxe;y", feed.Title);
    }

    [Fact]
    public void External_entities_and_dtds_on_the_network_are_never_fetched()
    {
        var feed = ParseText($"""
            <?xml version="1.0"?>
            <!DOCTYPE rss SYSTEM "http://127.0.0.1:{Port}/evil.dtd" [
              <!ENTITY % remote SYSTEM "http://127.0.0.1:{Port}/param.dtd">
              %remote;
              <!ENTITY ext SYSTEM "http://127.0.0.1:{Port}/entity">
            ]>
            <rss version="2.0"><channel><title>before &ext; after</title></channel></rss>
            """);

        Assert.Equal("before &ext; after", feed.Title);
        Assert.False(listener.Pending(), "the parser connected to the URL named in the DTD");
    }

    [Fact]
    public void A_billion_laughs_document_is_read_without_expanding_entities()
    {
        var feed = ParseText("""
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
              <!ENTITY lol "lol">
              <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
              <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
              <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
              <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
              <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
              <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
              <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
            ]>
            <rss version="2.0"><channel><title>&lol9;</title></channel></rss>
            """);

        Assert.Equal("&lol9;", feed.Title);
        Assert.True(feed.Bozo);
    }

    [Fact]
    public void A_quadratic_blowup_entity_is_not_expanded()
    {
        var big = new string('a', 50_000);
        var references = string.Concat(Enumerable.Repeat("&a;", 10_000));
        var feed = ParseText($"""<!DOCTYPE rss [<!ENTITY a "{big}">]><rss version="2.0"><channel><title>{references}</title></channel></rss>""");

        Assert.True(feed.Title!.Length < 100_000, $"title expanded to {feed.Title.Length} characters");
    }
}
