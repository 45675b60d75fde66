using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Watcher.Classification;
using Watcher.Configuration;

namespace Watcher.Bench;

/// <summary>
/// <c>watcher-bench classify</c>: start-up time, throughput on one core and memory of the local
/// classifier over articles of a given size built from a labelled data set.
/// </summary>
internal static class ClassifierBenchmark
{
    public static Command Create()
    {
        var data = new Option<FileInfo?>("--data") { Description = "JSONL data set the articles are built from. Default: data/classification/dev.jsonl above the current folder." };
        var count = new Option<int>("--articles") { Description = "Articles to classify in the timed run.", DefaultValueFactory = _ => 20_000 };
        var size = new Option<int>("--size") { Description = "Approximate size of each article in bytes.", DefaultValueFactory = _ => 3 * 1024 };
        var command = new Command("classify", "Benchmark the local classifier: start-up, articles per second on one core, memory.") { data, count, size };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var process = Process.GetCurrentProcess();
            var sinceProcessStart = DateTime.Now - process.StartTime;
            var startCpu = process.TotalProcessorTime;
            var start = Stopwatch.StartNew();
            var defaults = LoadDefaults();
            var loaded = start.Elapsed;
            process.Refresh();
            var loadedCpu = process.TotalProcessorTime - startCpu;
            var classifier = new LocalClassifier(Options.Create(defaults));
            var built = start.Elapsed;
            _ = classifier.Classify(new ClassificationRequest("warm", "Huawei geweerd uit 5G-netwerk", "De regering weert Huawei uit het 5G-netwerk.", null));
            var startup = start.Elapsed;
            process.Refresh();
            var startupCpu = process.TotalProcessorTime - startCpu;

            var path = parse.GetValue(data)?.FullName ?? FindDevSet();
            if (path is null || !File.Exists(path))
            {
                Console.Error.WriteLine("No data set: pass --data FILE.jsonl.");
                return 2;
            }

            List<LabelledArticle> items;
            using (var reader = File.OpenText(path))
            {
                items = await LabelledArticle.ReadJsonLinesAsync(reader, path, cancellationToken);
            }

            var articles = BuildArticles(items, parse.GetValue(size), 500);
            var n = parse.GetValue(count);

            // One core: the figure the target is stated for, independent of other load on the machine's other core.
            if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
            {
                process.ProcessorAffinity = 1;
            }

            for (var i = 0; i < 1000; i++)
            {
                _ = classifier.Classify(articles[i % articles.Count]);
            }

            GC.Collect();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var cpuBefore = process.TotalProcessorTime;
            var timer = Stopwatch.StartNew();
            var matched = 0;
            for (var i = 0; i < n; i++)
            {
                matched += classifier.Classify(articles[i % articles.Count]).Topics.Count > 0 ? 1 : 0;
            }

            timer.Stop();
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            var c = CultureInfo.InvariantCulture;
            var averageBytes = articles.Average(a => Encoding.UTF8.GetByteCount(a.Title + a.Text));
            Console.WriteLine(string.Create(c, $"articles:        {n} of {averageBytes:0} bytes on average ({articles.Count} distinct, {matched} matched a topic)"));
            Console.WriteLine(string.Create(c, $"start-up:        {startup.TotalMilliseconds:0} ms to the first verdict: {loaded.TotalMilliseconds:0} ms binding the topic configuration, {(built - loaded).TotalMilliseconds:0} ms compiling the topics, {(startup - built).TotalMilliseconds:0} ms for the first article"));
            Console.WriteLine(string.Create(c, $"                 {startupCpu.TotalMilliseconds:0} ms of CPU time for all of it, {(startupCpu - loadedCpu).TotalMilliseconds:0} ms of it after binding (wall time stretches when other processes share the cores)"));
            Console.WriteLine(string.Create(c, $"                 (the process had been running {sinceProcessStart.TotalMilliseconds:0} ms before: runtime and command-line start)"));
            Console.WriteLine(string.Create(c, $"throughput:      {n / timer.Elapsed.TotalSeconds:0} articles/s on one core ({timer.Elapsed.TotalMilliseconds / n:0.000} ms each; CPU {cpu.TotalSeconds:0.00} s for {timer.Elapsed.TotalSeconds:0.00} s wall)"));
            Console.WriteLine(string.Create(c, $"                 {n / cpu.TotalSeconds:0} articles per CPU-second (the rate on a core of its own)"));
            Console.WriteLine(string.Create(c, $"allocated:       {allocated / (double)n / 1024:0.0} KB per article"));
            Console.WriteLine(string.Create(c, $"memory:          {process.WorkingSet64 / 1048576.0:0.0} MB working set, {process.PeakWorkingSet64 / 1048576.0:0.0} MB peak, {GC.GetTotalMemory(false) / 1048576.0:0.0} MB managed heap"));
            return 0;
        });
        return command;
    }

    private static WatcherOptions LoadDefaults()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddWatcherDefaults().Build();
        var options = new WatcherOptions();
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(configuration.GetSection(WatcherOptions.SectionName), options);
        return options;
    }

    private static string? FindDevSet()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "classification", "dev.jsonl");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    // Each article is one item of the data set padded with the text of the following items, so
    // articles keep real sentences, mixed languages and topic evidence at realistic density.
    private static List<ClassificationRequest> BuildArticles(List<LabelledArticle> items, int size, int distinct)
    {
        var articles = new List<ClassificationRequest>();
        for (var i = 0; i < distinct; i++)
        {
            var head = items[i % items.Count];
            var text = new StringBuilder(head.Text);
            for (var k = 1; Encoding.UTF8.GetByteCount(text.ToString()) + head.Title.Length < size; k++)
            {
                text.Append('\n').Append(items[(i + k * 7) % items.Count].Text);
            }

            articles.Add(new ClassificationRequest($"bench-{i}", head.Title, text.ToString(), null));
        }

        return articles;
    }
}
