using Watcher.Classification.Learning;
using Watcher.Configuration;

namespace Watcher.Classification;

/// <summary>
/// The topic decision every backend shares: cuts an article into sentences, finds its entities
/// (the gazetteer's plus any a service supplied) and runs each topic's matcher.
/// </summary>
internal sealed class TopicEngine
{
    private readonly TermIndex index = new();
    private readonly EntityGazetteer gazetteer;
    private readonly TopicMatcher[] matchers;
    private readonly LinearTopicModel?[] models;
    private readonly int termCount;

    public TopicEngine(IReadOnlyDictionary<string, TopicOptions> topics)
    {
        gazetteer = new EntityGazetteer(index);
        matchers = topics.Select(t => new TopicMatcher(t.Key, t.Value, index)).ToArray();
        models = new LinearTopicModel?[matchers.Length];
        termCount = index.TermCount;
    }

    /// <summary>From now on <paramref name="topic"/> is decided by <paramref name="model"/>, its rules becoming features.</summary>
    public void UseModel(string topic, LinearTopicModel model)
    {
        var i = Array.FindIndex(matchers, m => m.Id == topic);
        if (i < 0)
        {
            throw new ArgumentException($"'{topic}' is not a configured topic.", nameof(topic));
        }

        models[i] = model;
    }

    /// <summary>What a model learns from and decides on, for one article.</summary>
    public ArticleFeatures Features(string title, string text)
    {
        var article = Prepare(title, text, null);
        return Features(article, Match(article));
    }

    public TopicVerdict Analyze(string title, string text, IEnumerable<(NamedEntity Entity, EntityCategory Category)>? serviceEntities = null)
    {
        var article = Prepare(title, text, serviceEntities);
        var ruleMatches = Match(article);
        var features = models.Any(m => m is not null) ? Features(article, ruleMatches) : null;
        var topics = new List<TopicMatch>();
        for (var i = 0; i < matchers.Length; i++)
        {
            if (models[i] is not { } model)
            {
                if (ruleMatches[i].Score >= matchers[i].Threshold)
                {
                    topics.Add(ruleMatches[i]);
                }

                continue;
            }

            var probability = model.Probability(features!);
            if (probability >= matchers[i].Threshold)
            {
                topics.Add(new TopicMatch(matchers[i].Id, Math.Round(probability, 3), Evidence(article, model, features!, ruleMatches[i], matchers[i].MaxEvidence)));
            }
        }

        topics = topics.OrderByDescending(m => m.Score).ThenBy(m => m.Id, StringComparer.Ordinal).ToList();
        return new TopicVerdict(article.Sentences, article.Words, article.SentenceOf, topics, article.Entities);
    }

    private AnalyzedArticle Prepare(string title, string text, IEnumerable<(NamedEntity Entity, EntityCategory Category)>? serviceEntities)
    {
        var article = new AnalyzedArticle(index, title, TextSegmenter.Sentences(text), termCount);
        gazetteer.Recognize(article);
        if (serviceEntities is not null)
        {
            foreach (var (entity, category) in serviceEntities)
            {
                for (var s = 0; s < article.Sentences.Count; s++)
                {
                    if (article.Sentences[s].Contains(entity.Text, StringComparison.OrdinalIgnoreCase))
                    {
                        article.AddEntity(entity, category, s);
                    }
                }
            }
        }

        return article;
    }

    private TopicMatch[] Match(AnalyzedArticle article) => matchers.Select(m => m.Match(article)).ToArray();

    private ArticleFeatures Features(AnalyzedArticle article, TopicMatch[] ruleMatches)
    {
        // Every topic's concepts, not only the decided one's: that a story is mostly about a list
        // or mostly about a network is what keeps a second topic from being tagged in passing.
        var dense = new List<double>(matchers.Sum(m => m.ConceptFeatureCount));
        for (var i = 0; i < matchers.Length; i++)
        {
            matchers[i].AddConceptFeatures(article, ruleMatches[i], dense);
        }

        return ArticleFeatures.Compute(article.Words, article.SentenceOf, [.. dense]);
    }

    // The sentences whose words pushed the model furthest towards the topic; the rules' own
    // evidence when the decision rests on the concept features alone.
    private static List<string> Evidence(AnalyzedArticle article, LinearTopicModel model, ArticleFeatures features, TopicMatch ruleMatch, int maxEvidence)
    {
        var contributions = model.SentenceContributions(features, article.Sentences.Count);
        var evidence = Enumerable.Range(0, contributions.Length)
            .Where(s => contributions[s] > 0 && article.Sentences[s].Length > 0)
            .OrderByDescending(s => contributions[s])
            .ThenBy(s => s)
            .Take(maxEvidence)
            .Select(s => article.Sentences[s])
            .ToList();
        return evidence.Count > 0 ? evidence : [.. ruleMatch.Evidence.Take(maxEvidence)];
    }
}

/// <summary>Sentences (title first), their words, matched topics and entities of one article.</summary>
internal sealed record TopicVerdict(IReadOnlyList<string> Sentences, string[] Words, int[] SentenceOf, IReadOnlyList<TopicMatch> Topics, IReadOnlyList<NamedEntity> Entities)
{
    /// <summary>Words per sentence of the text (the title left out), for the summarizer.</summary>
    public IReadOnlyList<string[]> BodySentenceWords()
    {
        var perSentence = new List<string>[Sentences.Count];
        for (var s = 0; s < perSentence.Length; s++)
        {
            perSentence[s] = [];
        }

        for (var i = 0; i < Words.Length; i++)
        {
            perSentence[SentenceOf[i]].Add(Words[i]);
        }

        return perSentence.Skip(1).Select(w => w.ToArray()).ToList();
    }
}
