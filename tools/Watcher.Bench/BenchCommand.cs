using System.CommandLine;

namespace Watcher.Bench;

/// <summary>
/// <c>watcher-bench ...</c>: benchmarks that print figures for docs/BENCHMARKS.md, kept out of the
/// user's <c>watcher</c>. Another benchmark joins with one line in <see cref="Subcommands"/> naming
/// its own factory.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Every benchmark; bench/run-all.sh runs each one listed by <c>watcher-bench --help</c>.</summary>
    public static List<Func<Command>> Subcommands { get; } = [Pipeline, Store, Peers, BenchFetchCommand.Create, ClassifierBenchmark.Create, Hostile];

    public static RootCommand Create()
    {
        var command = new RootCommand("Watcher's benchmarks over real local services; each prints its figures as Markdown.");
        foreach (var create in Subcommands)
        {
            command.Subcommands.Add(create());
        }

        return command;
    }

    private static Option<string> DataOption(string name) =>
        new("--data") { Description = "Folder for Azurite's data, the mail and the generated configuration (emptied first).", DefaultValueFactory = _ => Path.Combine(Directory.GetCurrentDirectory(), ".watcher", "bench", name) };

    private static Option<int> PositiveOption(string name, string description, int defaultValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError($"{name} must be at least 1.");
            }
        });
        return option;
    }

    private static Command Pipeline()
    {
        var articles = PositiveOption("--articles", "Feed items in total, spread evenly over the feeds.", 10_000);
        var feeds = PositiveOption("--feeds", "Number of feeds (RSS 2.0 and Atom, Dutch and English).", 200);
        var ports = PositiveOption("--ports", "Loopback ports the feed server listens on; feeds are spread over them.", 4);
        var data = DataOption("pipeline");
        var command = new Command("pipeline", "The whole pipeline (fetch, classify, deliver, digest) over generated feeds on Azurite and MailDev; prints throughput, peak memory and per-stage latency, and exits 1 when the counts in storage do not reconcile.")
        {
            articles, feeds, ports, data,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var result = await PipelineBenchmark.RunAsync(
                new PipelineBenchmarkOptions
                {
                    Articles = parse.GetValue(articles),
                    Feeds = parse.GetValue(feeds),
                    Ports = parse.GetValue(ports),
                    DataDirectory = Path.GetFullPath(parse.GetValue(data)!),
                },
                cancellationToken);
            Console.WriteLine(PipelineBenchmark.Report(result, $"watcher-bench pipeline --articles {parse.GetValue(articles)} --feeds {parse.GetValue(feeds)} --ports {parse.GetValue(ports)}"));
            return result.Reconciled ? 0 : 1;
        });
        return command;
    }

    private static Command Store()
    {
        var history = PositiveOption("--history", "Articles already stored, with verdicts and index entries.", 200_000);
        var days = PositiveOption("--days", "Days before today the history is spread over.", 90);
        var feeds = PositiveOption("--feeds", "Feeds polled in the measured cycle.", 200);
        var items = PositiveOption("--items", "New items per feed in the measured cycle.", 10);
        var ports = PositiveOption("--ports", "Loopback ports the feed server listens on.", 4);
        var data = DataOption("store");
        var command = new Command("store", "One cycle on an empty store and on one holding a large history: wall time, storage requests by kind, peak memory; exits 1 when the full store costs other requests (apart from the racing similar-story log) or over 20% more time.")
        {
            history, days, feeds, items, ports, data,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var cycles = await StoreBenchmark.RunAsync(
                new StoreBenchmarkOptions
                {
                    History = parse.GetValue(history),
                    Days = parse.GetValue(days),
                    Feeds = parse.GetValue(feeds),
                    ItemsPerFeed = parse.GetValue(items),
                    Ports = parse.GetValue(ports),
                    DataDirectory = Path.GetFullPath(parse.GetValue(data)!),
                },
                cancellationToken);
            Console.WriteLine(StoreBenchmark.Report(cycles, $"watcher-bench store --history {parse.GetValue(history)} --days {parse.GetValue(days)} --feeds {parse.GetValue(feeds)} --items {parse.GetValue(items)} --ports {parse.GetValue(ports)}"));
            var (empty, full) = (cycles[0], cycles[1]);
            return empty.Failures + full.Failures == 0 && full.SameRequestsAs(empty) && full.Cycle <= empty.Cycle * 1.2 ? 0 : 1;
        });
        return command;
    }

    private static Command Peers()
    {
        var feeds = PositiveOption("--feeds", "Number of feeds served to both tools.", 200);
        var items = PositiveOption("--items", "Items per feed.", 50);
        var ports = PositiveOption("--ports", "Loopback ports the feed server listens on.", 4);
        var r2e = new Option<string>("--r2e") { Description = "The rss2email executable (Debian: apt-get install rss2email).", DefaultValueFactory = _ => "r2e" };
        var noPoliteness = new Option<bool>("--no-politeness") { Description = "Watcher without per-host limits (MaxConcurrencyPerHost = MaxConcurrency, MinIntervalPerHost 0), as rss2email fetches." };
        var data = DataOption("peers");
        var command = new Command("peers", "Watcher vs rss2email over the same local feeds into the same MailDev, cold start to all mail delivered, each run twice; prints wall times, mails and duplicate mails.")
        {
            feeds, items, ports, r2e, noPoliteness, data,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var executable = parse.GetValue(r2e)!;
            string version;
            try
            {
                version = await PeersBenchmark.Rss2EmailVersionAsync(executable, cancellationToken);
            }
            catch (System.ComponentModel.Win32Exception)
            {
                Console.Error.WriteLine($"rss2email ('{executable}') is not installed: apt-get install -y rss2email, or name it with --r2e.");
                return 2;
            }

            var result = await PeersBenchmark.RunAsync(
                new PeersBenchmarkOptions
                {
                    Feeds = parse.GetValue(feeds),
                    ItemsPerFeed = parse.GetValue(items),
                    Ports = parse.GetValue(ports),
                    Rss2Email = executable,
                    NoPoliteness = parse.GetValue(noPoliteness),
                    DataDirectory = Path.GetFullPath(parse.GetValue(data)!),
                },
                cancellationToken);
            Console.WriteLine(PeersBenchmark.Report(result, $"watcher-bench peers --feeds {parse.GetValue(feeds)} --items {parse.GetValue(items)} --ports {parse.GetValue(ports)}{(parse.GetValue(noPoliteness) ? " --no-politeness" : "")}", version));
            return result.Watcher.First.ExitCode == 0 && result.Rss2Email.First.ExitCode == 0 ? 0 : 1;
        });
        return command;
    }

    private static Command Hostile()
    {
        var only = new Option<string[]>("--only") { Description = $"Classes to run (default all): {string.Join(", ", HostileBenchmark.Classes.Select(c => c.Name))}.", AllowMultipleArgumentsPerToken = true };
        var data = DataOption("hostile");
        var command = new Command("hostile", "Issue 13's feed-side hostile input, one class per real `watcher run --once` next to a healthy feed on Azurite and MailDev: wall time, peak resident memory, exit code, the error named; exits 1 when the healthy feed's stories were not each mailed once.")
        {
            only, data,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var selected = parse.GetValue(only) ?? [];
            var unknown = selected.Where(name => HostileBenchmark.Classes.All(c => c.Name != name)).ToList();
            if (unknown.Count > 0)
            {
                Console.Error.WriteLine($"Unknown class: {string.Join(", ", unknown)}.");
                return 2;
            }

            var runs = await HostileBenchmark.RunAsync(new HostileBenchmarkOptions { Only = selected, DataDirectory = Path.GetFullPath(parse.GetValue(data)!) }, cancellationToken);
            Console.WriteLine(HostileBenchmark.Report(runs, $"watcher-bench hostile{(selected.Length == 0 ? "" : " --only " + string.Join(' ', selected))}"));
            return HostileBenchmark.AllHealthy(runs) ? 0 : 1;
        });
        return command;
    }
}
