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
        return new TopicVerdict(article.Sentences, topics, article.Entities);
    }
}

/// <summary>Sentences (title first), matched topics and entities of one article.</summary>
internal sealed record TopicVerdict(IReadOnlyList<string> Sentences, IReadOnlyList<TopicMatch> Topics, IReadOnlyList<NamedEntity> Entities);
