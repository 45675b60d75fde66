using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Watcher.Configuration;
using Watcher.Local.Hosting;
using Watcher.Storage;
using Watcher.Subscribers;

namespace Watcher.Local.Commands;

/// <summary><c>watcher run [--once]</c>: the local Functions host.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var once = new Option<bool>("--once") { Description = "Run one complete cycle (fetch, classify, deliver, send due digests) and exit." };
        var retryDelay = new Option<TimeSpan>("--queue-retry-delay")
        {
            Description = "How long a failed or abandoned summary message stays invisible before it is retried (host.json visibilityTimeout in Azure).",
            DefaultValueFactory = _ => WatcherStorage.QueueRetryDelay,
        };
        var preferencesPort = new Option<int>("--preferences-port") { Description = "Port on 127.0.0.1 for the preferences page (/api/preferences).", DefaultValueFactory = _ => 7071 };
        var command = new Command("run", "Run Watcher locally with the Functions trigger semantics, against any storage connection (Azurite by default).") { once, retryDelay, preferencesPort };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // One cycle at a terminal shows live counts; its info lines would scroll them away.
            var live = parse.GetValue(once) && CycleProgressDisplay.IsWanted(AnsiConsole.Console);
            using var app = await WatcherAppStorage.BuildWithStorageAsync(parse.GetValue(GlobalOptions.Config), cancellationToken, live ? LogLevel.Warning : LogLevel.Information);
            using var host = ActivatorUtilities.CreateInstance<LocalFunctionsHost>(app);
            host.QueueRetryDelay = parse.GetValue(retryDelay);
            if (!parse.GetValue(once))
            {
                await using var preferences = await PreferencesServer.StartAsync(app.GetRequiredService<Watcher.Subscribers.PreferencesEndpoint>(), parse.GetValue(preferencesPort), cancellationToken);
                Console.WriteLine($"Preferences page: {preferences.BaseUrl}api/{Watcher.Subscribers.PreferencesEndpoint.Route}?token=...");
                await host.RunAsync(cancellationToken);
                return 0;
            }

            try
            {
                if (!live)
                {
                    return Report(await host.RunOnceAsync(cancellationToken));
                }

                var counters = new CycleCounters();
                var feeds = app.GetRequiredService<IOptions<WatcherOptions>>().Value.Feeds.Count(f => f.Enabled);
                return Report(await CycleProgressDisplay.RunAsync(AnsiConsole.Console, feeds, counters, () => host.RunOnceAsync(counters, cancellationToken)));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C: what was written is consistent and what was not finished is still
                // queued (as after a crash), so the next run continues; 130 is the shell's code for it.
                Console.Error.WriteLine("Interrupted: the step in hand was abandoned; unfinished work stays queued for the next run.");
                return 130;
            }
        });
        return command;
    }

    internal static int Report(IReadOnlyList<string> failures)
    {
        if (failures.Count == 0)
        {
            Console.WriteLine("Cycle complete: blobs and queues drained.");
            return 0;
        }

        Console.Error.WriteLine($"Cycle finished with {failures.Count} problem(s); what failed stays queued for the next run:");
        foreach (var failure in failures)
        {
            Console.Error.WriteLine("  " + failure);
        }

        return 1;
    }
}
