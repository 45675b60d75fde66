using Watcher.Tests.Support;

namespace Watcher.Tests.EndToEnd;

/// <summary>The README's main command: Azurite and MailDev started, sample feeds read, mail saved.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_delivers_digests_of_the_sample_feeds_into_MailDev_and_saves_them()
    {
        var data = Path.Combine(Path.GetTempPath(), "watcher-demo-" + Guid.NewGuid().ToString("n"));

        var result = await WatcherCli.RunAsync(["demo", "--no-wait", "--data", data], timeout: TimeSpan.FromMinutes(3));

        Assert.True(result.ExitCode == 0, result.ToString());
        var saved = Directory.GetFiles(Path.Combine(data, "mail"), "*.eml");
        Assert.NotEmpty(saved);
        Assert.Contains("Read them in a browser: http://127.0.0.1:", result.StandardOutput, StringComparison.Ordinal);
        var mails = await Task.WhenAll(saved.Select(f => File.ReadAllTextAsync(f)));
        Assert.Contains(mails, m => m.Contains("To: Ann <ann@example.org>", StringComparison.Ordinal));
        Assert.DoesNotContain(mails, m => m.Contains("vouwtelefoon", StringComparison.Ordinal));
    }
}
