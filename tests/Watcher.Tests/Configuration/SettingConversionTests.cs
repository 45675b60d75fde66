using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Watcher.Configuration;

namespace Watcher.Tests.Configuration;

/// <summary>
/// A value that cannot be converted stops start-up with its full path and the accepted values.
/// Inside a list the binder used to drop the whole entry without a word (a subscriber with
/// <c>"Schedule": "hourly"</c> simply vanished), so each option type is tried inside a list too.
/// </summary>
public sealed class SettingConversionTests
{
    [Theory]
    [InlineData("Watcher:Subscribers:1:Schedule", "hourly", "one of instant, daily, weekly")]
    [InlineData("Watcher:Subscribers:1:Weekday", "Funday", "one of sunday, monday")]
    [InlineData("Watcher:Subscribers:1:MaxItems", "lots", "a whole number")]
    [InlineData("Watcher:Feeds:1:FullText", "maybe", "a boolean")]
    [InlineData("Watcher:Fetch:Timeout", "soon", "a time span")]
    [InlineData("Watcher:Smtp:Port", "twenty-five", "a whole number")]
    [InlineData("Watcher:Topics:5g-ban:Threshold", "high", "a number")]
    [InlineData("Watcher:Topics:5g-ban:Rules:0:Proximity", "near", "a whole number")]
    public void An_unconvertible_value_stops_start_up_with_its_path(string key, string value, string accepted)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Build(new() { [key] = value }));

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith($"{key}: '{value}' is not {accepted}", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_value_is_named_at_once()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Build(new()
        {
            ["Watcher:Subscribers:0:Schedule"] = "hourly",
            ["Watcher:Subscribers:1:Weekday"] = "Funday",
        }));

        Assert.Equal(["Watcher:Subscribers:0:Schedule", "Watcher:Subscribers:1:Weekday"], error.Failures.Select(f => f[..f.IndexOf(": ", StringComparison.Ordinal)]));
    }

    [Fact]
    public void A_schedule_given_as_a_number_is_refused_too()
    {
        // The binder takes "1" as the enum's second member; nobody writes a schedule that way on purpose.
        var error = Assert.Throws<OptionsValidationException>(() => Build(new() { ["Watcher:Subscribers:1:Schedule"] = "1" }));

        Assert.Contains(error.Failures, f => f.StartsWith("Watcher:Subscribers:1:Schedule:", StringComparison.Ordinal));
    }

    [Fact]
    public void Valid_values_in_any_case_keep_every_entry()
    {
        var options = Build(new()
        {
            ["Watcher:Subscribers:1:Schedule"] = "Weekly",
            ["Watcher:Subscribers:1:Weekday"] = "friday",
            ["Watcher:Feeds:1:FullText"] = "True",
            ["Watcher:Fetch:Timeout"] = "00:00:05",
        });

        Assert.Equal(2, options.Subscribers.Count);
        Assert.Equal(DeliverySchedule.Weekly, options.Subscribers[1].Schedule);
        Assert.Equal(DayOfWeek.Friday, options.Subscribers[1].Weekday);
        Assert.Equal(2, options.Feeds.Count);
        Assert.True(options.Feeds[1].FullText);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Fetch.Timeout);
    }

    /// <summary>Two feeds and two subscribers, so a dropped entry would show as a shorter list.</summary>
    private static WatcherOptions Build(Dictionary<string, string?> overrides)
    {
        var values = new Dictionary<string, string?>
        {
            ["Watcher:Feeds:0:Name"] = "One",
            ["Watcher:Feeds:0:Url"] = "https://example.org/one.xml",
            ["Watcher:Feeds:1:Name"] = "Two",
            ["Watcher:Feeds:1:Url"] = "https://example.org/two.xml",
            ["Watcher:Subscribers:0:Email"] = "ann@example.org",
            ["Watcher:Subscribers:0:Topics:0"] = "5g-ban",
            ["Watcher:Subscribers:0:Schedule"] = "instant",
            ["Watcher:Subscribers:1:Email"] = "bob@example.org",
            ["Watcher:Subscribers:1:Topics:0"] = "blacklist",
            ["Watcher:Subscribers:1:Schedule"] = "daily",
        };
        foreach (var (key, value) in overrides)
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddWatcherDefaults().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddWatcherCore(configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<WatcherOptions>>().Value;
    }
}
