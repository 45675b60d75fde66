using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Watcher.Feeds;
using Watcher.Local.DevServices;
using Watcher.Tests.Support;

namespace Watcher.Tests.Feeds.Fetching;

/// <summary>A feed failing for long is mailed to the admin once per problem, and once when it recovers.</summary>
public sealed class FailureReportTests(FailureReportTests.Host host) : IClassFixture<FailureReportTests.Host>
{
    private const string Admin = "admin@example.org";

    [Fact]
    public async Task Admin_hears_once_per_problem_and_once_on_recovery()
    {
        var status = 500;
        host.Server.Map("/flaky", async context =>
        {
            if (status != 200)
            {
                context.Response.StatusCode = status;
                return;
            }

            context.Response.ContentType = "application/rss+xml";
            await context.Response.WriteAsync("<rss version=\"2.0\"><channel><title>Flaky</title><item><title>Back</title><link>http://example.org/back</link></item></channel></rss>");
        });
        var config = host.WriteConfig(
            [FetchTestHost.Feed("flaky", host.Server.Url("/flaky"))],
            new JsonObject { ["AdminEmail"] = Admin, ["ReportFailingAfter"] = "00:00:00.300", ["InitialBackoff"] = "00:00:00.001", ["MaxBackoff"] = "00:00:00.001" },
            new JsonObject { ["Transport"] = "smtp", ["Host"] = "127.0.0.1", ["Port"] = host.MailDev.SmtpPort, ["Security"] = "None" });
        using var provider = await FetchTestHost.BuildAsync(config);
        var poller = provider.GetRequiredService<FeedPoller>();

        async Task<IReadOnlyList<ReceivedMail>> PollAsync()
        {
            await Task.Delay(20);
            await poller.PollAllAsync(CancellationToken.None);
            return await host.Mail.ForAsync(Admin);
        }

        Assert.Empty(await PollAsync()); // failing, but not for long yet
        await Task.Delay(400);
        var reported = await PollAsync();
        var first = Assert.Single(reported);
        Assert.Contains("flaky", first.Subject, StringComparison.Ordinal);
        Assert.Single(await PollAsync()); // the same problem again: no second mail
        Assert.Single(await PollAsync());

        status = 404;
        Assert.Equal(2, (await PollAsync()).Count); // failing differently
        Assert.Equal(2, (await PollAsync()).Count);

        status = 200;
        var afterRecovery = await PollAsync();
        Assert.Equal(3, afterRecovery.Count);
        Assert.Contains(afterRecovery, m => m.Subject.Contains("recovered", StringComparison.Ordinal));
        Assert.Equal(3, (await PollAsync()).Count);

        var (state, _) = await provider.GetRequiredService<FeedStateStore>().ReadAsync("flaky", CancellationToken.None);
        Assert.Null(state!.ReportedProblem);
    }

    public sealed class Host : FetchTestHost
    {
        public MailDevService MailDev { get; private set; } = null!;

        public MailDevClient Mail { get; private set; } = null!;

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            MailDev = await MailDevService.StartAsync(Path.Combine(Root, "mail"));
            Mail = new MailDevClient(MailDev.WebUrl);
        }

        public override async Task DisposeAsync()
        {
            Mail.Dispose();
            await MailDev.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
