using Microsoft.Extensions.Options;
using Watcher.Classification.Learning;
using Watcher.Configuration;

namespace Watcher.Classification;

/// <summary>The embedded classifier: topic definitions from the configuration, no outside service.</summary>
public sealed class LocalClassifier : IArticleClassifier
{
    public const string ClassifierName = "watcher-local";

    public const string ClassifierVersion = "3.0";

    private readonly TopicEngine engine;

    public LocalClassifier(IOptions<WatcherOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        engine = new TopicEngine(options.Value.Topics);
        var canonical = Canonical(options.Value.Topics);
        var learned = new List<string>();
        foreach (var source in options.Value.Topics.Where(t => !string.IsNullOrWhiteSpace(t.Value.Examples)).GroupBy(t => t.Value.Examples!, StringComparer.Ordinal))
        {
            var fingerprint = TrainingExamples.Fingerprint(source.Key);
            learned.Add(fingerprint);
            var shipped = source.Key == TrainingExamples.Embedded ? ShippedTopicModels.TryLoad(ShippedTopicModels.Fingerprint(canonical, fingerprint)) : null;
            if (shipped is not null)
            {
                foreach (var (topic, model) in shipped)
                {
                    engine.UseModel(topic, model);
                }
            }
            else
            {
                TopicLearner.Learn(engine, source.Select(t => t.Key), TrainingExamples.Load(source.Key));
            }
        }

        // Topics are data, so the same code with other topics is another classifier: the version
        // names the topic definitions and the examples they learned from too, and a stored verdict
        // says which ones decided it.
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(canonical + string.Join(',', learned)));
        Version = $"{ClassifierVersion}+topics.{Convert.ToHexStringLower(hash)[..12]}";
    }

    public string Name => ClassifierName;

    /// <summary>The code version and a fingerprint of the topic definitions, e.g. <c>2.0+topics.3f9a0c1b2d4e</c>.</summary>
    public string Version { get; }

    public Task<ClassificationResult> ClassifyAsync(ClassificationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(Classify(request));
    }

    /// <summary>The same as <see cref="ClassifyAsync"/>, for callers that have no reason to await (benchmarks, evaluation).</summary>
    public ClassificationResult Classify(ClassificationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var verdict = engine.Analyze(request.Title, request.Text);
        var language = LanguageDetector.Detect(verdict.Words, request.Language);
        return new ClassificationResult
        {
            Language = language,
            Topics = verdict.Topics,
            Entities = verdict.Entities,
            Summary = Summarize(request.Title, verdict, language),
            SummaryBy = ExtractiveSummarizer.Name,
        };
    }

    internal static string Summarize(string title, TopicVerdict verdict, string? language) =>
        ExtractiveSummarizer.Summarize(title, verdict.Sentences.Skip(1).ToList(), verdict.BodySentenceWords(), verdict.Topics.SelectMany(t => t.Evidence), language);

    // Written out by hand rather than with a JSON serializer: reflection-based serialization
    // would add tens of milliseconds of JIT to every cold start.
    internal static string Canonical(IReadOnlyDictionary<string, TopicOptions> topics)
    {
        var text = new System.Text.StringBuilder();
        void Groups(List<List<string>> groups) => text.AppendJoin('|', groups.Select(g => string.Join(',', g))).Append(';');
        foreach (var (id, topic) in topics.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            text.Append(id).Append('{');
            Groups(topic.AllOf);
            foreach (var rule in topic.Rules)
            {
                Groups(rule.AllOf);
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{rule.Proximity}:{rule.Weight};");
            }

            Groups(topic.Context);
            text.AppendJoin(',', topic.NoneOf).Append(';');
            foreach (var signal in topic.Signals)
            {
                text.AppendJoin(',', signal.Terms).Append(System.Globalization.CultureInfo.InvariantCulture, $":{signal.Weight};");
            }

            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{topic.TitleWeight};{topic.MaxEvidence};{topic.Threshold};{topic.Examples}}}");
        }

        return text.ToString();
    }

    internal TopicVerdict Analyze(string title, string text, IEnumerable<(NamedEntity Entity, EntityCategory Category)>? serviceEntities) =>
        engine.Analyze(title, text, serviceEntities);
}
