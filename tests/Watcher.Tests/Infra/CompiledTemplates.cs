using System.Text.Json.Nodes;
using Watcher.Tests.Support;

namespace Watcher.Tests.Infra;

/// <summary>
/// Builds and lints every .bicep file under infra/ once per test class (one CLI run each, since
/// every start of the CLI costs seconds) and keeps the compiled ARM JSON.
/// </summary>
public sealed class CompiledTemplates : IAsyncLifetime
{
    private readonly string _outputDirectory = Path.Combine(Path.GetTempPath(), "watcher-bicep-" + Guid.NewGuid().ToString("N"));

    public static string InfraDirectory { get; } = RepositoryPaths.Combine("infra");

    public static IReadOnlyList<string> BicepFiles { get; } =
        Directory.GetFiles(InfraDirectory, "*.bicep", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

    public BicepRun Build { get; private set; } = null!;

    public BicepRun Lint { get; private set; } = null!;

    /// <summary>Compiled template per .bicep file, keyed by its path relative to infra/ ("modules/storage.bicep").</summary>
    public IReadOnlyDictionary<string, JsonObject> Templates { get; private set; } = new Dictionary<string, JsonObject>();

    public JsonObject Main => Templates["main.bicep"];

    public JsonObject ArticlesSubscription => Templates["articles-subscription.bicep"];

    public async Task InitializeAsync()
    {
        Build = await BicepCli.RunAsync(InfraDirectory, "build", "--pattern", "**/*.bicep", "--outdir", _outputDirectory);
        Lint = await BicepCli.RunAsync(InfraDirectory, "lint", "--pattern", "**/*.bicep");

        var templates = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var bicep in BicepFiles)
        {
            var relative = Path.GetRelativePath(InfraDirectory, bicep).Replace('\\', '/');
            var compiled = Path.Combine(_outputDirectory, Path.ChangeExtension(relative, ".json"));
            if (File.Exists(compiled))
            {
                templates[relative] = JsonNode.Parse(await File.ReadAllTextAsync(compiled))!.AsObject();
            }
        }

        Templates = templates;
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(_outputDirectory))
        {
            Directory.Delete(_outputDirectory, recursive: true);
        }

        return Task.CompletedTask;
    }
}
