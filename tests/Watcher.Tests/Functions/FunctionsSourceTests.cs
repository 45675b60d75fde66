using Watcher.Subscribers;
using Watcher.Tests.Support;

namespace Watcher.Tests.Functions;

/// <summary>
/// What the published metadata cannot show (<see cref="PublishedAppTests"/> checks the bindings
/// there): the Functions app's sources are compiled with Roslyn and checked against the core's
/// entry points and host.json. Each mutation test changes one real source and proves the checker
/// reports that very drift.
/// </summary>
public sealed class FunctionsSourceTests
{
    private static readonly string ProjectDirectory = RepositoryPaths.Combine("src", "Watcher.Functions");

    [Fact]
    public void Functions_app_compiles_and_matches_the_core()
    {
        var problems = FunctionsSourceChecker.CheckProject(ProjectDirectory);

        Assert.True(problems.Count == 0, "The Functions app drifted from the core:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Every_core_function_name_is_checked()
    {
        Assert.Equal(
            ["ClassifyArticle", "DeliverSummaries", "FetchFeeds", "Preferences", "SendDigests"],
            FunctionsSourceChecker.CoreFunctionNames.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("Functions/FetchFeedsFunction.cs", "[Function(FunctionNames.FetchFeeds)]", "[Function(\"FetchFeed\")]", "FetchFeeds: no [Function(FunctionNames.FetchFeeds)] method")]
    [InlineData("Functions/FetchFeedsFunction.cs", "feeds.PollAllAsync(cancellationToken)", "feeds.PollAllAsync(CancellationToken.None)", "FetchFeeds: does not pass its cancellation token to FeedPoller.PollAllAsync")]
    [InlineData("Functions/SendDigestsFunction.cs", "digests.SendDueAsync(clock.GetUtcNow(), cancellationToken)", "Task.FromResult(new DigestRunResult(0, []))", "SendDigests: does not call DigestService.SendDueAsync")]
    [InlineData("Functions/ClassifyArticleFunction.cs", "article.Name", "article.Nam", "does not compile: Functions/ClassifyArticleFunction.cs")]
    [InlineData("Functions/PreferencesFunction.cs", "endpoint.HandleAsync(request.Method, request.Query[\"token\"], form, cancellationToken)", "endpoint.HandleAsync(request.Method, request.Query[\"token\"], form, CancellationToken.None)", "Preferences: does not pass its cancellation token to PreferencesEndpoint.HandleAsync")]
    [InlineData("Program.cs", "builder.Services.AddWatcherCore(builder.Configuration);", "", "Program.cs: does not call Watcher.WatcherServiceCollectionExtensions.AddWatcherCore")]
    [InlineData("Program.cs", "FunctionsApplication.CreateBuilder(args)", "default(FunctionsApplicationBuilder)!", "Program.cs: does not call Microsoft.Azure.Functions.Worker.Builder.FunctionsApplication.CreateBuilder")]
    [InlineData("Program.cs", "builder.Configuration.InsertWatcherFilesFirst(", "_ = (", "Program.cs: does not call Watcher.Configuration.WatcherConfiguration.InsertWatcherFilesFirst")]
    [InlineData("host.json", "\"maxDequeueCount\": 5", "\"maxDequeueCount\": 3", "host.json: extensions.queues.maxDequeueCount is 3, expected WatcherStorage.MaxDequeueCount (5)")]
    [InlineData("host.json", "\"visibilityTimeout\": \"00:00:30\"", "\"visibilityTimeout\": \"00:01:00\"", "host.json: extensions.queues.visibilityTimeout is 00:01:00")]
    [InlineData("host.json", "\"messageEncoding\": \"base64\"", "\"messageEncoding\": \"none\"", "host.json: extensions.queues.messageEncoding is 'none'")]
    public void Checker_reports_a_drift(string file, string original, string replacement, string expectedProblem)
    {
        var sources = FunctionsSourceChecker.ReadSources(ProjectDirectory);
        var hostJson = File.ReadAllText(Path.Combine(ProjectDirectory, "host.json"));

        if (file == "host.json")
        {
            Assert.Contains(original, hostJson, StringComparison.Ordinal);
            hostJson = hostJson.Replace(original, replacement, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(original, sources[file], StringComparison.Ordinal);
            sources[file] = sources[file].Replace(original, replacement, StringComparison.Ordinal);
        }

        var problems = FunctionsSourceChecker.Check(sources, hostJson);

        Assert.True(
            problems.Any(p => p.Contains(expectedProblem, StringComparison.Ordinal)),
            $"Expected a problem containing \"{expectedProblem}\"; got:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
    }
}
