using System.Diagnostics;
using Azure;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Watcher.Articles;
using Watcher.Classification;
using Watcher.Configuration;
using Watcher.Local.DevServices;
using Watcher.Storage;
using Watcher.Tests.Feeds.Fetching;

namespace Watcher.Tests.Classification;

/// <summary>
/// The azure-language backend against a local server replaying the service's documented
/// responses: what it sends, how it maps the answers, throttling, errors, and what
/// <see cref="ArticleClassificationService.ClassifyBlobAsync"/> does when the service fails.
/// </summary>
public sealed class AzureLanguageClassifierTests : IAsyncLifetime
{
    private const string Key = "replay-key";

    private LanguageServiceReplay service = null!;

    public async Task InitializeAsync() => service = await LanguageServiceReplay.StartAsync();

    public async Task DisposeAsync() => await service.DisposeAsync();

    [Fact]
    public async Task English_article_gets_the_service_language_entities_and_summary_and_our_topics()
    {
        service.Entities.Add(("Sweden", "CountryRegion"));
        service.Entities.Add(("Telia", "Organization"));
        service.SummarySentences.AddRange(["Sweden has banned Huawei from its 5G networks.", "Telia must remove the equipment by 2025."]);
        var classifier = Create();

        var result = await classifier.ClassifyAsync(new("a1", "Sweden bans Huawei from 5G", "Sweden has banned Huawei from its 5G networks. Telia must remove the equipment by 2025. The regulator cited security advice.", null), CancellationToken.None);

        Assert.Equal("en", result.Language);
        Assert.Equal(["5g-ban"], result.TopicIds());
        Assert.Equal(AzureLanguageClassifier.SummarizerName, result.SummaryBy);
        Assert.Equal("Sweden has banned Huawei from its 5G networks. Telia must remove the equipment by 2025.", result.Summary);
        Assert.Contains(new NamedEntity("Telia", "Company"), result.Entities);
        Assert.Contains(new NamedEntity("Sweden", "Country"), result.Entities);
        Assert.Contains(new NamedEntity("Huawei", "Company"), result.Entities);
        Assert.Equal(AzureLanguageClassifier.EntityRecognizerName, result.EntitiesBy);
        Assert.Equal(AzureLanguageClassifier.ClassifierName, classifier.Name);

        var requests = service.Requests.ToList();
        Assert.All(requests, r => Assert.Equal(Key, r.SubscriptionKey));
        Assert.All(requests.Where(r => r.Method == "POST"), r => Assert.Equal("2025-11-01", r.ApiVersion));
        Assert.Equal(["LanguageDetection", "EntityRecognition"], requests.Where(r => r.Path == "/language/:analyze-text").Select(r => r.Kind));
        var job = requests.Single(r => r.Path == "/language/analyze-text/jobs");
        var task = job.Body.GetProperty("tasks")[0];
        Assert.Equal("ExtractiveSummarization", task.GetProperty("kind").GetString());
        Assert.Equal("en", job.Documents[0].GetProperty("language").GetString());
        Assert.Equal(2, requests.Count(r => r.Method == "GET"));
    }

    [Fact]
    public async Task Dutch_article_is_summarized_locally_because_the_service_does_not_support_it()
    {
        service.Detected = new("nl", "Dutch");
        var classifier = Create();

        var result = await classifier.ClassifyAsync(new("a2", "Italië weert Huawei uit 5G-netwerk", "De Italiaanse regering weert Huawei en ZTE uit het 5G-netwerk. Lopende contracten worden opgeschort. De operatoren krijgen twee jaar.", null), CancellationToken.None);

        Assert.Equal("nl", result.Language);
        Assert.Equal(["5g-ban"], result.TopicIds());
        Assert.Equal(ExtractiveSummarizer.Name, result.SummaryBy);
        Assert.StartsWith("De Italiaanse regering weert Huawei", result.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(service.Requests, r => r.Path.Contains("jobs", StringComparison.Ordinal));
        Assert.Equal("nl", service.Requests.Single(r => r.Kind == "EntityRecognition").Documents[0].GetProperty("language").GetString());
    }

    [Fact]
    public async Task Topic_terms_see_the_service_entities()
    {
        service.Entities.Add(("Acme Widgets", "Organization"));
        var options = Classifiers.OptionsFrom(Config("""{ "recall": { "AllOf": [ [ "@company" ], [ "recall*" ] ] } }"""), withDefaults: false);
        var classifier = Create(options);

        var result = await classifier.ClassifyAsync(new("a3", "", "Acme Widgets recalled its kettles.", null), CancellationToken.None);
        var local = new LocalClassifier(Options.Create(options)).Classify(new("a3", "", "Acme Widgets recalled its kettles.", null));

        Assert.Equal(["recall"], result.TopicIds());
        Assert.Empty(local.Topics);
    }

    [Fact]
    public async Task Throttling_is_retried_after_the_Retry_After_the_service_asks_for()
    {
        var throttled = 0;
        service.Intercept = r => r.Kind == "LanguageDetection" && Interlocked.Increment(ref throttled) == 1
            ? (429, """{"error":{"code":"429","message":"Rate limit is exceeded. Try again in 1 seconds."}}""", "1")
            : null;
        service.Detected = new("nl", "Dutch");
        var classifier = Create();
        var timer = Stopwatch.StartNew();

        var result = await classifier.ClassifyAsync(new("a4", "Huawei geweerd uit 5G-netwerk", "De regering weert Huawei uit het 5G-netwerk.", null), CancellationToken.None);

        Assert.Equal(["5g-ban"], result.TopicIds());
        Assert.Equal(2, service.Requests.Count(r => r.Kind == "LanguageDetection"));
        Assert.True(timer.Elapsed >= TimeSpan.FromMilliseconds(900), $"retried after {timer.Elapsed}, before the 1 s Retry-After");
    }

    [Fact]
    public async Task Server_error_fails_the_classification_after_the_retries()
    {
        service.Intercept = _ => (500, """{"error":{"code":"InternalServerError","message":"Internal server error."}}""", null);
        var classifier = Create();

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => classifier.ClassifyAsync(new("a5", "t", "Some text here.", null), CancellationToken.None));

        Assert.Equal(500, error.Status);
        Assert.Equal(2, service.Requests.Count);
    }

    [Fact]
    public async Task Document_error_fails_the_classification_with_its_code()
    {
        service.Intercept = r => r.Kind == "EntityRecognition"
            ? (200, """{"kind":"EntityRecognitionResults","results":{"documents":[],"errors":[{"id":"1","error":{"code":"InvalidArgument","message":"Invalid document in request.","innererror":{"code":"InvalidDocument","message":"Document text is empty."}}}],"modelVersion":"2021-06-01"}}""", null)
            : null;
        var classifier = Create();

        var error = await Assert.ThrowsAsync<AzureLanguageDocumentException>(() => classifier.ClassifyAsync(new("a6", "t", "Some text here.", null), CancellationToken.None));

        Assert.Equal("InvalidArgument/InvalidDocument", error.Code);
        Assert.Equal("InvalidDocument", error.InnerCode);
        Assert.Equal("EntityRecognition", error.Task);
    }

    [Fact]
    public async Task Long_text_is_cut_into_documents_and_batches_within_the_service_limits()
    {
        service.Detected = new("nl", "Dutch");
        var sentence = "De minister van Economische Zaken zegt dat de operatoren meer tijd krijgen voor de vervanging van de apparatuur. ";
        var text = string.Concat(Enumerable.Repeat(sentence, 300));
        var classifier = Create();

        await classifier.ClassifyAsync(new("a7", "Lang artikel", text, null), CancellationToken.None);

        var recognition = service.Requests.Where(r => r.Kind == "EntityRecognition").ToList();
        var documents = recognition.SelectMany(r => r.Documents).Select(d => d.GetProperty("text").GetString()!).ToList();
        Assert.All(recognition, r => Assert.InRange(r.Documents.Count, 1, AzureLanguageClient.MaxEntityDocumentsPerRequest));
        Assert.All(documents, d => Assert.InRange(d.Length, 1, AzureLanguageClient.MaxDocumentChars));
        Assert.True(recognition.Count >= 2, $"{documents.Count} documents in {recognition.Count} requests");
        Assert.Equal(("Lang artikel " + text).Trim(), string.Join(' ', documents));
        Assert.InRange(service.Requests.Single(r => r.Kind == "LanguageDetection").Documents[0].GetProperty("text").GetString()!.Length, 1, AzureLanguageClient.MaxDocumentChars);
    }

    [Fact]
    public async Task ClassifyBlobAsync_throws_when_the_service_fails_and_falls_back_only_when_configured()
    {
        var root = Path.Combine(Path.GetTempPath(), "watcher-tests", Guid.NewGuid().ToString("n"));
        await using var azurite = await AzuriteService.StartAsync(Path.Combine(root, "azurite"));
        service.Intercept = _ => (500, """{"error":{"code":"InternalServerError","message":"Internal server error."}}""", null);
        var article = new Article
        {
            Id = "f00dfeed00000001",
            Url = "https://news.example/huawei",
            Title = "Sweden bans Huawei from 5G",
            Text = "Sweden has banned Huawei from its 5G networks.",
            FetchedAt = DateTimeOffset.Parse("2025-11-20T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            Source = new ArticleSource { FeedName = "test", FeedUrl = "https://news.example/feed" },
        };

        async Task<(ArticleClassificationService Service, WatcherStorage Storage)> BuildAsync(bool fallback)
        {
            var options = Classifiers.OptionsFrom($$"""{ "Watcher": { "Storage": { "ConnectionString": "{{azurite.ConnectionString}}" }, "Classifier": { "Backend": "azure-language", "Endpoint": "{{service.Endpoint}}", "Key": "{{Key}}", "FallbackToLocal": {{(fallback ? "true" : "false")}} } } }""");
            var provider = Services(options);
            var storage = new WatcherStorage(Options.Create(options), []);
            await storage.EnsureCreatedAsync();
            var store = new ArticleStore(storage, NullLogger<ArticleStore>.Instance);
            await store.StoreAsync(article, CancellationToken.None);
            var similarStories = new SimilarStoryIndex(storage, Options.Create(options), NullLogger<SimilarStoryIndex>.Instance);
            return (new ArticleClassificationService(storage, store, provider.GetRequiredService<IArticleClassifier>(), similarStories, NullLogger<ArticleClassificationService>.Instance), storage);
        }

        var blob = ArticleStore.BlobNameFor(article);
        var (strict, storage) = await BuildAsync(fallback: false);
        await Assert.ThrowsAsync<RequestFailedException>(() => strict.ClassifyBlobAsync(blob, CancellationToken.None));
        Assert.False(await storage.Classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(ArticleStore.BlobNameFor(article))).ExistsAsync());
        Assert.Null((await storage.Summaries.PeekMessageAsync()).Value);

        var (lenient, _) = await BuildAsync(fallback: true);
        var classified = await lenient.ClassifyBlobAsync(blob, CancellationToken.None);
        Assert.NotNull(classified);
        Assert.Equal(LocalClassifier.ClassifierName, classified.Classifier);
        Assert.Equal(["5g-ban"], classified.Topics.Select(t => t.Id));
        Assert.True(await storage.Classified.GetBlobClient(ArticleClassificationService.ClassifiedBlobName(ArticleStore.BlobNameFor(article))).ExistsAsync());
        Assert.NotNull((await storage.Summaries.PeekMessageAsync()).Value);
    }

    [Fact]
    public void Backend_setting_picks_the_classifier_and_no_key_means_managed_identity()
    {
        var local = Services(Classifiers.OptionsFrom("""{ "Watcher": {} }""")).GetRequiredService<IArticleClassifier>();
        var options = Classifiers.OptionsFrom($$"""{ "Watcher": { "Classifier": { "Backend": "azure-language", "Endpoint": "{{service.Endpoint}}" } } }""");
        var identity = Services(options).GetRequiredService<IArticleClassifier>();

        Assert.IsType<LocalClassifier>(local);
        Assert.IsType<AzureLanguageClassifier>(identity);
        Assert.Equal(local.Version + "+api-2025-11-01", identity.Version);
    }

    [Fact]
    public async Task The_documented_language_detection_example_reads_as_documented()
    {
        var client = Client();
        var body = LanguageServiceReplay.LanguageDetectionExample;
        var requested = body["parameters"]!["body"]!["analysisInput"]!["documents"]!.AsArray();
        var answered = body["responses"]!["200"]!["body"]!["results"]!["documents"]!.AsArray();

        foreach (var document in requested)
        {
            var expected = answered.Single(d => d!["id"]!.GetValue<string>() == document!["id"]!.GetValue<string>())!["detectedLanguage"]!["iso6391Name"]!.GetValue<string>();
            Assert.Equal(expected, await client.DetectLanguageAsync(document!["text"]!.GetValue<string>(), CancellationToken.None));
        }
    }

    [Fact]
    public async Task The_documented_entity_example_reads_as_documented_and_none_of_its_places_is_a_country()
    {
        var client = Client();
        var body = LanguageServiceReplay.EntityRecognitionExample;
        var document = body["parameters"]!["body"]!["analysisInput"]!["documents"]!.AsArray().Single(d => d!["id"]!.GetValue<string>() == "3")!;
        var expected = body["responses"]!["200"]!["body"]!["results"]!["documents"]!.AsArray().Single(d => d!["id"]!.GetValue<string>() == "3")!["entities"]!.AsArray()
            .Select(e => (e!["text"]!.GetValue<string>(), e["type"]!.GetValue<string>(), string.Join(",", e["tags"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()))))
            .ToList();

        var entities = await client.RecognizeEntitiesAsync(document["text"]!.GetValue<string>(), "en", CancellationToken.None);

        Assert.Equal(expected, entities.Select(e => (e.Text, e.Type!, string.Join(",", e.Tags))));
        Assert.Contains(entities, e => e.Text == "Amsterdam" && e.Tags.Contains("GPE"));
        Assert.All(entities, e => Assert.Null(AzureLanguageClassifier.Map(e)));
    }

    [Fact]
    public void The_type_table_gives_the_tags_and_categories_of_every_documented_entity()
    {
        var entities = LanguageServiceReplay.EntityRecognitionExample["responses"]!["200"]!["body"]!["results"]!["documents"]!.AsArray()
            .Concat(LanguageServiceReplay.JobStatusExample["responses"]!["200"]!["body"]!["tasks"]!["items"]![0]!["results"]!["documents"]!.AsArray())
            .SelectMany(d => d!["entities"]!.AsArray())
            .ToList();

        Assert.True(entities.Count >= 15, $"{entities.Count} documented entities");
        foreach (var entity in entities)
        {
            var type = entity!["type"]!.GetValue<string>();
            Assert.Equal(LanguageServiceReplay.TypeTags[type].Order(), entity["tags"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).Order());
            if (type is not ("Age" or "Currency" or "Speed" or "Date" or "DateRange"))
            {
                Assert.Equal(entity["category"]!.GetValue<string>(), LanguageServiceReplay.CategoryOf(type));
            }
        }
    }

    [Fact]
    public async Task A_country_only_the_service_knows_is_a_country_for_topics_and_a_city_is_not()
    {
        service.Entities.Add(("Tuvalu", "CountryRegion"));
        service.Entities.Add(("Funafuti", "City"));
        var options = Classifiers.OptionsFrom(Config("""{ "island-elections": { "AllOf": [ [ "@country" ], [ "election*" ] ] } }"""), withDefaults: false);
        var classifier = Create(options);
        const string text = "Funafuti voted on Thursday. Tuvalu holds its general election every four years.";

        var result = await classifier.ClassifyAsync(new("a8", "", text, null), CancellationToken.None);
        var local = new LocalClassifier(Options.Create(options)).Classify(new("a8", "", text, null));

        Assert.Equal(["island-elections"], result.TopicIds());
        Assert.Contains(new NamedEntity("Tuvalu", "Country"), result.Entities);
        Assert.DoesNotContain(result.Entities, e => e.Text == "Funafuti");
        Assert.Empty(local.Topics);
    }

    [Fact]
    public async Task English_summary_is_the_documented_sentences_that_fit()
    {
        var classifier = Create();
        var text = string.Join(' ', LanguageServiceReplay.ExampleSummarySentences);

        var result = await classifier.ClassifyAsync(new("a9", "XYZ-code", text, null), CancellationToken.None);

        Assert.Equal(AzureLanguageClassifier.SummarizerName, result.SummaryBy);
        Assert.StartsWith(LanguageServiceReplay.ExampleSummarySentences[0], result.Summary, StringComparison.Ordinal);
        Assert.InRange(result.Summary.Length, 1, ExtractiveSummarizer.MaxLength);
        var used = LanguageServiceReplay.ExampleSummarySentences.Where(s => result.Summary.Contains(s, StringComparison.Ordinal)).ToList();
        Assert.Equal(result.Summary, string.Join(' ', used));
    }

    [Theory]
    [InlineData("is", "Icelandic")]
    [InlineData("lb", "Luxembourgish")]
    [InlineData("mt", "Maltese")]
    [InlineData("tl", "Tagalog")]
    [InlineData("nn", "Norwegian Nynorsk")]
    public async Task A_language_entity_recognition_does_not_support_gets_gazetteer_entities_and_a_local_summary(string code, string name)
    {
        service.Detected = new(code, name);
        var classifier = Create();

        var result = await classifier.ClassifyAsync(new("a10", "Huawei 5G", "Huawei 5G Sweden. Huawei 5G Sweden. Huawei 5G Sweden.", null), CancellationToken.None);

        Assert.Equal(code, result.Language);
        Assert.Contains(new NamedEntity("Huawei", "Company"), result.Entities);
        Assert.Contains($"does not support '{code}'", result.EntitiesBy, StringComparison.Ordinal);
        Assert.Equal(ExtractiveSummarizer.Name, result.SummaryBy);
        Assert.DoesNotContain(service.Requests, r => r.Kind == "EntityRecognition" || r.Path.Contains("jobs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UnsupportedLanguageCode_from_the_service_means_no_service_entities_not_a_failed_article()
    {
        service.Detected = new("nl", "Dutch");
        service.EntityLanguagesRejected.Add("nl");
        var logs = new LogSink();
        var classifier = Create(logs: logs);

        var result = await classifier.ClassifyAsync(new("a11", "Italië weert Huawei uit 5G-netwerk", "De Italiaanse regering weert Huawei en ZTE uit het 5G-netwerk.", null), CancellationToken.None);

        Assert.Equal(["5g-ban"], result.TopicIds());
        Assert.Contains(new NamedEntity("Huawei", "Company"), result.Entities);
        Assert.Contains("does not support 'nl'", result.EntitiesBy, StringComparison.Ordinal);
        Assert.Single(service.Requests, r => r.Kind == "EntityRecognition");
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("refused 'nl'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("zh_cht", "Chinese_Traditional", "Han (Traditional variant)", "Hant", "zh-Hant", false)]
    [InlineData("zh_chs", "Chinese_Simplified", "Han (Simplified variant)", "Hans", "zh-Hans", true)]
    public async Task Chinese_is_sent_in_the_script_detection_found(string detected, string name, string script, string scriptCode, string sent, bool serviceSummary)
    {
        service.Detected = new(detected, name, script, scriptCode);
        service.SummarySentences.Add("華為被禁止進入5G網絡。");
        var classifier = Create();

        var result = await classifier.ClassifyAsync(new("a12", "華為", "華為被禁止進入5G網絡。瑞典監管機構作出了決定。", null), CancellationToken.None);

        Assert.Equal("zh", result.Language);
        Assert.Equal(sent, service.Requests.Single(r => r.Kind == "EntityRecognition").Documents[0].GetProperty("language").GetString());
        var job = service.Requests.SingleOrDefault(r => r.Method == "POST" && r.Path == "/language/analyze-text/jobs");
        Assert.Equal(serviceSummary, job is not null);
        Assert.Equal(serviceSummary ? AzureLanguageClassifier.SummarizerName : ExtractiveSummarizer.Name, result.SummaryBy);
        if (job is not null)
        {
            Assert.Equal(sent, job.Documents[0].GetProperty("language").GetString());
        }
    }

    [Theory]
    [InlineData(JobOutcome.Failed, "failed")]
    [InlineData(JobOutcome.PartiallyCompleted, "partiallyCompleted")]
    public async Task A_summarization_job_that_does_not_succeed_fails_the_classification_with_the_job_error(JobOutcome outcome, string status)
    {
        service.Job = outcome;
        var classifier = Create();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => classifier.ClassifyAsync(new("a13", "t", "Sweden has banned Huawei from its 5G networks.", null), CancellationToken.None));

        Assert.Contains($"ended '{status}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("InternalServerError: Internal error occurred while processing the task.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(service.Requests, r => r.Path.EndsWith(":cancel", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_document_error_inside_the_job_results_fails_the_classification_with_its_code()
    {
        service.Job = JobOutcome.DocumentError;
        var classifier = Create();

        var error = await Assert.ThrowsAsync<AzureLanguageDocumentException>(() => classifier.ClassifyAsync(new("a14", "t", "Sweden has banned Huawei from its 5G networks.", null), CancellationToken.None));

        Assert.Equal("ExtractiveSummarization", error.Task);
        Assert.Equal("InvalidArgument/InvalidDocument", error.Code);
    }

    [Fact]
    public async Task A_job_that_outlasts_the_timeout_is_cancelled_on_the_service()
    {
        service.Job = JobOutcome.NeverFinishes;
        var options = Classifiers.OptionsFrom("""{ "Watcher": {} }""");
        options.Classifier.JobTimeout = TimeSpan.FromMilliseconds(300);
        var classifier = Create(options);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => classifier.ClassifyAsync(new("a15", "t", "Sweden has banned Huawei from its 5G networks.", null), CancellationToken.None));

        Assert.Contains("asked to cancel", error.Message, StringComparison.Ordinal);
        var cancel = Assert.Single(service.Requests, r => r.Path.EndsWith(":cancel", StringComparison.Ordinal));
        Assert.Equal(("POST", $"/language/analyze-text/jobs/{LanguageServiceReplay.JobId}:cancel", "2025-11-01", Key), (cancel.Method, cancel.Path, cancel.ApiVersion, cancel.SubscriptionKey));
        Assert.True(service.Requests.Count(r => r.Method == "GET") >= 2);
    }

    [Fact]
    public async Task Text_cut_at_the_service_limits_is_logged_and_never_splits_a_surrogate_pair()
    {
        service.Detected = new("nl", "Dutch");
        var logs = new LogSink();
        var client = Client(logs);

        // No space to cut at, and an emoji (two UTF-16 units) straddling the 5,120 limit.
        var text = new string('a', AzureLanguageClient.MaxDocumentChars - 1) + "😀" + new string('b', 10);
        var chunks = AzureLanguageClient.Chunks(text).ToList();
        await client.DetectLanguageAsync(text, CancellationToken.None);

        Assert.Equal(text, string.Concat(chunks));
        Assert.All(chunks, c => Assert.False(char.IsHighSurrogate(c[^1]), "a chunk ends in half a surrogate pair"));
        Assert.All(chunks, c => Assert.InRange(c.Length, 1, AzureLanguageClient.MaxDocumentChars));
        var sent = service.Requests.Single(r => r.Kind == "LanguageDetection").Documents[0].GetProperty("text").GetString()!;
        Assert.Equal(AzureLanguageClient.MaxDocumentChars - 1, sent.Length);
        Assert.Contains(logs.Entries, e => e.Message.Contains($"first {sent.Length} of {text.Length} characters", StringComparison.Ordinal));

        var job = new string('c', AzureLanguageClient.MaxJobChars - 1) + "😀";
        await client.SummarizeAsync(job, "en", 3, CancellationToken.None);

        var summarized = service.Requests.Single(r => r.Path == "/language/analyze-text/jobs").Documents[0].GetProperty("text").GetString()!;
        Assert.Equal(AzureLanguageClient.MaxJobChars - 1, summarized.Length);
        Assert.Contains(logs.Entries, e => e.Message.Contains($"first {summarized.Length} of {job.Length} characters", StringComparison.Ordinal));
    }

    private static string Config(string topics) => $$"""{ "Watcher": { "Topics": {{topics}} } }""";

    private AzureLanguageClient Client(LogSink? logs = null) =>
        new(service.Endpoint, new AzureKeyCredential(Key), ClientOptions(), logs is null ? null : LoggerFactory.Create(b => b.AddProvider(logs)).CreateLogger<AzureLanguageClient>());

    private IArticleClassifier Create(WatcherOptions? options = null, LogSink? logs = null)
    {
        options ??= Classifiers.OptionsFrom("""{ "Watcher": {} }""");
        options.Classifier.Backend = "azure-language";
        options.Classifier.Endpoint = service.Endpoint.AbsoluteUri;
        options.Classifier.Key = Key;
        options.Classifier.PollInterval = TimeSpan.FromMilliseconds(20);
        return Services(options, logs).GetRequiredService<IArticleClassifier>();
    }

    // The pipeline's own retry policy, with a short back-off so a failing test stays fast; a
    // Retry-After from the service still wins over it.
    internal static AzureLanguageClientOptions ClientOptions()
    {
        var clientOptions = new AzureLanguageClientOptions { PollInterval = TimeSpan.FromMilliseconds(20) };
        clientOptions.Retry.MaxRetries = 1;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(10);
        clientOptions.Retry.Mode = RetryMode.Fixed;
        return clientOptions;
    }

    internal static ServiceProvider Services(WatcherOptions options, LogSink? logs = null, AzureLanguageClientOptions? clientOptions = null)
    {
        var services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Information))
            .AddSingleton(Options.Create(options))
            .AddSingleton(clientOptions ?? ClientOptions())
            .AddSingleton<IArticleClassifier>(ClassifierFactory.Create);
        if (logs is not null)
        {
            services.AddSingleton<ILoggerProvider>(logs);
        }

        return services.BuildServiceProvider();
    }
}
