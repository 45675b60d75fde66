using System.CommandLine;
using System.Globalization;
using System.Xml;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Configuration;
using Watcher.Feeds;
using Watcher.Feeds.Opml;
using Watcher.Local.Hosting;

namespace Watcher.Local.Commands;

/// <summary>
/// <c>watcher feeds list | status | add URL | remove NAME | import FILE.opml | export</c>: the CLI
/// over <see cref="FeedListFile"/> (add, remove and import edit the configuration file's
/// <c>Watcher:Feeds</c>) and <see cref="OpmlDocument"/>.
/// </summary>
internal static class FeedsCommand
{
    public static Command Create()
    {
        var command = new Command("feeds", "List, check, add, remove, import and export the feeds Watcher polls.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Status());
        command.Subcommands.Add(Add());
        command.Subcommands.Add(Remove());
        command.Subcommands.Add(Import());
        command.Subcommands.Add(Export());
        return command;
    }

    private static string ConfigPath(ParseResult parse) => Path.GetFullPath(parse.GetValue(GlobalOptions.Config) ?? WatcherApp.DefaultConfigPath);

    private static Command List()
    {
        var command = new Command("list", "Show the configured feeds.");
        command.SetAction(parse =>
        {
            using var app = WatcherApp.Build(parse.GetValue(GlobalOptions.Config), LogLevel.Warning);
            var output = parse.InvocationConfiguration.Output;
            foreach (var feed in app.GetRequiredService<IOptions<WatcherOptions>>().Value.Feeds)
            {
                var flags = string.Join(", ", new[] { feed.Language, feed.Enabled ? null : "disabled", feed.FullText ? "full text" : null }.OfType<string>());
                output.WriteLine($"{feed.Name}\t{feed.Url}{(flags.Length > 0 ? $"\t({flags})" : "")}");
            }

            return 0;
        });
        return command;
    }

    private static Command Status()
    {
        var command = new Command("status", "Show for every feed: last success, last error with its reason, consecutive failures, next poll, items seen.");
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var app = await WatcherAppStorage.BuildWithStorageAsync(parse.GetValue(GlobalOptions.Config), cancellationToken, LogLevel.Warning);
            var (states, _) = await app.GetRequiredService<FeedStateStore>().ReadAllAsync(cancellationToken);
            var output = parse.InvocationConfiguration.Output;
            static string When(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "never";
            foreach (var feed in app.GetRequiredService<IOptions<WatcherOptions>>().Value.Feeds)
            {
                var state = states.GetValueOrDefault(feed.Name);
                output.WriteLine(feed.Name);
                output.WriteLine($"  url:                  {state?.FeedUrl ?? feed.Url}{(state is not null && state.FeedUrl != feed.Url ? $" (moved from {feed.Url})" : "")}");
                if (state is null)
                {
                    output.WriteLine("  not polled yet");
                    continue;
                }

                output.WriteLine($"  last success:         {When(state.LastSuccess)}");
                output.WriteLine($"  last error:           {(state.LastError is null ? "none" : $"{When(state.LastAttempt)} {state.LastErrorKind}: {state.LastError}")}");
                output.WriteLine($"  consecutive failures: {state.ConsecutiveFailures}{(state.FailingSince is { } since ? $" (failing since {When(since)})" : "")}");
                output.WriteLine($"  next poll:            {(state.Disabled ? $"never: {state.DisabledReason}" : state.NextPoll is null ? "next run" : When(state.NextPoll))}");
                output.WriteLine($"  items seen:           {state.ItemsSeen} ({state.ArticlesStored} new articles stored)");
                if (state.LastWarning is not null)
                {
                    output.WriteLine($"  warning:              {state.LastWarning}");
                }
            }

            return 0;
        });
        return command;
    }

    private static Command Add()
    {
        var url = new Argument<string>("url") { Description = "The feed's address (http or https)." };
        var name = new Option<string?>("--name") { Description = "Name of the feed; its title by default." };
        var language = new Option<string?>("--language") { Description = "Language the feed is written in (nl, en, ...)." };
        var fullText = new Option<bool>("--full-text") { Description = "Fetch each article's page for its full text." };
        var command = new Command("add", "Fetch a feed once, show what it holds, and add it to the configuration file.") { url, name, language, fullText };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var address = parse.GetValue(url)!;
            ParsedFeed parsed;
            Uri feedUrl;
            using (var app = WatcherApp.Build(parse.GetValue(GlobalOptions.Config), LogLevel.Warning))
            {
                if (UrlProblem(address, app, out var checkedUrl) is { } urlProblem)
                {
                    error.WriteLine(urlProblem);
                    return 1;
                }

                feedUrl = checkedUrl!;

                try
                {
                    var fetched = await app.GetRequiredService<FeedFetcher>().FetchAsync(feedUrl, null, null, cancellationToken);
                    Watcher.Feeds.Fetching.FeedDocumentCheck.EnsureReadable(fetched.Body);
                    parsed = FeedParser.Parse(fetched.Body, new FeedParseContext { BaseUri = fetched.FinalUrl, ContentType = fetched.ContentType, ContentLanguage = fetched.ContentLanguage });
                    feedUrl = fetched.PermanentUrl ?? feedUrl;
                }
                catch (Exception e) when (e is FeedFetchException or FeedParseException)
                {
                    error.WriteLine($"{address} cannot be used as a feed: {e.Message}");
                    return 1;
                }
            }

            if (parsed.Title is null && parsed.Items.Count == 0)
            {
                error.WriteLine($"{address} cannot be used as a feed: it has neither a title nor items.");
                return 1;
            }

            var feedName = parse.GetValue(name) ?? parsed.Title ?? feedUrl.Host;
            var file = LoadConfig(parse);
            if (file.Problem(feedName, feedUrl.AbsoluteUri) is { } problem)
            {
                error.WriteLine(problem);
                return 1;
            }

            file.Add(feedName, feedUrl.AbsoluteUri, parse.GetValue(language) ?? parsed.Language, parse.GetValue(fullText));
            file.Save();
            output.WriteLine($"Added '{feedName}': {parsed.Title ?? "(untitled)"}, {parsed.Items.Count} items, {feedUrl}");
            return 0;
        });
        return command;
    }

    private static Command Remove()
    {
        var name = new Argument<string>("name") { Description = "Name of the feed to remove." };
        var command = new Command("remove", "Remove a feed from the configuration file.") { name };
        command.SetAction(parse =>
        {
            var file = LoadConfig(parse);
            var feedName = parse.GetValue(name)!;
            if (!file.Remove(feedName))
            {
                parse.InvocationConfiguration.Error.WriteLine($"No feed named '{feedName}' in {file.Path}.");
                return 1;
            }

            file.Save();
            parse.InvocationConfiguration.Output.WriteLine($"Removed '{feedName}'.");
            return 0;
        });
        return command;
    }

    /// <summary>Why <paramref name="address"/> cannot be a feed here, or null: http(s), or file when the configuration allows file URLs.</summary>
    private static string? UrlProblem(string address, IServiceProvider app, out Uri? feedUrl)
    {
        var allowFiles = app.GetRequiredService<Microsoft.Extensions.Options.IOptions<Watcher.Configuration.WatcherOptions>>().Value.Fetch.AllowFileUrls;
        if (!Uri.TryCreate(address, UriKind.Absolute, out feedUrl))
        {
            return $"'{address}' is not an absolute URL.";
        }

        return feedUrl.Scheme switch
        {
            "http" or "https" => null,
            "file" when allowFiles => null,
            "file" => $"'{address}' is a file URL; they are refused unless Watcher:Fetch:AllowFileUrls is true.",
            _ => $"'{address}' is not an http or https URL.",
        };
    }

    private static Command Import()
    {
        var opml = new Argument<string>("file") { Description = "An OPML file, as feed readers export it." };
        var command = new Command("import", "Add the feeds of an OPML file to the configuration file (feeds already there are skipped).") { opml };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            IReadOnlyList<OpmlOutline> outlines;
            try
            {
                using var stream = File.OpenRead(parse.GetValue(opml)!);
                outlines = OpmlDocument.Read(stream);
            }
            catch (Exception e) when (e is IOException or XmlException or UnauthorizedAccessException)
            {
                error.WriteLine($"Cannot read {parse.GetValue(opml)}: {e.Message}");
                return 1;
            }

            var file = LoadConfig(parse);
            var (added, skipped) = file.Import(outlines);
            foreach (var reason in skipped)
            {
                output.WriteLine(reason);
            }

            file.Save();
            output.WriteLine($"Imported {added} of {outlines.Count} feeds into {file.Path}.");
            return 0;
        });
        return command;
    }

    private static Command Export()
    {
        var command = new Command("export", "Print the configured feeds as OPML 2.0.");
        command.SetAction(parse =>
        {
            using var app = WatcherApp.Build(parse.GetValue(GlobalOptions.Config), LogLevel.Warning);
            var feeds = app.GetRequiredService<IOptions<WatcherOptions>>().Value.Feeds;
            var document = OpmlDocument.Write(feeds, DateTimeOffset.UtcNow);
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine(document.Declaration);
            output.WriteLine(document.Root);
            return 0;
        });
        return command;
    }

    private static FeedListFile LoadConfig(ParseResult parse)
    {
        try
        {
            return FeedListFile.Load(ConfigPath(parse));
        }
        catch (ConfigFileException e)
        {
            throw new WatcherStartupException(e.Message);
        }
    }
}
