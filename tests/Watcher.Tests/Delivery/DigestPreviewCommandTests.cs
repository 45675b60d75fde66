using System.CommandLine;
using Watcher.Configuration;
using Watcher.Digests;
using Watcher.Local.Commands;
using Watcher.Subscribers;
using Watcher.Tests.Support;

namespace Watcher.Tests.Delivery;

/// <summary><c>watcher digest preview</c> shows what would be sent now and sends nothing.</summary>
public sealed class DigestPreviewCommandTests(ServicesFixture services) : IClassFixture<ServicesFixture>
{
    [Fact]
    public async Task Preview_writes_the_pending_digest_without_sending_it()
    {
        var ida = DeliveryTestHost.Subscriber("ida", DeliverySchedule.Daily);
        using var host = await DeliveryTestHost.CreateAsync(services, [ida], new ManualClock(DateTimeOffset.UtcNow));
        await host.DeliverAsync(await host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Preview me: 5G ban", ["5g-ban"]));

        var config = Path.Combine(Path.GetTempPath(), $"watcher-preview-{Guid.NewGuid():n}.json");
        var htmlFile = Path.ChangeExtension(config, ".html");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Watcher": {
                "Storage": { "ConnectionString": "{{services.Azurite.ConnectionString}}" },
                "Smtp": { "Host": "127.0.0.1", "Port": {{services.MailDev.SmtpPort}} },
                "Subscribers": [ { "Email": "{{ida.Email}}", "Topics": [ "5g-ban" ], "Schedule": "daily" } ]
              }
            }
            """);

        Assert.Equal(0, await RunAsync("digest", "preview", "--subscriber", ida.Email, "--html", htmlFile, "--config", config));
        Assert.Equal(1, await RunAsync("digest", "preview", "--subscriber", "nobody@example.org", "--config", config));

        var html = await File.ReadAllTextAsync(htmlFile);
        Assert.Contains("Preview me: 5G ban", html);
        Assert.Contains(": 1 new — 5G bans 1", html);
        Assert.Empty(await services.Mail.SettledAsync(ida.Email));
        Assert.Single((await host.Get<DigestStore>().ReadPendingAsync(SubscriberKey.For(ida.Email), CancellationToken.None)).Items);
        File.Delete(config);
        File.Delete(htmlFile);
    }

    private static async Task<int> RunAsync(params string[] args) =>
        await new RootCommand { GlobalOptions.Config, DigestCommand.Create() }.Parse(args).InvokeAsync();
}
