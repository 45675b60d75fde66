using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Watcher.Classification;

/// <summary>Pipeline options for <see cref="AzureLanguageClient"/>: retries (honouring 429 Retry-After), diagnostics, transport.</summary>
public sealed class AzureLanguageClientOptions : ClientOptions
{
    /// <summary>The GA version of the Language text-analysis REST API this client speaks.</summary>
    public const string DefaultApiVersion = "2025-11-01";

    public string ApiVersion { get; set; } = DefaultApiVersion;

    /// <summary>How often a summarization job is polled when the service sends no Retry-After.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a summarization job may take.</summary>
    public TimeSpan JobTimeout { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>A document-level error the service returned for an otherwise successful request.</summary>
public sealed class AzureLanguageDocumentException(string task, string code, string? innerCode, string message)
    : Exception($"Azure AI Language {task} rejected the document: {(innerCode is null ? code : code + "/" + innerCode)}: {message}")
{
    public string Task { get; } = task;

    /// <summary>The error's code, and its inner error's code after a slash when it has one ("InvalidArgument/UnsupportedLanguageCode").</summary>
    public string Code { get; } = innerCode is null ? code : code + "/" + innerCode;

    /// <summary>The inner error's code (the spec's <c>InnerErrorCode</c>), which says what was wrong with the document.</summary>
    public string? InnerCode { get; } = innerCode;
}

/// <summary>
/// An entity as the service reports it since api-version 2024-11-01: its finest <c>type</c>
/// ("CountryRegion", "City") and all its <c>tags</c> ("GPE", "Location", "CountryRegion");
/// <c>subcategory</c> is no longer sent.
/// </summary>
public sealed record ServiceEntity(string Text, string Category, string? Type, IReadOnlyList<string> Tags, double ConfidenceScore);

/// <summary>
/// Azure AI Language over its REST API (<c>/language/:analyze-text</c> and
/// <c>/language/analyze-text/jobs</c>) on an Azure.Core pipeline. Azure.AI.TextAnalytics is not in
/// this project's registry, so the few calls Watcher needs are written here, within the service's
/// documented limits.
/// </summary>
public sealed class AzureLanguageClient
{
    /// <summary>Synchronous tasks take at most 5,120 text elements per document; UTF-16 length is never smaller, so a chunk of this many chars is always accepted.</summary>
    public const int MaxDocumentChars = 5_120;

    /// <summary>Entity recognition accepts at most 5 documents per synchronous request.</summary>
    public const int MaxEntityDocumentsPerRequest = 5;

    /// <summary>Asynchronous (job) tasks accept at most 125,000 characters across all documents of a request.</summary>
    public const int MaxJobChars = 125_000;

    private const string Scope = "https://cognitiveservices.azure.com/.default";

    private readonly Uri endpoint;
    private readonly HttpPipeline pipeline;
    private readonly AzureLanguageClientOptions options;
    private readonly ILogger logger;

    public AzureLanguageClient(Uri endpoint, AzureKeyCredential credential, AzureLanguageClientOptions? options = null, ILogger<AzureLanguageClient>? logger = null)
        : this(endpoint, new SubscriptionKeyPolicy(credential), options, logger)
    {
    }

    public AzureLanguageClient(Uri endpoint, TokenCredential credential, AzureLanguageClientOptions? options = null, ILogger<AzureLanguageClient>? logger = null)
        : this(endpoint, new BearerTokenAuthenticationPolicy(credential, Scope), options, logger)
    {
    }

    private AzureLanguageClient(Uri endpoint, HttpPipelinePolicy authentication, AzureLanguageClientOptions? options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        this.endpoint = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/");
        this.options = options ?? new AzureLanguageClientOptions();
        this.logger = logger ?? NullLogger.Instance;
        pipeline = HttpPipelineBuilder.Build(this.options, authentication);
    }

    /// <summary>
    /// The language code detection reports for the text's first <see cref="MaxDocumentChars"/>
    /// characters: mostly ISO 639-1, but <c>zh_chs</c> and <c>zh_cht</c> for Chinese.
    /// </summary>
    public async Task<string?> DetectLanguageAsync(string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var chunks = Chunks(text).Take(2).ToList();
        var first = chunks.FirstOrDefault() ?? "";
        if (chunks.Count > 1)
        {
            logger.LogInformation("Language detection sees the first {Sent} of {Total} characters, the service's limit for one document", first.Length, text.Length);
        }

        var body = new JsonObject
        {
            ["kind"] = "LanguageDetection",
            ["parameters"] = new JsonObject { ["modelVersion"] = "latest" },
            ["analysisInput"] = new JsonObject
            {
                ["documents"] = new JsonArray(new JsonObject { ["id"] = "1", ["text"] = first }),
            },
        };
        using var result = await AnalyzeAsync(body, cancellationToken);
        var results = result.RootElement.GetProperty("results");
        ThrowOnDocumentErrors("LanguageDetection", results);
        foreach (var document in results.GetProperty("documents").EnumerateArray())
        {
            if (document.TryGetProperty("detectedLanguage", out var detected) && detected.TryGetProperty("iso6391Name", out var code))
            {
                var value = code.GetString();
                return string.IsNullOrEmpty(value) || value == "(Unknown)" ? null : value;
            }
        }

        return null;
    }

    /// <summary>Entities in <paramref name="text"/>, which is cut at sentence ends into documents within the service's limits.</summary>
    public async Task<IReadOnlyList<ServiceEntity>> RecognizeEntitiesAsync(string text, string language, CancellationToken cancellationToken)
    {
        var entities = new List<ServiceEntity>();
        foreach (var batch in Chunks(text).Chunk(MaxEntityDocumentsPerRequest))
        {
            var documents = new JsonArray();
            for (var i = 0; i < batch.Length; i++)
            {
                documents.Add(new JsonObject { ["id"] = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), ["language"] = language, ["text"] = batch[i] });
            }

            var body = new JsonObject
            {
                ["kind"] = "EntityRecognition",
                ["parameters"] = new JsonObject { ["modelVersion"] = "latest", ["stringIndexType"] = "Utf16CodeUnit" },
                ["analysisInput"] = new JsonObject { ["documents"] = documents },
            };
            using var result = await AnalyzeAsync(body, cancellationToken);
            var results = result.RootElement.GetProperty("results");
            ThrowOnDocumentErrors("EntityRecognition", results);
            foreach (var document in results.GetProperty("documents").EnumerateArray())
            {
                foreach (var entity in document.GetProperty("entities").EnumerateArray())
                {
                    entities.Add(new ServiceEntity(
                        entity.GetProperty("text").GetString() ?? "",
                        entity.TryGetProperty("category", out var category) ? category.GetString() ?? "" : "",
                        entity.TryGetProperty("type", out var type) ? type.GetString() : null,
                        entity.TryGetProperty("tags", out var tags) ? [.. tags.EnumerateArray().Select(t => t.GetProperty("name").GetString() ?? "")] : [],
                        entity.TryGetProperty("confidenceScore", out var score) ? score.GetDouble() : 0));
                }
            }
        }

        return entities;
    }

    /// <summary>
    /// The service's extractive summary (its sentences in document order), through a
    /// long-running job polled at its <c>Operation-Location</c>.
    /// </summary>
    public async Task<IReadOnlyList<string>> SummarizeAsync(string text, string language, int sentenceCount, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sent = text[..CutAt(text, MaxJobChars)];
        if (sent.Length < text.Length)
        {
            logger.LogInformation("Summarization gets the first {Sent} of {Total} characters, the service's limit for a job", sent.Length, text.Length);
        }

        var body = new JsonObject
        {
            ["displayName"] = "watcher",
            ["analysisInput"] = new JsonObject
            {
                ["documents"] = new JsonArray(new JsonObject { ["id"] = "1", ["language"] = language, ["text"] = sent }),
            },
            ["tasks"] = new JsonArray(new JsonObject
            {
                ["kind"] = "ExtractiveSummarization",
                ["taskName"] = "summary",
                ["parameters"] = new JsonObject { ["sentenceCount"] = sentenceCount, ["sortBy"] = "Offset" },
            }),
        };

        using var message = CreateMessage(RequestMethod.Post, "language/analyze-text/jobs", body);
        await pipeline.SendAsync(message, cancellationToken);
        var submitted = message.Response;
        if (submitted.Status != 202 || !submitted.Headers.TryGetValue("Operation-Location", out var location) || string.IsNullOrEmpty(location))
        {
            throw new RequestFailedException(submitted);
        }

        var deadline = DateTimeOffset.UtcNow + options.JobTimeout;
        while (true)
        {
            using var poll = pipeline.CreateMessage();
            poll.Request.Method = RequestMethod.Get;
            poll.Request.Uri.Reset(new Uri(location));
            await pipeline.SendAsync(poll, cancellationToken);
            if (poll.Response.Status != 200)
            {
                throw new RequestFailedException(poll.Response);
            }

            using var state = await JsonDocument.ParseAsync(poll.Response.ContentStream!, cancellationToken: cancellationToken);
            var status = state.RootElement.GetProperty("status").GetString();
            if (status == "succeeded")
            {
                return ReadSummary(state.RootElement);
            }

            if (status is "failed" or "cancelled" or "cancelling" or "partiallyCompleted")
            {
                throw new InvalidOperationException($"Azure AI Language summarization job ended '{status}': {JobErrors(state.RootElement)}");
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                await CancelJobAsync(new Uri(location), cancellationToken);
                throw new TimeoutException($"Azure AI Language summarization job still '{status}' after {options.JobTimeout}; it was asked to cancel.");
            }

            await Task.Delay(options.PollInterval, cancellationToken);
        }
    }

    /// <summary>
    /// Cuts text at sentence ends into pieces the synchronous API accepts; a sentence longer than
    /// the limit is cut at a space, or where none is, between two characters (never inside a
    /// surrogate pair).
    /// </summary>
    public static IEnumerable<string> Chunks(string text)
    {
        var current = new System.Text.StringBuilder();
        foreach (var sentence in TextSegmenter.Sentences(text))
        {
            var rest = sentence;
            while (rest.Length > 0)
            {
                var room = MaxDocumentChars - current.Length - (current.Length > 0 ? 1 : 0);
                if (rest.Length <= room)
                {
                    current.Append(current.Length > 0 ? " " : "").Append(rest);
                    rest = "";
                }
                else if (current.Length > 0)
                {
                    yield return current.ToString();
                    current.Clear();
                }
                else
                {
                    var cut = rest.LastIndexOf(' ', MaxDocumentChars - 1);
                    cut = cut > 0 ? cut : CutAt(rest, MaxDocumentChars);
                    yield return rest[..cut];
                    rest = rest[cut..].TrimStart();
                }
            }
        }

        if (current.Length > 0)
        {
            yield return current.ToString();
        }
    }

    /// <summary>The length of the longest prefix of at most <paramref name="limit"/> chars that does not end in half a surrogate pair.</summary>
    private static int CutAt(string text, int limit) =>
        text.Length <= limit ? text.Length : char.IsHighSurrogate(text[limit - 1]) ? limit - 1 : limit;

    // The job's own errors (the spec's AnalyzeTextJobState.errors), as "code: message" lines.
    private static string JobErrors(JsonElement state)
    {
        if (!state.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array || errors.GetArrayLength() == 0)
        {
            return "the service gave no error";
        }

        return string.Join("; ", errors.EnumerateArray().Select(e =>
            $"{(e.TryGetProperty("code", out var c) ? c.GetString() : "")}: {(e.TryGetProperty("message", out var m) ? m.GetString() : "")}"));
    }

    // A timed-out job would otherwise keep running (and billing) on the service until it expires.
    private async Task CancelJobAsync(Uri location, CancellationToken cancellationToken)
    {
        var cancel = new UriBuilder(location);
        cancel.Path += ":cancel";
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Post;
        message.Request.Uri.Reset(cancel.Uri);
        try
        {
            await pipeline.SendAsync(message, cancellationToken);
        }
        catch (RequestFailedException e)
        {
            // The timeout is what the caller needs to hear; the job expires on its own in a day.
            logger.LogWarning(e, "Azure AI Language could not be asked to cancel summarization job {Job}", location.AbsolutePath);
            return;
        }

        if (message.Response.Status != 202)
        {
            logger.LogWarning("Azure AI Language did not accept the cancel of summarization job {Job}: {Status} {Reason}", location.AbsolutePath, message.Response.Status, message.Response.ReasonPhrase);
        }
    }

    private static List<string> ReadSummary(JsonElement state)
    {
        foreach (var item in state.GetProperty("tasks").GetProperty("items").EnumerateArray())
        {
            if (item.GetProperty("kind").GetString() != "ExtractiveSummarizationLROResults")
            {
                continue;
            }

            var results = item.GetProperty("results");
            ThrowOnDocumentErrors("ExtractiveSummarization", results);
            return results.GetProperty("documents").EnumerateArray()
                .SelectMany(d => d.GetProperty("sentences").EnumerateArray())
                .Select(s => s.GetProperty("text").GetString() ?? "")
                .Where(s => s.Length > 0)
                .ToList();
        }

        throw new InvalidOperationException("The summarization job succeeded without an ExtractiveSummarizationLROResults task.");
    }

    private static void ThrowOnDocumentErrors(string task, JsonElement results)
    {
        if (!results.TryGetProperty("errors", out var errors))
        {
            return;
        }

        foreach (var error in errors.EnumerateArray())
        {
            var detail = error.GetProperty("error");
            var code = detail.TryGetProperty("code", out var c) ? c.GetString() ?? "" : "";
            var message = detail.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
            var innerCode = detail.TryGetProperty("innererror", out var inner) && inner.TryGetProperty("code", out var ic) ? ic.GetString() : null;
            throw new AzureLanguageDocumentException(task, code, innerCode, message);
        }
    }

    private async Task<JsonDocument> AnalyzeAsync(JsonObject body, CancellationToken cancellationToken)
    {
        using var message = CreateMessage(RequestMethod.Post, "language/:analyze-text", body);
        await pipeline.SendAsync(message, cancellationToken);
        if (message.Response.Status != 200)
        {
            throw new RequestFailedException(message.Response);
        }

        return await JsonDocument.ParseAsync(message.Response.ContentStream!, cancellationToken: cancellationToken);
    }

    private HttpMessage CreateMessage(RequestMethod method, string path, JsonObject body)
    {
        var message = pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(endpoint);
        request.Uri.AppendPath(path, escape: false);
        request.Uri.AppendQuery("api-version", options.ApiVersion);
        request.Headers.Add("Content-Type", "application/json");
        request.Headers.Add("Accept", "application/json");
        request.Content = RequestContent.Create(BinaryData.FromString(body.ToJsonString()));
        return message;
    }
}

/// <summary>
/// Puts the resource key in <c>Ocp-Apim-Subscription-Key</c> on every attempt. Azure.Core's own
/// AzureKeyCredentialPolicy is internal (shared source for SDK packages), hence this twin; reading
/// the credential per request lets a rotated key take effect without a restart.
/// </summary>
internal sealed class SubscriptionKeyPolicy(AzureKeyCredential credential) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.Request.Headers.SetValue("Ocp-Apim-Subscription-Key", credential.Key);
    }
}
