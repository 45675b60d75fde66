using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Watcher.Configuration;
using Watcher.Hosting;
using Watcher.Storage;
using Watcher.Tests.Support;

namespace Watcher.Tests.Functions;

/// <summary>
/// The configuration the Functions worker starts with: its app settings (here the Values of
/// local.settings.sample.json, as Core Tools turns them into environment variables) over the
/// embedded defaults and the shipped watcher.json, validated by the core as at start-up.
/// </summary>
public sealed class FunctionsConfigurationTests
{
    private static readonly string ShippedConfig = RepositoryPaths.Combine("src", "Watcher.Functions", "watcher.json");

    [Fact]
    public void Local_settings_sample_and_shipped_watcher_json_pass_the_validator()
    {
        var options = BuildOptions(SampleValues());

        Assert.Equal("UseDevelopmentStorage=true", options.Storage.ConnectionString);
        Assert.Equal("127.0.0.1", options.Smtp.Host);
        Assert.Equal(1025, options.Smtp.Port);
        Assert.Equal("0 */15 * * * *", options.Schedules.FetchFeeds);
        Assert.Equal("http://localhost:7071", options.Delivery.PublicBaseUrl);
        Assert.NotEmpty(options.Topics);
        Assert.NotEmpty(options.Subscribers);
        Assert.All(options.Feeds, feed => Assert.Equal(Uri.UriSchemeHttps, new Uri(feed.Url).Scheme));
    }

    [Fact]
    public void Local_settings_sample_has_the_trigger_settings_the_host_resolves()
    {
        var values = SampleValues();

        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]);
        Assert.Equal("UseDevelopmentStorage=true", values[StorageNames.TriggerConnection]);
        foreach (var schedule in new[] { FunctionNames.FetchFeedsSchedule, FunctionNames.SendDigestsSchedule })
        {
            // The host resolves %Watcher:Schedules:X% from its configuration, where the app
            // setting Watcher__Schedules__X appears as Watcher:Schedules:X.
            var appSetting = schedule.Trim('%').Replace(":", "__", StringComparison.Ordinal);
            Assert.True(values.ContainsKey(appSetting), $"local.settings.sample.json lacks {appSetting}, which {schedule} needs.");
        }
    }

    [Fact]
    public void App_settings_override_the_shipped_file()
    {
        var values = SampleValues();
        values["Watcher__Smtp__Port"] = "2525";
        values["Watcher__Feeds__0__Url"] = "https://example.org/feed.xml";

        var options = BuildOptions(values);

        Assert.Equal(2525, options.Smtp.Port);
        Assert.Equal("https://example.org/feed.xml", options.Feeds[0].Url);
        Assert.Equal(ShippedFeedCount(), options.Feeds.Count);
    }

    [Fact]
    public void A_bad_app_setting_stops_the_worker_naming_the_setting()
    {
        var values = SampleValues();
        values["Watcher__Smtp__Port"] = "0";
        values["Watcher__Schedules__SendDigests"] = "every hour";

        var error = Assert.Throws<OptionsValidationException>(() => BuildOptions(values));

        Assert.Contains(error.Failures, f => f.StartsWith("Watcher:Smtp:Port:", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Watcher:Schedules:SendDigests:", StringComparison.Ordinal));
    }

    [Fact]
    public void Inserting_the_files_into_a_host_configuration_keeps_the_host_sources_on_top()
    {
        // As in the worker: the host's sources are already there when Program.cs inserts the files.
        using var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Watcher:Smtp:Host"] = "relay.example.org" });

        configuration.InsertWatcherFilesFirst(ShippedConfig);

        Assert.Equal("relay.example.org", configuration["Watcher:Smtp:Host"]);
        Assert.Equal(ShippedFeedCount(), configuration.GetSection("Watcher:Feeds").GetChildren().Count());
        Assert.NotEmpty(configuration.GetSection("Watcher:Topics").GetChildren());
    }

    [Fact]
    public void Inserting_a_missing_file_names_it()
    {
        using var configuration = new ConfigurationManager();
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("n"), "watcher.json");

        var error = Assert.Throws<FileNotFoundException>(() => configuration.InsertWatcherFilesFirst(missing));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> SampleValues()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine("local.settings.sample.json")));
        Assert.False(document.RootElement.GetProperty("IsEncrypted").GetBoolean());
        return document.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    /// <summary>The worker's configuration: app settings as configuration keys (<c>__</c> is <c>:</c>), the files beneath them.</summary>
    private static WatcherOptions BuildOptions(Dictionary<string, string> appSettings)
    {
        using var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(appSettings.Select(s => KeyValuePair.Create(s.Key.Replace("__", ":", StringComparison.Ordinal), (string?)s.Value)));
        configuration.InsertWatcherFilesFirst(ShippedConfig);

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddWatcherCore(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<WatcherOptions>>().Value;
    }

    private static int ShippedFeedCount()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(ShippedConfig));
        return document.RootElement.GetProperty("Watcher").GetProperty("Feeds").GetArrayLength();
    }
}
