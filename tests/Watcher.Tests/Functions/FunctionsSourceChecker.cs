using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Watcher.Classification;
using Watcher.Configuration;
using Watcher.Delivery;
using Watcher.Digests;
using Watcher.Feeds;
using Watcher.Hosting;
using Watcher.Storage;

namespace Watcher.Tests.Functions;

/// <summary>
/// Checks the Functions app's sources against the core where neither the published metadata nor
/// a run shows a drift (which core entry point each function calls, whether it passes its
/// cancellation token, host.json's retry settings). Compiles them with Roslyn against the
/// assemblies of the published app, then reads every trigger attribute through the semantic
/// model, so constants and literals both resolve to the value the Functions host would see; a
/// mutated source (see FunctionsSourceTests) never has to build as a project.
/// </summary>
public static partial class FunctionsSourceChecker
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

    private enum TriggerKind
    {
        Timer,
        Blob,
        Queue,
        Http,
    }

    private sealed record Expectation(TriggerKind Trigger, Type Service, string EntryPoint);

    /// <summary>What each function in <see cref="FunctionNames"/> must bind to and call.</summary>
    private static readonly Dictionary<string, Expectation> Expected = new()
    {
        [FunctionNames.FetchFeeds] = new(TriggerKind.Timer, typeof(FeedPoller), nameof(FeedPoller.PollAllAsync)),
        [FunctionNames.ClassifyArticle] = new(TriggerKind.Blob, typeof(ArticleClassificationService), nameof(ArticleClassificationService.ClassifyBlobAsync)),
        [FunctionNames.DeliverSummaries] = new(TriggerKind.Queue, typeof(SummaryDeliveryService), nameof(SummaryDeliveryService.DeliverAsync)),
        [FunctionNames.SendDigests] = new(TriggerKind.Timer, typeof(DigestService), nameof(DigestService.SendDueAsync)),
        [FunctionNames.Preferences] = new(TriggerKind.Http, typeof(PreferencesEndpoint), nameof(PreferencesEndpoint.HandleAsync)),
    };

    private static readonly Dictionary<string, string> Schedules = new()
    {
        [FunctionNames.FetchFeeds] = FunctionNames.FetchFeedsSchedule,
        [FunctionNames.SendDigests] = FunctionNames.SendDigestsSchedule,
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
                CheckFunction(name, function, expectation, problems);
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

    private static void CheckFunction(string name, FunctionMethod function, Expectation expected, List<string> problems)
    {
        var (method, model) = function;
        var triggers = method.ParameterList.Parameters
            .SelectMany(p => p.AttributeLists.SelectMany(l => l.Attributes))
            .Select(a => (Attribute: a, Kind: TriggerKindOf(model, a)))
            .Where(t => t.Kind is not null)
            .ToList();
        if (triggers.Count != 1)
        {
            problems.Add($"{name}: has {triggers.Count} trigger parameters, expected one {expected.Trigger} trigger.");
            return;
        }

        var (trigger, kind) = triggers[0];
        if (kind != expected.Trigger)
        {
            problems.Add($"{name}: trigger is {kind}Trigger, expected {expected.Trigger}Trigger.");
            return;
        }

        switch (kind)
        {
            case TriggerKind.Timer:
                CheckSchedule(name, PositionalArgument(model, trigger, 0) as string, problems);
                break;
            case TriggerKind.Blob:
                ExpectEqual(name, "blob path", StorageNames.ArticleBlobTriggerPath, PositionalArgument(model, trigger, 0), problems);
                ExpectEqual(name, "connection", StorageNames.TriggerConnection, NamedArgumentValue(model, trigger, "Connection"), problems);
                var source = NamedArgument(trigger, "Source");
                if (source is null || model.GetSymbolInfo(source).Symbol is not IFieldSymbol { Name: "EventGrid", ContainingType.Name: "BlobTriggerSource" })
                {
                    problems.Add($"{name}: blob trigger Source is '{source?.ToString() ?? "(default: LogsAndContainerScan)"}', expected BlobTriggerSource.EventGrid (the only blob trigger on Flex Consumption).");
                }

                break;
            case TriggerKind.Queue:
                ExpectEqual(name, "queue name", StorageNames.SummariesQueue, PositionalArgument(model, trigger, 0), problems);
                ExpectEqual(name, "connection", StorageNames.TriggerConnection, NamedArgumentValue(model, trigger, "Connection"), problems);
                break;
            case TriggerKind.Http:
                CheckHttpTrigger(name, model, trigger, problems);
                break;
        }

        CheckEntryPointCall(name, function, expected, problems);
    }

    /// <summary>
    /// The preferences page must answer anonymously (the signed token is the authorization; a
    /// function key would break every link in every mail) on the route the mails link to, for
    /// GET (the page) and POST (the form and RFC 8058 one-click).
    /// </summary>
    private static void CheckHttpTrigger(string name, SemanticModel model, AttributeSyntax trigger, List<string> problems)
    {
        var level = trigger.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals is null)?.Expression;
        if (level is null || model.GetSymbolInfo(level).Symbol is not IFieldSymbol { Name: "Anonymous", ContainingType.Name: "AuthorizationLevel" })
        {
            problems.Add($"{name}: HTTP trigger authorization is '{level?.ToString() ?? "(default: Function)"}', expected AuthorizationLevel.Anonymous.");
        }

        var methods = trigger.ArgumentList?.Arguments.Where(a => a.NameEquals is null).Skip(1)
            .Select(a => (model.GetConstantValue(a.Expression).Value as string)?.ToUpperInvariant())
            .ToHashSet() ?? [];
        if (!methods.SetEquals(["GET", "POST"]))
        {
            problems.Add($"{name}: HTTP methods are '{string.Join(", ", methods)}', expected get and post.");
        }

        ExpectEqual(name, "route", PreferencesEndpoint.Route, NamedArgumentValue(model, trigger, "Route"), problems);
    }

    private static void CheckSchedule(string name, string? schedule, List<string> problems)
    {
        var expected = Schedules[name];
        if (schedule != expected)
        {
            problems.Add($"{name}: timer schedule '{schedule}' differs from FunctionNames ('{expected}').");
        }

        var setting = schedule is null ? null : SettingExpression().Match(schedule);
        if (setting is null || !setting.Success)
        {
            problems.Add($"{name}: timer schedule '{schedule}' is not an app setting expression %Watcher:Schedules:<name>%, so it cannot be changed per environment.");
            return;
        }

        var scheduleSettings = typeof(ScheduleOptions).GetProperties().Select(p => $"{WatcherOptions.SectionName}:{nameof(WatcherOptions.Schedules)}:{p.Name}").ToList();
        if (!scheduleSettings.Contains(setting.Groups["name"].Value, StringComparer.Ordinal))
        {
            problems.Add($"{name}: schedule setting '{setting.Groups["name"].Value}' is not a ScheduleOptions property; known: {string.Join(", ", scheduleSettings)}.");
        }
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

    private static void ExpectEqual(string function, string what, string expected, object? actual, List<string> problems)
    {
        if (!Equals(expected, actual))
        {
            problems.Add($"{function}: {what} is '{actual ?? "(not set)"}', expected '{expected}'.");
        }
    }

    private static TriggerKind? TriggerKindOf(SemanticModel model, AttributeSyntax attribute) =>
        IsWorkerAttribute(model, attribute, "TimerTriggerAttribute") ? TriggerKind.Timer
        : IsWorkerAttribute(model, attribute, "BlobTriggerAttribute") ? TriggerKind.Blob
        : IsWorkerAttribute(model, attribute, "QueueTriggerAttribute") ? TriggerKind.Queue
        : IsWorkerAttribute(model, attribute, "HttpTriggerAttribute") ? TriggerKind.Http
        : null;

    private static bool IsWorkerAttribute(SemanticModel model, AttributeSyntax attribute, string typeName) =>
        model.GetTypeInfo(attribute).Type?.ToDisplayString() == $"{WorkerNamespace}.{typeName}";

    private static object? PositionalArgument(SemanticModel model, AttributeSyntax attribute, int index)
    {
        var positional = attribute.ArgumentList?.Arguments.Where(a => a.NameEquals is null && a.NameColon is null).ElementAtOrDefault(index);
        return positional is null ? null : model.GetConstantValue(positional.Expression).Value;
    }

    private static ExpressionSyntax? NamedArgument(AttributeSyntax attribute, string name) =>
        attribute.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.Text == name)?.Expression;

    private static object? NamedArgumentValue(SemanticModel model, AttributeSyntax attribute, string name) =>
        NamedArgument(attribute, name) is { } expression ? model.GetConstantValue(expression).Value : null;

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

    [GeneratedRegex("^%(?<name>[^%]+)%$")]
    private static partial Regex SettingExpression();
}
