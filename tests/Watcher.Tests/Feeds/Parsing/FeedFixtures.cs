using System.Text;
using Watcher.Feeds;

namespace Watcher.Tests.Feeds.Parsing;

/// <summary>Helpers to parse the project's own fixture feeds and inline documents.</summary>
internal static class FeedFixtures
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "feeds", name);

    public static ParsedFeed ParseFile(string name, FeedParseContext? context = null) =>
        FeedParser.Parse(File.ReadAllBytes(PathOf(name)), context ?? FeedParseContext.None);

    public static ParsedFeed ParseText(string document, FeedParseContext? context = null) =>
        FeedParser.Parse(Encoding.UTF8.GetBytes(document), context ?? FeedParseContext.None);

    public static ParsedFeed ParseBytes(byte[] document, FeedParseContext? context = null) =>
        FeedParser.Parse(document, context ?? FeedParseContext.None);
}
