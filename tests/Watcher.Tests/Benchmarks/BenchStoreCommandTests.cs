using Watcher.Tests.Support;

namespace Watcher.Tests.Benchmarks;

/// <summary><c>watcher-bench store</c> at tiny scale through the real executable.</summary>
public sealed class BenchStoreCommandTests
{
    [Fact]
    public async Task Store_at_tiny_scale_runs_one_cycle_on_each_store_and_counts_requests_by_kind()
    {
        var data = Path.Combine(Path.GetTempPath(), "watcher-bench-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = await WatcherCli.RunBenchAsync(["store", "--history", "40", "--days", "4", "--feeds", "3", "--items", "2", "--data", data], timeout: TimeSpan.FromMinutes(4));

            // Both cycles store the same 5 new articles (one of the 6 items repeats another feed's story) with no failure; the history is not re-read. The repeated story costs a create-only write that is refused.
            Assert.Matches(@"\| empty \| 0\s+\|[^\n]*\| 5\s+\|[^\n]*\| 0\s+\|", result.Output);
            Assert.Matches(@"\| full\s+\| 40\s+\|[^\n]*\| 5\s+\|[^\n]*\| 0\s+\|", result.Output);
            Assert.Matches(@"\| write articles\s+\| 6\s+\| 6\s+\|", result.Output);
            Assert.Matches(@"\| list articles\s+\| 1\s+\| 1\s+\|", result.Output);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
