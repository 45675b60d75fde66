using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Watcher.Subscribers;

namespace Watcher.Tests.Classification;

/// <summary>
/// A real HTTP server on 127.0.0.1 that answers like Azure AI Language (api-version 2025-11-01),
/// with the response shapes of the service's REST reference: language detection, entity
/// recognition, and extractive summarization as a job polled at its Operation-Location.
/// A test can answer a request itself first (throttling, errors) through <see cref="Intercept"/>.
/// </summary>
internal sealed class LanguageServiceReplay : IAsyncDisposable
{
    private static readonly JsonSerializerOptions OmitNulls = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private readonly WebApplication app;
    private int jobPolls;

    private LanguageServiceReplay(WebApplication app) => this.app = app;

    public Uri Endpoint { get; private set; } = null!;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Language code the detection answers with.</summary>
    public string DetectedLanguage { get; set; } = "en";

    /// <summary>Entities the recognition reports for every document: text, category, subcategory.</summary>
    public List<(string Text, string Category, string? Subcategory)> Entities { get; } = [];

    /// <summary>Sentences the summarization job returns.</summary>
    public List<string> SummarySentences { get; } = [];

    /// <summary>Returns a response (status, body, Retry-After) to answer a request with, or null to answer normally.</summary>
    public Func<RecordedRequest, (int Status, string Body, string? RetryAfter)?>? Intercept { get; set; }

    public static async Task<LanguageServiceReplay> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var replay = new LanguageServiceReplay(app);
        app.Run(replay.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        replay.Endpoint = new Uri(address);
        return replay;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var request = new RecordedRequest(
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.Query["api-version"].ToString(),
            context.Request.Headers["Ocp-Apim-Subscription-Key"].ToString(),
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
        switch (request)
        {
            case { Method: "POST", Path: "/language/:analyze-text" } when request.Kind == "LanguageDetection":
                await context.Response.WriteAsync(LanguageDetectionResult(request));
                break;
            case { Method: "POST", Path: "/language/:analyze-text" } when request.Kind == "EntityRecognition":
                await context.Response.WriteAsync(EntityRecognitionResult(request));
                break;
            case { Method: "POST", Path: "/language/analyze-text/jobs" }:
                context.Response.StatusCode = 202;
                context.Response.Headers["Operation-Location"] = new Uri(Endpoint, "/language/analyze-text/jobs/5a8a2e1c-6c5a-4b5e-9b0e-2b1f9f0d3c11?api-version=2025-11-01").AbsoluteUri;
                break;
            case { Method: "GET" } when request.Path.StartsWith("/language/analyze-text/jobs/", StringComparison.Ordinal):
                // The first poll finds the job still running, as a real one usually is.
                await context.Response.WriteAsync(Interlocked.Increment(ref jobPolls) == 1 ? JobState("running", "") : JobState("succeeded", SummaryResult()));
                break;
            default:
                context.Response.StatusCode = 404;
                await context.Response.WriteAsync("""{"error":{"code":"404","message":"Resource not found"}}""");
                break;
        }
    }

    private string LanguageDetectionResult(RecordedRequest request)
    {
        var documents = request.Documents.Select(d => new
        {
            id = d.GetProperty("id").GetString(),
            detectedLanguage = new { name = DetectedLanguage == "nl" ? "Dutch" : "English", iso6391Name = DetectedLanguage, confidenceScore = 1.0 },
            warnings = Array.Empty<object>(),
        });
        return JsonSerializer.Serialize(new { kind = "LanguageDetectionResults", results = new { documents, errors = Array.Empty<object>(), modelVersion = "2024-11-01" } });
    }

    private string EntityRecognitionResult(RecordedRequest request)
    {
        var documents = request.Documents.Select(d =>
        {
            var text = d.GetProperty("text").GetString() ?? "";
            return new
            {
                id = d.GetProperty("id").GetString(),
                entities = Entities.Where(e => text.Contains(e.Text, StringComparison.Ordinal)).Select(e => new
                {
                    text = e.Text,
                    category = e.Category,
                    subcategory = e.Subcategory,
                    offset = text.IndexOf(e.Text, StringComparison.Ordinal),
                    length = e.Text.Length,
                    confidenceScore = 0.97,
                }),
                warnings = Array.Empty<object>(),
            };
        });
        return JsonSerializer.Serialize(new { kind = "EntityRecognitionResults", results = new { documents, errors = Array.Empty<object>(), modelVersion = "2025-08-01" } }, OmitNulls);
    }

    private string SummaryResult()
    {
        var offset = 0;
        var sentences = SummarySentences.Select((s, i) =>
        {
            var sentence = new { text = s, rankScore = 1.0 - (i * 0.1), offset, length = s.Length };
            offset += s.Length + 1;
            return sentence;
        });
        return JsonSerializer.Serialize(new
        {
            kind = "ExtractiveSummarizationLROResults",
            taskName = "summary",
            lastUpdateDateTime = "2025-11-20T10:00:05Z",
            status = "succeeded",
            results = new { documents = new[] { new { id = "1", sentences, warnings = Array.Empty<object>() } }, errors = Array.Empty<object>(), modelVersion = "2025-06-01" },
        });
    }

    private static string JobState(string status, string item)
    {
        var done = item.Length > 0 ? 1 : 0;
        return "{\"jobId\":\"5a8a2e1c-6c5a-4b5e-9b0e-2b1f9f0d3c11\",\"displayName\":\"watcher\",\"createdDateTime\":\"2025-11-20T10:00:00Z\","
            + "\"expirationDateTime\":\"2025-11-21T10:00:00Z\",\"lastUpdatedDateTime\":\"2025-11-20T10:00:05Z\",\"status\":\"" + status + "\",\"errors\":[],"
            + "\"tasks\":{\"completed\":" + done + ",\"failed\":0,\"inProgress\":" + (1 - done) + ",\"total\":1,\"items\":[" + item + "]}}";
    }
}

/// <summary>A request the replay server received.</summary>
internal sealed record RecordedRequest(string Method, string Path, string ApiVersion, string SubscriptionKey, JsonElement Body)
{
    public string? Kind => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("kind", out var kind) ? kind.GetString() : null;

    public IReadOnlyList<JsonElement> Documents =>
        Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("analysisInput", out var input)
            ? input.GetProperty("documents").EnumerateArray().ToList()
            : [];
}
