using System.Text.Json;
using System.Text.Json.Nodes;
using Watcher.Configuration;
using Watcher.Feeds.Opml;

namespace Watcher.Feeds;

/// <summary>The configuration file cannot be read or is not a JSON object; the message says which.</summary>
public sealed class ConfigFileException(string message) : Exception(message);

/// <summary>
/// The feed list of a Watcher configuration file, edited in place: only <c>Watcher:Feeds</c>
/// changes, everything else in the file is written back as it was read (comments aside, which
/// JSON cannot keep).
/// </summary>
public sealed class FeedListFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly JsonObject root;

    private FeedListFile(string path, JsonObject root)
    {
        Path = path;
        this.root = root;
    }

    public string Path { get; }

    private JsonArray Feeds
    {
        get
        {
            var watcher = root[WatcherOptions.SectionName] as JsonObject ?? (JsonObject)(root[WatcherOptions.SectionName] = new JsonObject());
            return watcher[nameof(WatcherOptions.Feeds)] as JsonArray ?? (JsonArray)(watcher[nameof(WatcherOptions.Feeds)] = new JsonArray());
        }
    }

    /// <exception cref="ConfigFileException">The file is missing, not JSON, or not a JSON object.</exception>
    public static FeedListFile Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ConfigFileException($"Configuration file '{path}' does not exist.");
        }

        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return new FeedListFile(path, node as JsonObject ?? throw new ConfigFileException($"{path} does not hold a JSON object."));
        }
        catch (JsonException e)
        {
            throw new ConfigFileException($"{path} is not valid JSON: {e.Message}");
        }
    }

    public bool HasName(string name) => Feeds.Any(f => string.Equals((string?)f?[nameof(FeedOptions.Name)], name, StringComparison.OrdinalIgnoreCase));

    public bool HasUrl(string url) => Feeds.Any(f => string.Equals((string?)f?[nameof(FeedOptions.Url)], url, StringComparison.Ordinal));

    /// <summary>Why a feed with this name and URL cannot be added, or null.</summary>
    public string? Problem(string name, string url) =>
        HasName(name) ? $"A feed named '{name}' is already configured in {Path}; choose another with --name."
        : HasUrl(url) ? $"{url} is already configured in {Path}."
        : null;

    public void Add(string name, string url, string? language, bool fullText)
    {
        var feed = new JsonObject { [nameof(FeedOptions.Name)] = name, [nameof(FeedOptions.Url)] = url };
        if (language is not null)
        {
            feed[nameof(FeedOptions.Language)] = language;
        }

        if (fullText)
        {
            feed[nameof(FeedOptions.FullText)] = true;
        }

        Feeds.Add(feed);
    }

    public bool Remove(string name)
    {
        var feed = Feeds.FirstOrDefault(f => string.Equals((string?)f?[nameof(FeedOptions.Name)], name, StringComparison.OrdinalIgnoreCase));
        return feed is not null && Feeds.Remove(feed);
    }

    /// <summary>
    /// Adds the outlines whose URL is http(s) and not configured yet, under a name made unique
    /// with " (2)", " (3)"...; returns how many were added and why each other one was skipped.
    /// </summary>
    public (int Added, IReadOnlyList<string> Skipped) Import(IEnumerable<OpmlOutline> outlines)
    {
        var added = 0;
        var skipped = new List<string>();
        foreach (var (outlineName, url, language) in outlines)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var feedUrl) || feedUrl.Scheme is not ("http" or "https"))
            {
                skipped.Add($"Skipped '{outlineName}': '{url}' is not an http or https URL.");
                continue;
            }

            if (HasUrl(feedUrl.AbsoluteUri))
            {
                skipped.Add($"Skipped '{outlineName}': already configured.");
                continue;
            }

            var unique = outlineName;
            for (var i = 2; HasName(unique); i++)
            {
                unique = $"{outlineName} ({i})";
            }

            Add(unique, feedUrl.AbsoluteUri, language, fullText: false);
            added++;
        }

        return (added, skipped);
    }

    public void Save()
    {
        // Write beside and move, so an interrupted save never leaves half a configuration.
        var temporary = Path + ".tmp";
        File.WriteAllText(temporary, root.ToJsonString(Indented) + Environment.NewLine);
        File.Move(temporary, Path, overwrite: true);
    }
}
