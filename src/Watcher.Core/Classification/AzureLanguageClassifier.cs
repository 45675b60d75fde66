using Azure;
using Microsoft.Extensions.Logging;

namespace Watcher.Classification;

/// <summary>
/// Azure AI Language for language, entities and the extractive summary, each only for the
/// languages the service supports for it; the topic decision stays ours: the configured topics
/// run over the text plus the service's entities. A service failure throws, so the blob trigger
/// retries the article and finally poisons it, unless <c>FallbackToLocal</c> is set.
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

    /// <summary>Written into <c>EntitiesBy</c> when the service's entity recognition ran, besides the local gazetteer.</summary>
    public const string EntityRecognizerName = "azure-language-ner+gazetteer";

    /// <summary>
    /// Languages extractive summarization supports: "Summarization language support",
    /// learn.microsoft.com/azure/ai-services/language-service/summarization/language-support.
    /// </summary>
    public static readonly IReadOnlySet<string> SummaryLanguages = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "zh-hans", "zh", "en", "fr", "de", "he", "it", "ja", "ko", "pl", "pt", "pt-br", "es",
    };

    /// <summary>
    /// Languages entity recognition (GA API) supports: "Named Entity Recognition (NER) language
    /// support", learn.microsoft.com/azure/ai-services/language-service/named-entity-recognition/language-support.
    /// The page writes Japanese as <c>ji</c>; detection reports <c>ja</c>, which is listed here.
    /// </summary>
    public static readonly IReadOnlySet<string> EntityLanguages = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "af", "sq", "am", "ar", "hy", "as", "az", "eu", "bn", "bs", "bg", "my", "ca", "zh-hans", "zh", "zh-hant", "hr", "cs",
        "da", "nl", "en", "et", "fi", "fr", "gl", "ka", "de", "el", "gu", "he", "hi", "hu", "id", "ga", "it", "ja", "kn",
        "kk", "km", "ko", "ku", "ky", "lo", "lv", "lt", "mk", "mg", "ms", "ml", "mr", "mn", "ne", "no", "nb", "or", "ps",
        "fa", "pl", "pt-br", "pt-pt", "pt", "pa", "ro", "ru", "sr", "sk", "sl", "so", "es", "sw", "ss", "sv", "ta", "te",
        "th", "tr", "uk", "ur", "ug", "uz", "vi", "cy",
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
        var detected = await client.DetectLanguageAsync(whole, cancellationToken);

        // The verdict keeps the two-letter code subscribers filter on; the service is asked in
        // the code it documents, so Traditional Chinese is not sent as Simplified.
        var language = LanguageDetector.Normalize(detected) ?? LanguageDetector.Detect(whole, request.Language);
        var serviceLanguage = detected switch
        {
            "zh_chs" => "zh-Hans",
            "zh_cht" => "zh-Hant",
            null or "" or "(Unknown)" => language,
            _ => detected,
        };

        var (serviceEntities, entitiesBy) = await RecognizeEntitiesAsync(request.Id, whole, serviceLanguage, cancellationToken);
        var mapped = serviceEntities
            .Select(e => (e.Text, Category: Map(e)))
            .Where(e => e.Category is not null)
            .Select(e => (new NamedEntity(e.Text, e.Category!.Value.ToString()), e.Category!.Value))
            .Distinct()
            .ToList();

        var verdict = local.Analyze(request.Title, request.Text, mapped);
        string summary;
        string summaryBy;
        if (SummaryLanguages.Contains(serviceLanguage) && request.Text.Trim().Length > 0)
        {
            summary = Fit(await client.SummarizeAsync(request.Text, serviceLanguage, 3, cancellationToken));
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
            EntitiesBy = entitiesBy,
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

    // A language entity recognition does not support gets no service entities rather than a
    // per-document error that would poison the article; the service's own UnsupportedLanguageCode
    // is taken the same way, in case its list grows apart from ours.
    private async Task<(IReadOnlyList<ServiceEntity> Entities, string EntitiesBy)> RecognizeEntitiesAsync(string id, string text, string language, CancellationToken cancellationToken)
    {
        var unsupported = $"gazetteer; Azure AI Language entity recognition does not support '{language}'";
        if (!EntityLanguages.Contains(language))
        {
            logger.LogInformation("Article {ArticleId} is in '{Language}', which entity recognition does not support; its entities come from the gazetteer alone", id, language);
            return ([], unsupported);
        }

        try
        {
            return (await client.RecognizeEntitiesAsync(text, language, cancellationToken), EntityRecognizerName);
        }
        catch (AzureLanguageDocumentException e) when (e.InnerCode == "UnsupportedLanguageCode")
        {
            logger.LogWarning(e, "Entity recognition refused '{Language}' for article {ArticleId}, though its documentation lists it; its entities come from the gazetteer alone", language, id);
            return ([], unsupported);
        }
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
