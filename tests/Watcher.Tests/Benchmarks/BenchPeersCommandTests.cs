using Watcher.Tests.Support;

namespace Watcher.Tests.Benchmarks;

/// <summary>
/// <c>watcher-bench peers</c> at tiny scale: Watcher and the real rss2email (Debian package
/// <c>rss2email</c>) over the same local feeds into one MailDev.
/// </summary>
public sealed class BenchPeersCommandTests
{
    [Fact]
    public async Task Peers_at_tiny_scale_counts_rss2email_duplicates_that_Watcher_avoids()
    {
        var data = Path.Combine(Path.GetTempPath(), "watcher-bench-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = await WatcherCli.RunBenchAsync(["peers", "--feeds", "2", "--items", "3", "--data", data], timeout: TimeSpan.FromMinutes(4));

            Assert.True(result.ExitCode == 0, result.Output);

            // Feed 1 repeats feed 0's first story under another tracking URL: rss2email mails all
            // 6 items, one a duplicate; Watcher stores 5 articles and mails each match once.
            Assert.Matches(@"\| mails after run 1\s+\| \d+\s+\| 6 ", result.Output);
            Assert.Matches(@"\| duplicate mails \(a story mailed again\)\s+\| 0\s+\| 1 ", result.Output);
            Assert.Matches(@"\| distinct stories mailed\s+\| \d+\s+\| 5 ", result.Output);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
