using Watcher.Tests.Support;

namespace Watcher.Tests.Benchmarks;

/// <summary>
/// <c>watcher-bench hostile</c> on two quick classes: real watcher runs under /usr/bin/time next
/// to a healthy feed, on Azurite and MailDev.
/// </summary>
public sealed class BenchHostileCommandTests
{
    [Fact]
    public async Task Hostile_on_two_classes_names_the_error_and_measures_peak_memory()
    {
        var data = Path.Combine(Path.GetTempPath(), "watcher-bench-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = await WatcherCli.RunBenchAsync(["hostile", "--only", "baseline", "xxe", "--data", data], timeout: TimeSpan.FromMinutes(4));

            Assert.True(result.ExitCode == 0, result.Output);
            Assert.Matches(@"\| baseline\s+\|[^|]+\| [\d.]+ s\s+\| \d+ MiB\s+\| 0\s+\| none\s+\| yes ", result.Output);
            Assert.Matches(@"\| xxe\s+\|[^|]+\| [\d.]+ s\s+\| \d+ MiB\s+\| 1\s+\| DtdRefused\s+\| yes ", result.Output);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
