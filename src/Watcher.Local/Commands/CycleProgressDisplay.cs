using Spectre.Console;
using Watcher.Local.Hosting;

namespace Watcher.Local.Commands;

/// <summary>
/// Live progress of one <c>run --once</c> cycle for a person at a terminal: feeds fetched,
/// articles classified, summaries delivered, digests sent, with failures counted. Anywhere else
/// (output redirected, CI) the cycle writes its plain log lines instead, which scripts and CI
/// logs keep.
/// </summary>
internal static class CycleProgressDisplay
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(100);

    /// <summary>Whether <paramref name="console"/> is a terminal a live display can redraw.</summary>
    public static bool IsWanted(IAnsiConsole console) =>
        !Console.IsOutputRedirected
        && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
        && console.Profile.Capabilities.Interactive
        && console.Profile.Capabilities.Ansi;

    public static async Task<T> RunAsync<T>(IAnsiConsole console, int feeds, CycleCounters counters, Func<Task<T>> cycle)
    {
        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var fetched = context.AddTask("Feeds fetched", maxValue: Math.Max(feeds, 1));
                var classified = context.AddTask("Articles classified", maxValue: 1);
                var delivered = context.AddTask("Summaries delivered").IsIndeterminate();
                var work = cycle();
                while (!work.IsCompleted)
                {
                    Show(counters, feeds, fetched, classified, delivered);
                    await Task.WhenAny(work, Task.Delay(Refresh));
                }

                Show(counters, feeds, fetched, classified, delivered);
                foreach (var task in new[] { fetched, classified, delivered })
                {
                    task.IsIndeterminate = false;
                    task.Value = task.MaxValue;
                    task.StopTask();
                }

                if (counters.DigestsSent > 0)
                {
                    context.AddTask($"Digests sent {counters.DigestsSent}", maxValue: 1).Increment(1);
                }

                return await work;
            });
    }

    private static void Show(CycleCounters counters, int feeds, ProgressTask fetched, ProgressTask classified, ProgressTask delivered)
    {
        fetched.Description = $"Feeds fetched {counters.FeedsPolled}/{feeds}" + (counters.FeedsFailed > 0 ? $" [red]({counters.FeedsFailed} failed)[/]" : "");
        fetched.Value = counters.FeedsPolled;

        // Earlier runs' unclassified articles are classified too, so the total is whichever is larger.
        var toClassify = Math.Max(Math.Max(counters.NewArticles, counters.Classified), 1);
        classified.MaxValue = toClassify;
        classified.Value = counters.Classified;
        classified.Description = $"Articles classified {counters.Classified} ({counters.NewArticles} new)";

        delivered.Description = $"Summaries delivered {counters.Summaries}";
    }
}
