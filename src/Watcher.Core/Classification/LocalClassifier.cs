using Microsoft.Extensions.Options;
using Watcher.Configuration;

namespace Watcher.Classification;

/// <summary>The embedded classifier: topic definitions from the configuration, no outside service.</summary>
public sealed class LocalClassifier : IArticleClassifier
{
    private readonly TopicMatcher[] matchers;

    public LocalClassifier(IOptions<WatcherOptions> options)
    {
        matchers = options.Value.Topics.Select(t => new TopicMatcher(t.Key, t.Value)).ToArray();
    }

    public string Name => "watcher-local";

    public string Version => "1";

    public Task<ClassificationResult> ClassifyAsync(ClassificationRequest request, CancellationToken cancellationToken)
    {
        var sentences = TextSegmenter.Sentences(request.Text);
        var segmented = sentences.Select(s => (s, TextSegmenter.Words(s))).ToList();
        var titleWords = TextSegmenter.Words(request.Title);

        var topics = matchers
            .Select(m => (Matcher: m, Match: m.Match(titleWords, request.Title, segmented)))
            .Where(r => r.Match.Score >= r.Matcher.Threshold)
            .Select(r => r.Match)
            .OrderByDescending(m => m.Score)
            .ToList();

        var language = LanguageDetector.Detect(request.Title + "\n" + request.Text, request.Language);
        var summary = ExtractiveSummarizer.Summarize(sentences, topics.SelectMany(t => t.Evidence).Where(e => e != request.Title));
        return Task.FromResult(new ClassificationResult
        {
            Language = language,
            Topics = topics,
            Summary = summary,
            SummaryBy = ExtractiveSummarizer.Name,
        });
    }
}
