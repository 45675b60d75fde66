using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Watcher.Local.DevServices;
using Watcher.Local.Hosting;
using Watcher.Storage;

using Watcher.Tests.Support;

namespace Watcher.Tests.Feeds.Fetching;

/// <summary>
/// One real Azurite and one Kestrel feed server per test class. Each test builds Watcher's
/// services from a real configuration file it writes, against that Azurite.
/// </summary>
public class FetchTestHost : IAsyncLifetime
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "watcher-tests", "fetch-" + Guid.NewGuid().ToString("n"));

    public AzuriteService Azurite { get; private set; } = null!;

    public LoopbackHttpServer Server { get; private set; } = null!;

    public string Root => root;

    public virtual async Task InitializeAsync()
    {
        Azurite = await AzuriteService.StartAsync(Path.Combine(root, "azurite"));
        Server = await LoopbackHttpServer.StartAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Azurite.DisposeAsync();
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying process; the temp folder is cleaned by the OS.
        }
    }

    /// <summary>A configuration file with these feeds and fetch settings (fast timeouts and no politeness delay unless set).</summary>
    public string WriteConfig(JsonArray feeds, JsonObject? fetch = null, JsonObject? smtp = null)
    {
        var fetchSection = new JsonObject
        {
            ["Timeout"] = "00:00:01",
            ["MinIntervalPerHost"] = "00:00:00",
            ["MaxConcurrencyPerHost"] = 4,
            ["AllowFileUrls"] = true,
        };
        foreach (var (key, value) in fetch ?? [])
        {
            fetchSection[key] = value?.DeepClone();
        }

        var config = new JsonObject
        {
            ["Watcher"] = new JsonObject
            {
                ["Storage"] = new JsonObject { ["ConnectionString"] = Azurite.ConnectionString },
                ["Fetch"] = fetchSection,
                ["Feeds"] = feeds,
                ["Smtp"] = smtp ?? new JsonObject { ["Transport"] = "pickup", ["PickupDirectory"] = Path.Combine(root, "pickup") },
            },
        };
        Directory.CreateDirectory(root);
        var path = Path.Combine(root, $"watcher-{Guid.NewGuid():n}.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    public static JsonObject Feed(string name, Uri url, bool fullText = false) =>
        new() { ["Name"] = name, ["Url"] = url.AbsoluteUri, ["FullText"] = fullText };

    public static async Task<ServiceProvider> BuildAsync(string configPath, LogSink? logs = null)
    {
        var provider = WatcherApp.Build(configPath, LogLevel.Information, services =>
        {
            if (logs is not null)
            {
                services.AddSingleton<ILoggerProvider>(logs);
            }
        });
        await provider.GetRequiredService<WatcherStorage>().EnsureCreatedAsync();
        return provider;
    }
}

/// <summary>Keeps what was logged, to check that a feed error is reported under its feed's name.</summary>
public sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            sink.Entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
