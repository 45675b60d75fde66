using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Watcher.Subscribers;

namespace Watcher.Tests.Classification;

/// <summary>How the replayed summarization job ends.</summary>
public enum JobOutcome
{
    Succeeded,
    Failed,
    PartiallyCompleted,
    DocumentError,
    NeverFinishes,
}

/// <summary>What language detection reports, in the fields of its documented result.</summary>
internal sealed record DetectedLanguage(string Iso6391Name, string Name, string ScriptName = "Latin", string ScriptIso15924Code = "Latn");

/// <summary>
/// A real HTTP server on 127.0.0.1 that answers like Azure AI Language (api-version 2025-11-01)
/// with the documented example bodies in <c>Fixtures/language</c> (their sources are in its
/// README.md): a document an example contains gets the example's result for it, any other
/// document gets a clone of an example result with only its documented values replaced. The
/// replay refuses to write a property the example does not have, so a field the service does
/// not send cannot make a test pass. A test can answer a request itself first (throttling,
/// errors) through <see cref="Intercept"/>.
/// </summary>
internal sealed class LanguageServiceReplay : IAsyncDisposable
{
    public static readonly JsonObject LanguageDetectionExample = Fixture("SuccessfulLanguageDetectionRequest.json");

    public static readonly JsonObject EntityRecognitionExample = Fixture("SuccessfulEntityRecognitionRequest.json");

    public static readonly JsonObject JobSubmitExample = Fixture("SuccessfulAnalyzeTextJobsMultipleTaskSubmitRequest.json");

    public static readonly JsonObject JobStatusExample = Fixture("SuccessfulAnalyzeTextJobsMultipleTaskStatusRequest.json");

    /// <summary>The job state of a succeeded extractive summarization (the Language docs' quickstart).</summary>
    public static readonly JsonObject ExtractiveSummarizationExample = Fixture("TextExtractiveSummarizationResponse.json");

    /// <summary>Entity type → its tags, from the Language docs' "Entity types and tags" table.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> TypeTags =
        Fixture("EntityTypeTags.json").ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value!.AsArray().Select(t => t!.GetValue<string>()).ToList());

    /// <summary>The job id of the documented job status example, which the replay's jobs use.</summary>
    public static readonly string JobId = JobStatusExample["responses"]!["200"]!["body"]!["jobId"]!.GetValue<string>();

    private readonly WebApplication app;
    private int jobPolls;

    private LanguageServiceReplay(WebApplication app) => this.app = app;

    public Uri Endpoint { get; private set; } = null!;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>What detection reports for a document no example contains.</summary>
    public DetectedLanguage Detected { get; set; } = new("en", "English");

    /// <summary>Entities recognition reports, by text and documented type, in every document that contains them.</summary>
    public List<(string Text, string Type)> Entities { get; } = [];

    /// <summary>Sentences the summarization job returns; when empty, the documented example's.</summary>
    public List<string> SummarySentences { get; } = [];

    public JobOutcome Job { get; set; } = JobOutcome.Succeeded;

    /// <summary>Languages recognition answers with a per-document <c>UnsupportedLanguageCode</c> error (codes detection returns that NER does not list).</summary>
    public HashSet<string> EntityLanguagesRejected { get; } = new(StringComparer.OrdinalIgnoreCase) { "is", "lb", "mt", "tl", "nn" };

    /// <summary>Returns a response (status, body, Retry-After) to answer a request with, or null to answer normally.</summary>
    public Func<RecordedRequest, (int Status, string Body, string? RetryAfter)?>? Intercept { get; set; }

    /// <summary>The sentences of the documented extractive summary, in the order the example gives them.</summary>
    public static IReadOnlyList<string> ExampleSummarySentences =>
        [.. ExtractiveSummarizationExample["tasks"]!["items"]![0]!["results"]!["documents"]![0]!["sentences"]!.AsArray().Select(s => s!["text"]!.GetValue<string>())];

    /// <summary>Starts on plain HTTP, or on HTTPS with <paramref name="certificate"/> (bearer tokens are sent over TLS only).</summary>
    public static async Task<LanguageServiceReplay> StartAsync(X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0, l =>
        {
            if (certificate is not null)
            {
                l.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        var replay = new LanguageServiceReplay(app);
        app.Run(replay.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        replay.Endpoint = new Uri(address);
        return replay;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    /// <summary>The category the type table implies for a type: its one tag that is a type tagged only with itself (City → Location).</summary>
    public static string CategoryOf(string type)
    {
        var categories = TypeTags[type].Where(t => TypeTags.TryGetValue(t, out var own) && own.Count == 1 && own[0] == t).ToList();
        return categories.Count == 1 ? categories[0] : throw new InvalidOperationException($"The type/tag table implies no single category for entity type '{type}'.");
    }

    private static JsonObject Fixture(string name) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "language", name)))!.AsObject();

    private static JsonObject ResponseBody(JsonObject example, string status = "200") => example["responses"]![status]!["body"]!.AsObject();

    private static JsonObject Clone(JsonNode node) => node.DeepClone().AsObject();

    // Replaces a documented value; a property the example does not have is refused.
    private static void Set(JsonObject node, string property, JsonNode? value)
    {
        if (!node.ContainsKey(property))
        {
            throw new InvalidOperationException($"The documented example has no '{property}' in {node.ToJsonString()[..Math.Min(120, node.ToJsonString().Length)]}; the replay only replaces documented values.");
        }

        node[property] = value;
    }

    // The example's result for a document text the example's request contains, with the caller's id.
    private static JsonObject? ExampleResultFor(JsonObject example, string text, string id)
    {
        var requested = example["parameters"]!["body"]!["analysisInput"]!["documents"]!.AsArray();
        var match = requested.FirstOrDefault(d => d!["text"]!.GetValue<string>() == text);
        if (match is null)
        {
            return null;
        }

        var exampleId = match["id"]!.GetValue<string>();
        var result = Clone(ResponseBody(example)["results"]!["documents"]!.AsArray().Single(d => d!["id"]!.GetValue<string>() == exampleId)!);
        Set(result, "id", id);
        return result;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var request = new RecordedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.Query["api-version"].ToString(),
            context.Request.Headers["Ocp-Apim-Subscription-Key"].ToString(),
            context.Request.Headers.Authorization.ToString(),
            body.Length > 0 ? JsonDocument.Parse(body).RootElement.Clone() : default);
        Requests.Enqueue(request);

        if (Intercept?.Invoke(request) is { } answer)
        {
            context.Response.StatusCode = answer.Status;
            if (answer.RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = answer.RetryAfter;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer.Body);
            return;
        }

        context.Response.ContentType = "application/json";
        const string jobs = "/language/analyze-text/jobs";
        switch (request)
        {
            case { Method: "POST", Path: "/language/:analyze-text" } when request.Kind == "LanguageDetection":
                await context.Response.WriteAsync(LanguageDetectionResult(request));
                break;
            case { Method: "POST", Path: "/language/:analyze-text" } when request.Kind == "EntityRecognition":
                await context.Response.WriteAsync(EntityRecognitionResult(request));
                break;
            case { Method: "POST", Path: jobs }:
                context.Response.StatusCode = 202;
                context.Response.Headers["Operation-Location"] = JobLocation();
                break;
            case { Method: "POST" } when request.Path == $"{jobs}/{JobId}:cancel":
                context.Response.StatusCode = 202;
                context.Response.Headers["Operation-Location"] = JobLocation();
                break;
            case { Method: "GET" } when request.Path == $"{jobs}/{JobId}":
                // The first poll finds the job still running, as a real one usually is.
                var poll = Interlocked.Increment(ref jobPolls);
                await context.Response.WriteAsync((poll == 1 || Job == JobOutcome.NeverFinishes ? RunningJob() : FinishedJob()).ToJsonString());
                break;
            default:
                context.Response.StatusCode = 404;
                await context.Response.WriteAsync("""{"error":{"code":"NotFound","message":"Resource not found"}}""");
                break;
        }
    }

    private string JobLocation() =>
        ((JsonObject)JobSubmitExample["responses"]!["202"]!["headers"]!)["Operation-Location"]!.GetValue<string>()
            .Replace("{endpoint}", Endpoint.AbsoluteUri.TrimEnd('/'), StringComparison.Ordinal)
            .Replace("{jobId}", JobId, StringComparison.Ordinal);

    private string LanguageDetectionResult(RecordedRequest request)
    {
        var response = Clone(ResponseBody(LanguageDetectionExample));
        var template = response["results"]!["documents"]![0]!;
        var documents = new JsonArray();
        foreach (var document in request.Documents)
        {
            var id = document.GetProperty("id").GetString()!;
            var result = ExampleResultFor(LanguageDetectionExample, document.GetProperty("text").GetString()!, id);
            if (result is null)
            {
                result = Clone(template);
                Set(result, "id", id);
                var detected = result["detectedLanguage"]!.AsObject();
                Set(detected, "iso6391Name", Detected.Iso6391Name);
                Set(detected, "name", Detected.Name);
                Set(detected, "scriptName", Detected.ScriptName);
                Set(detected, "scriptIso15924Code", Detected.ScriptIso15924Code);
            }

            documents.Add(result);
        }

        Set(response["results"]!.AsObject(), "documents", documents);
        return response.ToJsonString();
    }

    private string EntityRecognitionResult(RecordedRequest request)
    {
        var response = Clone(ResponseBody(EntityRecognitionExample));
        var results = response["results"]!.AsObject();

        // An entity of the example with every documented field but metadata, which only numeric and temporal types carry.
        var template = results["documents"]!.AsArray().SelectMany(d => d!["entities"]!.AsArray()).First(e => !e!.AsObject().ContainsKey("metadata"))!;
        var documents = new JsonArray();
        var errors = new JsonArray();
        foreach (var document in request.Documents)
        {
            var id = document.GetProperty("id").GetString()!;
            var text = document.GetProperty("text").GetString()!;
            var language = document.TryGetProperty("language", out var l) ? l.GetString() ?? "" : "";
            if (EntityLanguagesRejected.Contains(language))
            {
                // The spec's DocumentError with its InnerErrorModel; the message is the service's wording.
                errors.Add(new JsonObject
                {
                    ["id"] = id,
                    ["error"] = new JsonObject
                    {
                        ["code"] = "InvalidArgument",
                        ["message"] = "Invalid Language Code.",
                        ["innererror"] = new JsonObject { ["code"] = "UnsupportedLanguageCode", ["message"] = $"Invalid language code '{language}'." },
                    },
                });
                continue;
            }

            var result = ExampleResultFor(EntityRecognitionExample, text, id);
            if (result is null)
            {
                result = Clone(results["documents"]![0]!);
                Set(result, "id", id);
                var entities = new JsonArray();
                foreach (var (entityText, type) in Entities.Where(e => text.Contains(e.Text, StringComparison.Ordinal)))
                {
                    var entity = Clone(template);
                    Set(entity, "text", entityText);
                    Set(entity, "offset", text.IndexOf(entityText, StringComparison.Ordinal));
                    Set(entity, "length", entityText.Length);
                    Set(entity, "type", type);
                    Set(entity, "category", CategoryOf(type));
                    var tag = template["tags"]![0]!;
                    Set(entity, "tags", new JsonArray([.. TypeTags[type].Select(name =>
                    {
                        var t = Clone(tag);
                        Set(t, "name", name);
                        return (JsonNode)t;
                    })]));
                    entities.Add(entity);
                }

                Set(result, "entities", entities);
            }

            documents.Add(result);
        }

        Set(results, "documents", documents);
        Set(results, "errors", errors);
        return response.ToJsonString();
    }

    private static JsonObject RunningJob()
    {
        var state = Clone(ExtractiveSummarizationExample);
        Set(state, "status", "running");
        var tasks = state["tasks"]!.AsObject();
        Set(tasks, "completed", 0);
        Set(tasks, "inProgress", 1);
        Set(tasks, "items", new JsonArray());
        return state;
    }

    private JsonObject FinishedJob()
    {
        var state = Clone(ExtractiveSummarizationExample);
        var tasks = state["tasks"]!.AsObject();
        var item = tasks["items"]![0]!.AsObject();
        var results = item["results"]!.AsObject();
        var document = results["documents"]![0]!.AsObject();
        if (SummarySentences.Count > 0)
        {
            var template = document["sentences"]![0]!;
            var offset = 0;
            var sentences = new JsonArray();
            foreach (var (text, i) in SummarySentences.Select((s, i) => (s, i)))
            {
                var sentence = Clone(template);
                Set(sentence, "text", text);
                Set(sentence, "rankScore", 1.0 - (i * 0.1));
                Set(sentence, "offset", offset);
                Set(sentence, "length", text.Length);
                offset += text.Length + 1;
                sentences.Add(sentence);
            }

            Set(document, "sentences", sentences);
        }

        switch (Job)
        {
            case JobOutcome.Failed or JobOutcome.PartiallyCompleted:
                // AnalyzeTextJobState with its one task failed and the job's Error (code, message, target).
                Set(state, "status", Job == JobOutcome.Failed ? "failed" : "partiallyCompleted");
                Set(state, "errors", JsonNode.Parse("""[{"code":"InternalServerError","message":"Internal error occurred while processing the task.","target":"#/tasks/items/0"}]"""));
                Set(tasks, "completed", 0);
                Set(tasks, "failed", 1);
                Set(item, "status", "failed");
                Set(results, "documents", new JsonArray());
                break;
            case JobOutcome.DocumentError:
                Set(results, "documents", new JsonArray());
                Set(results, "errors", JsonNode.Parse("""[{"id":"1","error":{"code":"InvalidArgument","message":"Invalid document in request.","innererror":{"code":"InvalidDocument","message":"Document text is empty."}}}]"""));
                break;
        }

        return state;
    }
}

/// <summary>A request the replay server received.</summary>
internal sealed record RecordedRequest(string Method, string Path, string ApiVersion, string SubscriptionKey, string Authorization, JsonElement Body)
{
    public string? Kind => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("kind", out var kind) ? kind.GetString() : null;

    public IReadOnlyList<JsonElement> Documents =>
        Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("analysisInput", out var input)
            ? input.GetProperty("documents").EnumerateArray().ToList()
            : [];
}
