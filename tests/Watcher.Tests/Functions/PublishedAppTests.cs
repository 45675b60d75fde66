using System.Diagnostics;
using System.Text.Json;
using Watcher.Delivery;
using Watcher.Hosting;
using Watcher.Storage;
using Watcher.Subscribers;
using Watcher.Tests.Functions.Host;
using Watcher.Tests.Support;

namespace Watcher.Tests.Functions;

/// <summary>
/// The artifact azd deploys: <c>dotnet publish src/Watcher.Functions</c>, and the metadata the
/// Functions host reads from it (functions.metadata, extensions.json, worker.config.json),
/// checked against the core's names. The host indexes these files, not our sources, so a
/// binding that drifted shows here even where the sources still look right.
/// </summary>
public sealed class PublishedAppTests(PublishedAppTests.PublishedApp app) : IClassFixture<PublishedAppTests.PublishedApp>
{
    [Fact]
    public void Metadata_lists_exactly_the_core_functions_with_their_entry_points()
    {
        Assert.Equal(
            [FunctionNames.ClassifyArticle, FunctionNames.DeliverSummaries, FunctionNames.FetchFeeds, FunctionNames.Preferences, FunctionNames.SendDigests],
            app.Functions.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, function) in app.Functions)
        {
            Assert.Equal("dotnet-isolated", function.GetProperty("language").GetString());
            Assert.Equal($"Watcher.Functions.{name}Function.RunAsync", function.GetProperty("entryPoint").GetString());
            Assert.True(File.Exists(Path.Combine(app.Directory, function.GetProperty("scriptFile").GetString()!)), $"{name}: scriptFile is not in the publish output");
        }
    }

    [Fact]
    public void Blob_trigger_reads_articles_through_event_grid_on_the_trigger_connection()
    {
        var trigger = app.Trigger(FunctionNames.ClassifyArticle);

        Assert.Equal("blobTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(StorageNames.ArticleBlobTriggerPath, trigger.GetProperty("path").GetString());
        Assert.Equal("EventGrid", trigger.GetProperty("source").GetString());
        Assert.Equal(StorageNames.TriggerConnection, trigger.GetProperty("connection").GetString());
    }

    [Fact]
    public void Queue_trigger_reads_the_summaries_queue_on_the_trigger_connection()
    {
        var trigger = app.Trigger(FunctionNames.DeliverSummaries);

        Assert.Equal("queueTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(StorageNames.SummariesQueue, trigger.GetProperty("queueName").GetString());
        Assert.Equal(StorageNames.TriggerConnection, trigger.GetProperty("connection").GetString());
    }

    [Theory]
    [InlineData(FunctionNames.FetchFeeds, FunctionNames.FetchFeedsSchedule)]
    [InlineData(FunctionNames.SendDigests, FunctionNames.SendDigestsSchedule)]
    public void Timers_take_their_schedule_from_an_app_setting(string function, string schedule)
    {
        var trigger = app.Trigger(function);

        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal(schedule, trigger.GetProperty("schedule").GetString());

        // An app setting the host resolves per environment, and one Watcher's options know.
        var settings = typeof(Watcher.Configuration.ScheduleOptions).GetProperties().Select(p => $"%{Watcher.Configuration.WatcherOptions.SectionName}:{nameof(Watcher.Configuration.WatcherOptions.Schedules)}:{p.Name}%");
        Assert.Contains(trigger.GetProperty("schedule").GetString(), settings);
    }

    [Fact]
    public void Preferences_is_an_anonymous_get_and_post_route_because_mailed_links_carry_no_key()
    {
        var trigger = app.Trigger(FunctionNames.Preferences);

        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(PreferencesEndpoint.Route, trigger.GetProperty("route").GetString());
        Assert.Equal(["get", "post"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Extensions_json_loads_the_storage_extensions_from_files_that_were_published()
    {
        using var extensions = JsonDocument.Parse(File.ReadAllText(Path.Combine(app.Directory, "extensions.json")));
        var loaded = extensions.RootElement.GetProperty("extensions").EnumerateArray().ToList();

        Assert.Contains(loaded, e => e.GetProperty("name").GetString() == "AzureStorageBlobs");
        Assert.Contains(loaded, e => e.GetProperty("name").GetString() == "AzureStorageQueues");
        Assert.All(loaded, e => Assert.True(
            File.Exists(Path.Combine(app.Directory, e.GetProperty("hintPath").GetString()!)),
            $"{e.GetProperty("name").GetString()}: {e.GetProperty("hintPath").GetString()} is missing"));
    }

    [Fact]
    public void Worker_config_starts_the_published_worker_and_the_package_carries_its_settings_files()
    {
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(app.Directory, "worker.config.json")));
        var description = config.RootElement.GetProperty("description");

        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.True(File.Exists(Path.Combine(app.Directory, description.GetProperty("defaultWorkerPath").GetString()!)));
        Assert.True(File.Exists(Path.Combine(app.Directory, "host.json")));
        Assert.True(File.Exists(Path.Combine(app.Directory, "watcher.json")));
        Assert.False(File.Exists(Path.Combine(app.Directory, "local.settings.json")), "local settings hold secrets and must not be deployed");
    }

    /// <summary>
    /// What the Function App sets in Azure (names from the Bicep template; values as a deployment
    /// has them: identity storage, an https base URL, a long token secret, a mail relay).
    /// </summary>
    private static Dictionary<string, string> DeployedSettings() => new(StringComparer.Ordinal)
    {
        ["Watcher__Storage__AccountName"] = "stdatawatcher",
        ["Watcher__Storage__ConnectionString"] = "",
        ["WatcherStorage__blobServiceUri"] = "https://stdatawatcher.blob.core.windows.net",
        ["WatcherStorage__queueServiceUri"] = "https://stdatawatcher.queue.core.windows.net",
        ["WatcherStorage__credential"] = "managedidentity",
        ["Watcher__Schedules__FetchFeeds"] = "0 */15 * * * *",
        ["Watcher__Schedules__SendDigests"] = "0 0 * * * *",
        ["Watcher__Delivery__PublicBaseUrl"] = "https://func-watcher.azurewebsites.net",
        ["Watcher__Delivery__TokenSecret"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        ["Watcher__Smtp__Host"] = "smtp.azurecomm.net",
        ["Watcher__Smtp__Port"] = "587",
        ["Watcher__Smtp__From"] = "watcher@contoso.example",
    };

    [Fact]
    public async Task The_published_worker_with_deployed_settings_starts_and_loads_every_function()
    {
        await using var host = await FunctionsHostStandIn.StartAsync(app.Directory, DeployedSettings());

        Assert.Equal(app.Functions.Keys.Order(StringComparer.Ordinal), host.Functions.Keys.Order(StringComparer.Ordinal));
        Assert.All(host.Functions.Values, f => Assert.Equal($"Watcher.Functions.{f.Name}Function.RunAsync", f.EntryPoint));
    }

    [Theory]
    [InlineData("Watcher__Smtp__Port", "99999", "Watcher:Smtp:Port: 99999 is not a TCP port.")]
    [InlineData("Watcher__Delivery__TokenSecret", "short", "Watcher:Delivery:TokenSecret")]
    [InlineData("Watcher__Smtp__Host", "", "Watcher:Smtp:Host: is required.")]
    [InlineData("Watcher__Fetch__AllowFileUrls", "maybe", "Watcher:Fetch:AllowFileUrls")]
    public async Task The_published_worker_stops_at_start_naming_a_bad_setting(string setting, string value, string named)
    {
        var settings = DeployedSettings();
        settings[setting] = value;

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => FunctionsHostStandIn.StartAsync(app.Directory, settings));

        Assert.Contains("did not open its event stream (exited: True)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("OptionsValidationException", refused.Message, StringComparison.Ordinal);
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// One publish per test run, shared by every class that needs the artifact: into a folder of
    /// the test output, which the next run overwrites.
    /// </summary>
    public sealed class PublishedApp
    {
        private static readonly Lazy<string> Published = new(Publish);

        public PublishedApp()
        {
            Directory = Output;
            using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "functions.metadata")));
            Functions = metadata.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone());
        }

        /// <summary>The publish folder, published on first use.</summary>
        public static string Output => Published.Value;

        public string Directory { get; }

        public IReadOnlyDictionary<string, JsonElement> Functions { get; }

        public JsonElement Trigger(string function) =>
            Assert.Single(Functions[function].GetProperty("bindings").EnumerateArray(), b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

        private static string Publish()
        {
            var directory = Path.Combine(AppContext.BaseDirectory, "published-functions");
            if (System.IO.Directory.Exists(directory))
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }

            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { "publish", RepositoryPaths.Combine("src", "Watcher.Functions"), "-c", "Release", "-o", directory, "--nologo", "-v", "q" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var publish = Process.Start(start)!;
            var output = publish.StandardOutput.ReadToEndAsync();
            var errors = publish.StandardError.ReadToEnd();
            publish.WaitForExit();
            if (publish.ExitCode != 0)
            {
                throw new InvalidOperationException($"dotnet publish src/Watcher.Functions failed ({publish.ExitCode}):\n{output.Result}\n{errors}");
            }

            return directory;
        }
    }
}
