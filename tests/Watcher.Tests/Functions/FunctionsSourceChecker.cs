using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis;
using Watcher.Classification;
using Watcher.Configuration;
using Watcher.Delivery;
using Watcher.Digests;
using Watcher.Feeds;
using Watcher.Hosting;
using Watcher.Storage;
using Watcher.Subscribers;

namespace Watcher.Tests.Functions;

/// <summary>
/// Checks the Functions app's sources against the core where neither the published metadata
/// (PublishedAppTests checks every trigger there) nor a run shows a drift: which core entry point
/// each function calls and whether it passes its cancellation token, what Program.cs registers,
/// and host.json's queue settings. Compiles the sources with Roslyn against the assemblies of
/// the published app, so a mutated source (see FunctionsSourceTests) never has to build as a
/// project.
/// </summary>
public static class FunctionsSourceChecker
{
    private const string WorkerNamespace = "Microsoft.Azure.Functions.Worker";

    /// <summary>The implicit usings of an SDK-style project with <c>ImplicitUsings</c> enabled.</summary>
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    private sealed record Expectation(Type Service, string EntryPoint);

    /// <summary>The core entry point each function in <see cref="FunctionNames"/> must call.</summary>
    private static readonly Dictionary<string, Expectation> Expected = new()
    {
        [FunctionNames.FetchFeeds] = new(typeof(FeedPoller), nameof(FeedPoller.PollAllAsync)),
        [FunctionNames.ClassifyArticle] = new(typeof(ArticleClassificationService), nameof(ArticleClassificationService.ClassifyBlobAsync)),
        [FunctionNames.DeliverSummaries] = new(typeof(SummaryDeliveryService), nameof(SummaryDeliveryService.DeliverAsync)),
        [FunctionNames.SendDigests] = new(typeof(DigestService), nameof(DigestService.SendDueAsync)),
        [FunctionNames.Preferences] = new(typeof(PreferencesEndpoint), nameof(PreferencesEndpoint.HandleAsync)),
    };

    /// <summary>The function names the core defines: every string constant of <see cref="FunctionNames"/> except the schedules.</summary>
    public static IReadOnlyList<string> CoreFunctionNames { get; } = typeof(FunctionNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string) && !f.Name.EndsWith("Schedule", StringComparison.Ordinal))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();

    /// <summary>Reads the app from <paramref name="projectDirectory"/>: every .cs file and host.json.</summary>
    public static IReadOnlyList<string> CheckProject(string projectDirectory) =>
        Check(ReadSources(projectDirectory), File.ReadAllText(Path.Combine(projectDirectory, "host.json")));

    /// <summary>Every .cs file of the project outside bin/ and obj/, keyed by its path relative to the project.</summary>
    public static Dictionary<string, string> ReadSources(string projectDirectory) =>
        Directory.EnumerateFiles(projectDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(p => !IsBuildOutput(projectDirectory, p))
            .ToDictionary(p => Path.GetRelativePath(projectDirectory, p).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal);

    /// <summary>Every way the sources (relative path to text) and host.json drift from the core; empty when consistent.</summary>
    public static IReadOnlyList<string> Check(IReadOnlyDictionary<string, string> sources, string hostJson)
    {
        var problems = new List<string>();
        var parseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Preview);
        var trees = sources
            .Select(s => CSharpSyntaxTree.ParseText(s.Value, parseOptions, path: s.Key))
            .Append(CSharpSyntaxTree.ParseText(ImplicitUsings, parseOptions, path: "(implicit usings)"))
            .ToList();
        var compilation = CSharpCompilation.Create(
            "Watcher.Functions",
            trees,
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));

        problems.AddRange(compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => $"does not compile: {d.Location.GetLineSpan().Path}({d.Location.GetLineSpan().StartLinePosition.Line + 1}): {d.Id} {d.GetMessage()}"));

        var functions = FindFunctions(compilation, trees.Take(sources.Count), problems);
        foreach (var name in CoreFunctionNames)
        {
            if (!functions.TryGetValue(name, out var function))
            {
                problems.Add($"{name}: no [Function(FunctionNames.{name})] method in the Functions app.");
                continue;
            }

            if (Expected.TryGetValue(name, out var expectation))
            {
                CheckEntryPointCall(name, function, expectation, problems);
            }
        }

        CheckProgram(compilation, trees.Take(sources.Count), problems);
        CheckHostJson(hostJson, problems);
        return problems;
    }

    private sealed record FunctionMethod(MethodDeclarationSyntax Syntax, SemanticModel Model);

    private static Dictionary<string, FunctionMethod> FindFunctions(CSharpCompilation compilation, IEnumerable<SyntaxTree> trees, List<string> problems)
    {
        var functions = new Dictionary<string, FunctionMethod>(StringComparer.Ordinal);
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var method in tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>())
            {
                var attribute = method.AttributeLists.SelectMany(l => l.Attributes).FirstOrDefault(a => IsWorkerAttribute(model, a, "FunctionAttribute"));
                if (attribute is null)
                {
                    continue;
                }

                var name = PositionalArgument(model, attribute, 0) as string;
                if (name is null)
                {
                    problems.Add($"{tree.FilePath}: [Function] on {method.Identifier} has no constant name.");
                }
                else if (!functions.TryAdd(name, new FunctionMethod(method, model)))
                {
                    problems.Add($"{name}: defined more than once.");
                }
            }
        }

        return functions;
    }

    /// <summary>The function must call its core entry point and pass its own CancellationToken through.</summary>
    private static void CheckEntryPointCall(string name, FunctionMethod function, Expectation expected, List<string> problems)
    {
        var (method, model) = function;
        var token = method.ParameterList.Parameters
            .Select(p => model.GetDeclaredSymbol(p))
            .FirstOrDefault(p => p?.Type.ToDisplayString() == typeof(CancellationToken).FullName);
        if (token is null)
        {
            problems.Add($"{name}: has no CancellationToken parameter.");
        }

        var calls = method.DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Where(i => model.GetSymbolInfo(i).Symbol is IMethodSymbol m
                && m.Name == expected.EntryPoint
                && m.ContainingType.ToDisplayString() == expected.Service.FullName)
            .ToList();
        if (calls.Count == 0)
        {
            problems.Add($"{name}: does not call {expected.Service.Name}.{expected.EntryPoint}.");
        }
        else if (token is not null && !calls.Any(c => c.ArgumentList.Arguments.Any(a => SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(a.Expression).Symbol, token))))
        {
            problems.Add($"{name}: does not pass its cancellation token to {expected.Service.Name}.{expected.EntryPoint}.");
        }
    }

    private static void CheckProgram(CSharpCompilation compilation, IEnumerable<SyntaxTree> trees, List<string> problems)
    {
        var program = trees.FirstOrDefault(t => Path.GetFileName(t.FilePath) == "Program.cs");
        if (program is null)
        {
            problems.Add("Program.cs: missing.");
            return;
        }

        var model = compilation.GetSemanticModel(program);
        var called = program.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Select(i => model.GetSymbolInfo(i).Symbol as IMethodSymbol)
            .OfType<IMethodSymbol>()
            .Select(m => $"{(m.ReducedFrom ?? m).ContainingType.ToDisplayString()}.{m.Name}")
            .ToHashSet(StringComparer.Ordinal);
        foreach (var required in new[]
        {
            $"{WorkerNamespace}.Builder.FunctionsApplication.CreateBuilder",
            $"{typeof(WatcherServiceCollectionExtensions).FullName}.{nameof(WatcherServiceCollectionExtensions.AddWatcherCore)}",
            $"{typeof(WatcherConfiguration).FullName}.{nameof(WatcherConfiguration.InsertWatcherFilesFirst)}",
        })
        {
            if (!called.Contains(required))
            {
                problems.Add($"Program.cs: does not call {required}.");
            }
        }
    }

    private static void CheckHostJson(string hostJson, List<string> problems)
    {
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(hostJson, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }).RootElement;
        }
        catch (JsonException e)
        {
            problems.Add($"host.json: not JSON: {e.Message}");
            return;
        }

        if (!root.TryGetProperty("version", out var version) || version.GetString() != "2.0")
        {
            problems.Add("host.json: version must be \"2.0\".");
        }

        if (!root.TryGetProperty("extensions", out var extensions) || !extensions.TryGetProperty("queues", out var queues))
        {
            problems.Add("host.json: extensions.queues is missing; the host's defaults would differ from watcher run.");
            return;
        }

        if (!queues.TryGetProperty("maxDequeueCount", out var dequeues) || !dequeues.TryGetInt32(out var count) || count != WatcherStorage.MaxDequeueCount)
        {
            problems.Add($"host.json: extensions.queues.maxDequeueCount is {(queues.TryGetProperty("maxDequeueCount", out var d) ? d.ToString() : "missing")}, expected WatcherStorage.MaxDequeueCount ({WatcherStorage.MaxDequeueCount}).");
        }

        if (!queues.TryGetProperty("visibilityTimeout", out var timeout) || !TimeSpan.TryParse(timeout.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var delay) || delay != WatcherStorage.QueueRetryDelay)
        {
            problems.Add($"host.json: extensions.queues.visibilityTimeout is {(queues.TryGetProperty("visibilityTimeout", out var t) ? t.ToString() : "missing")}, expected WatcherStorage.QueueRetryDelay ({WatcherStorage.QueueRetryDelay}).");
        }

        if (queues.TryGetProperty("messageEncoding", out var encoding) && !string.Equals(encoding.GetString(), "base64", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"host.json: extensions.queues.messageEncoding is '{encoding}', but WatcherStorage writes base64 messages.");
        }
    }

    private static bool IsWorkerAttribute(SemanticModel model, AttributeSyntax attribute, string typeName) =>
        model.GetTypeInfo(attribute).Type?.ToDisplayString() == $"{WorkerNamespace}.{typeName}";

    private static object? PositionalArgument(SemanticModel model, AttributeSyntax attribute, int index)
    {
        var positional = attribute.ArgumentList?.Arguments.Where(a => a.NameEquals is null && a.NameColon is null).ElementAtOrDefault(index);
        return positional is null ? null : model.GetConstantValue(positional.Expression).Value;
    }

    private static bool IsBuildOutput(string projectDirectory, string path)
    {
        var first = Path.GetRelativePath(projectDirectory, path).Split(Path.DirectorySeparatorChar)[0];
        return first is "bin" or "obj";
    }

    /// <summary>The runtime and every assembly the test host loaded from its output (Watcher.Core, Azure SDK, Microsoft.Extensions.*).</summary>
    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Concat(Directory.EnumerateFiles(PublishedAppTests.PublishedApp.Output, "*.dll"))
            .Where(p => !string.Equals(Path.GetFileName(p), Path.GetFileName(typeof(FunctionsSourceChecker).Assembly.Location), StringComparison.OrdinalIgnoreCase)
                && !string.Equals(Path.GetFileName(p), "Watcher.Functions.dll", StringComparison.OrdinalIgnoreCase))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First());
        return [.. paths.Select(p => MetadataReference.CreateFromFile(p))];
    }
}
