using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Watcher.Configuration;

/// <summary>
/// Builds the configuration both hosts read: the embedded defaults (built-in topics, schedules),
/// then the user's JSON file, then environment variables (<c>Watcher__Smtp__Port=2525</c>).
/// </summary>
public static class WatcherConfiguration
{
    public const string DefaultsResourceName = "watcher.defaults.json";

    public static IConfigurationBuilder AddWatcherDefaults(this IConfigurationBuilder builder)
    {
        var stream = typeof(WatcherConfiguration).Assembly.GetManifestResourceStream(DefaultsResourceName)
            ?? throw new InvalidOperationException($"The embedded resource {DefaultsResourceName} is missing from {typeof(WatcherConfiguration).Assembly.GetName().Name}.");
        return builder.AddJsonStream(stream);
    }

    /// <summary>
    /// For a host that already has its own sources (the Functions worker's environment variables,
    /// app settings, command line): puts the embedded defaults and <paramref name="configFile"/>
    /// beneath all of them, so <c>Watcher__Smtp__Port</c> in the app settings still wins over the
    /// shipped file.
    /// </summary>
    public static IConfigurationBuilder InsertWatcherFilesFirst(this IConfigurationBuilder builder, string configFile)
    {
        var fullPath = Path.GetFullPath(configFile);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"Configuration file '{fullPath}' does not exist.", fullPath);
        }

        // A chained, already loaded root rather than the JSON sources themselves: a
        // ConfigurationManager rebuilds every source when one is inserted, and the defaults are a
        // stream that can be read only once.
        var files = new ConfigurationBuilder()
            .AddWatcherDefaults()
            .AddJsonFile(fullPath, optional: false, reloadOnChange: false)
            .Build();
        builder.Sources.Insert(0, new ChainedConfigurationSource { Configuration = files, ShouldDisposeConfiguration = true });
        return builder;
    }

    /// <summary>
    /// Defaults, then <paramref name="configFile"/>, then environment variables. Feed URLs that
    /// are plain paths are resolved against the configuration file's folder, so a shipped config
    /// can point at feeds beside it.
    /// </summary>
    public static IConfigurationRoot Build(string configFile)
    {
        var fullPath = Path.GetFullPath(configFile);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"Configuration file '{fullPath}' does not exist.", fullPath);
        }

        var root = new ConfigurationBuilder()
            .AddWatcherDefaults()
            .AddJsonFile(fullPath, optional: false, reloadOnChange: false)
            .AddEnvironmentVariables()
            .Build();

        var resolved = ResolveRelativeFeedPaths(root, Path.GetDirectoryName(fullPath)!);
        if (resolved.Count == 0)
        {
            return root;
        }

        return new ConfigurationBuilder()
            .AddConfiguration(root)
            .AddInMemoryCollection(resolved)
            .Build();
    }

    private static Dictionary<string, string?> ResolveRelativeFeedPaths(IConfiguration configuration, string baseDirectory)
    {
        var resolved = new Dictionary<string, string?>();
        foreach (var feed in configuration.GetSection($"{WatcherOptions.SectionName}:{nameof(WatcherOptions.Feeds)}").GetChildren())
        {
            var url = feed[nameof(FeedOptions.Url)];
            if (string.IsNullOrWhiteSpace(url) || Uri.TryCreate(url, UriKind.Absolute, out _))
            {
                continue;
            }

            resolved[$"{feed.Path}:{nameof(FeedOptions.Url)}"] = new Uri(Path.GetFullPath(Path.Combine(baseDirectory, url))).AbsoluteUri;
        }

        return resolved;
    }

    /// <summary>Version of the Watcher assembly, for the User-Agent and classifier output.</summary>
    public static string ProductVersion { get; } =
        typeof(WatcherConfiguration).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
