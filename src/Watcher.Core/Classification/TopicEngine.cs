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
    private readonly int termCount;

    public TopicEngine(IReadOnlyDictionary<string, TopicOptions> topics)
    {
        gazetteer = new EntityGazetteer(index);
        matchers = topics.Select(t => new TopicMatcher(t.Key, t.Value, index)).ToArray();
        termCount = index.TermCount;
    }

    public TopicVerdict Analyze(string title, string text, IEnumerable<(NamedEntity Entity, EntityCategory Category)>? serviceEntities = null)
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

        var topics = matchers
            .Select(m => (Matcher: m, Match: m.Match(article)))
            .Where(r => r.Match.Score >= r.Matcher.Threshold)
            .Select(r => r.Match)
            .OrderByDescending(m => m.Score)
            .ThenBy(m => m.Id, StringComparer.Ordinal)
            .ToList();
        return new TopicVerdict(article.Sentences, article.Words, article.SentenceOf, topics, article.Entities);
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
