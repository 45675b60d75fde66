using System.Diagnostics;
using Watcher.Local.Commands;
using Watcher.Tests.Support;

namespace Watcher.Tests.Classification;

/// <summary>
/// The three seed articles (copied from <c>shared/seeds</c> into <c>Fixtures/seeds</c>, so a clone
/// tests on its own) come out with
/// exactly their topics, through the same reading and classifier <c>watcher classify FILE</c> uses.
/// </summary>
public sealed class SeedArticleTests
{
    private static readonly string SeedsDirectory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "seeds");

    public static TheoryData<string, string[]> Seeds => new()
    {
        { "000_", ["blacklist", "divestment"] },
        { "002_", ["divestment"] },
        { "004_", ["5g-ban"] },
    };

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Seed_gets_exactly_its_topics_with_evidence(string prefix, string[] expected)
    {
        var path = SeedFile(prefix);
        var request = ClassifyCommand.ReadArticle(path, await File.ReadAllTextAsync(path));

        var result = Classifiers.Default.Classify(request);

        Assert.Equal(expected, result.TopicIds());
        Assert.Equal("nl", result.Language);
        Assert.All(result.Topics, t => Assert.NotEmpty(t.Evidence));
        Assert.All(result.Topics, t => Assert.InRange(t.Score, 0.5, 1.0));
        Assert.DoesNotContain("date 20", request.Title, StringComparison.Ordinal);
        Assert.InRange(result.Summary.Length, 40, 400);

        // Before, two seeds' summaries opened with "Het bedrijf is…" and "Dat laatste wordt…".
        Assert.DoesNotMatch(@"^(Dat|Dit|Deze|Die|Het bedrijf|Ook|Maar|Hij|Zij|Ze)\b", result.Summary);
    }

    [Fact]
    public async Task Watcher_classify_prints_the_verdict_for_each_seed()
    {
        foreach (var (prefix, expected) in new[] { ("000_", new[] { "blacklist", "divestment" }), ("002_", ["divestment"]), ("004_", ["5g-ban"]) })
        {
            var output = await RunWatcherAsync("classify", SeedFile(prefix));
            var printed = output.Split('\n').Where(l => l.TrimStart().StartsWith("topic:", StringComparison.Ordinal))
                .Select(l => l.Split(':', 2)[1].Trim().Split(' ')[0]).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(expected, printed);
            Assert.Contains("because: \"", output, StringComparison.Ordinal);
            Assert.Contains("summary by watcher-extractive; classifier watcher-local", output, StringComparison.Ordinal);
        }
    }

    private static string SeedFile(string prefix)
    {
        Assert.True(Directory.Exists(SeedsDirectory), $"The seed articles are missing: expected them in {SeedsDirectory}.");
        var file = Directory.GetFiles(SeedsDirectory, prefix + "*.txt").SingleOrDefault();
        Assert.True(file is not null, $"No seed {prefix}*.txt in {SeedsDirectory}.");
        return file!;
    }

    private static async Task<string> RunWatcherAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        // The watcher built beside this test project, with its own dependencies and watcher.json.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        start.ArgumentList.Add(RepositoryPaths.Combine("src", "Watcher.Local", "bin", configuration, "net10.0", "watcher.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"watcher {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}");
        return await output;
    }
}
