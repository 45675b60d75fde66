using Watcher.Tests.Support;

namespace Watcher.Tests.Benchmarks;

/// <summary>
/// <c>watcher-bench pipeline</c> at tiny scale through the real executable: Azurite, MailDev and
/// the Kestrel feed server, counts reconciled from storage.
/// </summary>
public sealed class BenchPipelineCommandTests
{
    [Fact]
    public async Task Pipeline_at_tiny_scale_reconciles_and_exits_zero()
    {
        var data = Path.Combine(Path.GetTempPath(), "watcher-bench-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = await WatcherCli.RunBenchAsync(["pipeline", "--articles", "60", "--feeds", "3", "--data", data], timeout: TimeSpan.FromMinutes(4));

            Assert.True(result.ExitCode == 0, result.Output);
            Assert.Contains("Counts reconcile: 59 stored = 59 classified", result.Output);
            Assert.DoesNotContain("**NO**", result.Output);
            Assert.Matches(@"\| classify\s+\| [0-9.]+ s\s+\| 59 articles", result.Output);
            Assert.Contains("PeakWorkingSet64", result.Output);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
