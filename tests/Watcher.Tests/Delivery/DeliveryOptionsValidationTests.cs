using Watcher.Configuration;

namespace Watcher.Tests.Delivery;

public sealed class DeliveryOptionsValidationTests
{
    [Theory]
    [InlineData("https://watcher.example.org", null, "Watcher:Delivery:TokenSecret")]
    [InlineData("https://watcher.example.org", "too-short", "Watcher:Delivery:TokenSecret")]
    [InlineData("http://watcher.example.org", "0123456789abcdef0123456789abcdef", "Watcher:Delivery:PublicBaseUrl")]
    [InlineData("ftp://watcher.example.org", "0123456789abcdef0123456789abcdef", "Watcher:Delivery:PublicBaseUrl")]
    public void A_public_base_url_outside_loopback_needs_https_and_a_token_secret(string baseUrl, string? secret, string failingSetting)
    {
        var result = new WatcherOptionsValidator().Validate(null, Options(o =>
        {
            o.Delivery.PublicBaseUrl = baseUrl;
            o.Delivery.TokenSecret = secret;
        }));

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(failingSetting + ":", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://127.0.0.1:7071", null)]
    [InlineData("http://localhost:7071", null)]
    [InlineData("https://watcher.example.org", "0123456789abcdef0123456789abcdef")]
    public void Loopback_runs_without_a_secret_and_production_with_one(string baseUrl, string? secret)
    {
        var result = new WatcherOptionsValidator().Validate(null, Options(o =>
        {
            o.Delivery.PublicBaseUrl = baseUrl;
            o.Delivery.TokenSecret = secret;
        }));

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Send_rates_and_the_unsubscribe_mailbox_are_checked()
    {
        var result = new WatcherOptionsValidator().Validate(null, Options(o =>
        {
            o.Delivery.MaxPerMinute = 0;
            o.Delivery.MaxPerHour = -1;
            o.Delivery.UnsubscribeMailto = "not an address\r\nBcc: x@example.org";
        }));

        Assert.Contains(result.Failures!, f => f.StartsWith("Watcher:Delivery:MaxPerMinute:", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Watcher:Delivery:MaxPerHour:", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Watcher:Delivery:UnsubscribeMailto:", StringComparison.Ordinal));
    }

    private static WatcherOptions Options(Action<WatcherOptions> change)
    {
        var options = new WatcherOptions
        {
            Topics = new(StringComparer.OrdinalIgnoreCase) { ["5g-ban"] = new TopicOptions { Name = "5G bans", AllOf = [["huawei"]] } },
        };
        change(options);
        return options;
    }
}
