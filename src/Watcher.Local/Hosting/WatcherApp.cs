using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Configuration;

namespace Watcher.Local.Hosting;

/// <summary>Builds the core's services for one <c>watcher</c> command from a configuration file.</summary>
internal static class WatcherApp
{
    /// <summary>The configuration shipped beside the executable: sample feeds, Azurite, MailDev.</summary>
    public static string DefaultConfigPath => Path.Combine(AppContext.BaseDirectory, "watcher.json");

    /// <summary>
    /// Loads and validates the configuration. A bad setting throws <see cref="WatcherStartupException"/>
    /// with every problem, each naming its setting.
    /// </summary>
    public static ServiceProvider Build(string? configPath, LogLevel logLevel = LogLevel.Information, Action<IServiceCollection>? configure = null)
    {
        IConfiguration configuration;
        try
        {
            configuration = WatcherConfiguration.Build(configPath ?? DefaultConfigPath);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or FormatException)
        {
            throw new WatcherStartupException($"Cannot read the configuration: {e.Message}");
        }

        var services = new ServiceCollection();
        services.AddLogging(logging => logging
            .SetMinimumLevel(logLevel)
            .AddFilter("Azure", LogLevel.Warning)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            }));
        services.AddWatcherCore(configuration);
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<WatcherOptions>>().Value;
        }
        catch (OptionsValidationException e)
        {
            provider.Dispose();
            throw new WatcherStartupException("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, e.Failures.Select(f => "  " + f)));
        }
        catch (InvalidOperationException e)
        {
            provider.Dispose();
            throw new WatcherStartupException($"Invalid configuration: {e.Message}");
        }

        return provider;
    }
}

/// <summary>The command cannot start; the message tells the user what to fix.</summary>
internal static class WatcherAppStorage
{
    /// <summary>
    /// <see cref="WatcherApp.Build"/>, then one quick look at the storage the commands that read
    /// it need: unreachable storage stops them within seconds, once, saying what to do.
    /// </summary>
    public static async Task<ServiceProvider> BuildWithStorageAsync(string? configPath, CancellationToken cancellationToken, LogLevel logLevel = LogLevel.Information)
    {
        var app = WatcherApp.Build(configPath, logLevel);
        if (await app.GetRequiredService<Watcher.Storage.WatcherStorage>().ProbeAsync(cancellationToken) is { } problem)
        {
            await app.DisposeAsync();
            throw new WatcherStartupException(problem + Environment.NewLine + "Start Azurite (./demo.sh starts it and keeps it running), or set Watcher:Storage:ConnectionString to a reachable account.");
        }

        return app;
    }
}

internal sealed class WatcherStartupException(string message) : Exception(message);
