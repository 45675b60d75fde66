using Azure;
using Microsoft.Extensions.Logging;

namespace Watcher.Classification;

/// <summary>
/// Azure AI Language for language, entities and (where the service supports the language) the
/// extractive summary; the topic decision stays ours: the configured topics run over the text
/// plus the service's entities. A service failure throws, so the blob trigger retries the
/// article and finally poisons it, unless <c>FallbackToLocal</c> is set.
/// </summary>
public sealed class AzureLanguageClassifier(
    AzureLanguageClient client,
    LocalClassifier local,
    bool fallbackToLocal,
    ILogger<AzureLanguageClassifier> logger) : IArticleClassifier
{
    public const string ClassifierName = "watcher-azure-language";

    /// <summary>Written into <c>SummaryBy</c> when the service wrote the summary.</summary>
    public const string SummarizerName = "azure-language-extractive";

    /// <summary>Languages extractive summarization supports (Language service documentation, "Summarization language support").</summary>
    public static readonly IReadOnlySet<string> SummaryLanguages = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "en", "fr", "de", "es", "it", "pt", "pt-br", "zh", "zh-hans", "ja", "ko", "pl", "he",
    };

    public string Name => ClassifierName;

    public string Version => $"{local.Version}+api-{AzureLanguageClientOptions.DefaultApiVersion}";

    public async Task<ClassificationResult> ClassifyAsync(ClassificationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            return await ClassifyWithServiceAsync(request, cancellationToken);
        }
        catch (Exception e) when (fallbackToLocal && e is RequestFailedException or AzureLanguageDocumentException or TimeoutException or InvalidOperationException or System.Text.Json.JsonException or KeyNotFoundException)
        {
            logger.LogWarning(e, "Azure AI Language failed for article {ArticleId}; classifying it locally because Watcher:Classifier:FallbackToLocal is true", request.Id);
            var result = local.Classify(request);
            return result with { Classifier = local.Name, ClassifierVersion = local.Version };
        }
    }

    private async Task<ClassificationResult> ClassifyWithServiceAsync(ClassificationRequest request, CancellationToken cancellationToken)
    {
        var whole = string.IsNullOrWhiteSpace(request.Title) ? request.Text : request.Title + "\n" + request.Text;
        var language = LanguageDetector.Normalize(await client.DetectLanguageAsync(whole, cancellationToken))
            ?? LanguageDetector.Detect(whole, request.Language);
        var serviceEntities = await client.RecognizeEntitiesAsync(whole, language, cancellationToken);
        var mapped = serviceEntities
            .Select(e => (e.Text, Category: Map(e)))
            .Where(e => e.Category is not null)
            .Select(e => (new NamedEntity(e.Text, e.Category!.Value.ToString()), e.Category!.Value))
            .Distinct()
            .ToList();

        var verdict = local.Analyze(request.Title, request.Text, mapped);
        string summary;
        string summaryBy;
        if (SummaryLanguages.Contains(language) && request.Text.Trim().Length > 0)
        {
            summary = Fit(await client.SummarizeAsync(request.Text, language, 3, cancellationToken));
            summaryBy = SummarizerName;
        }
        else
        {
            summary = LocalClassifier.Summarize(request.Title, verdict, language);
            summaryBy = ExtractiveSummarizer.Name;
        }

        return new ClassificationResult
        {
            Language = language,
            Topics = verdict.Topics,
            Entities = verdict.Entities,
            Summary = summary,
            SummaryBy = summaryBy,
        };
    }

    /// <summary>
    /// The category Watcher gives a service entity, from its type (api-version 2024-11-01 and
    /// later): a CountryRegion is a country; a City, State or bare GPE is not.
    /// </summary>
    public static EntityCategory? Map(ServiceEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return entity.Type switch
        {
            "Organization" => EntityCategory.Company,
            "CountryRegion" => EntityCategory.Country,
            _ => null,
        };
    }

    // The service's sentences in document order, as many as fit in the summary's length.
    private static string Fit(IReadOnlyList<string> sentences)
    {
        var picked = new List<string>();
        var length = 0;
        foreach (var sentence in sentences)
        {
            var added = sentence.Length + (picked.Count > 0 ? 1 : 0);
            if (length + added > ExtractiveSummarizer.MaxLength)
            {
                continue;
            }

            picked.Add(sentence);
            length += added;
        }

        if (picked.Count == 0 && sentences.Count > 0)
        {
            var first = sentences[0];
            var cut = first.LastIndexOf(' ', ExtractiveSummarizer.MaxLength - 2);
            return first[..(cut > 0 ? cut : ExtractiveSummarizer.MaxLength - 1)] + "…";
        }

        return string.Join(' ', picked);
    }
}
