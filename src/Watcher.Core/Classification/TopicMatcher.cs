using Watcher.Configuration;

namespace Watcher.Classification;

/// <summary>
/// Decides one topic from its <see cref="TopicOptions"/> (rules, context, exclusions, signals; see
/// there for the model) and keeps the sentences that decided it as evidence.
/// </summary>
internal sealed class TopicMatcher
{
    // 1 - exp(-0.8 w): one full sentence of evidence scores 0.55, two 0.80, a title and a sentence 0.86.
    private const double Steepness = 0.8;

    private readonly Rule[] rules;
    private readonly int[][] context;
    private readonly int[] exclusions;
    private readonly (int[] Terms, double Weight)[] signals;
    private readonly double titleWeight;
    private readonly int maxEvidence;

    public TopicMatcher(string id, TopicOptions options, TermIndex index)
    {
        Id = id;
        Threshold = options.Threshold;
        MaxEvidence = options.MaxEvidence;
        titleWeight = options.TitleWeight;
        maxEvidence = options.MaxEvidence;
        int[] Compile(IEnumerable<string> terms) => terms.Select(t => index.Add(TermPattern.Parse(t, out var error) ?? throw new ArgumentException($"Topic '{id}': {error}", nameof(options)))).ToArray();

        var allRules = options.Rules.Select(r => (r.AllOf, r.Proximity, r.Weight)).ToList();
        if (options.AllOf.Count > 0)
        {
            allRules.Insert(0, (options.AllOf, 0, 1.0));
        }

        rules = allRules.Select(r => new Rule(r.AllOf.Select(Compile).ToArray(), r.Proximity, r.Weight)).ToArray();
        context = options.Context.Select(Compile).ToArray();
        exclusions = Compile(options.NoneOf);
        signals = options.Signals.Select(s => (Compile(s.Terms), s.Weight)).ToArray();
    }

    public string Id { get; }

    public double Threshold { get; }

    public int MaxEvidence { get; }

    /// <summary>How many numbers <see cref="AddConceptFeatures"/> adds.</summary>
    public int ConceptFeatureCount => 1 + rules.Length * 2 + context.Length + 1 + signals.Length;

    /// <summary>
    /// The topic's concepts as numbers for a learned model: the rule score, for each rule the share
    /// of its groups found anywhere and whether all were, each context group, the exclusions and
    /// each signal. They carry the multilingual lexicon of the rules to articles whose words the
    /// model never saw.
    /// </summary>
    public void AddConceptFeatures(AnalyzedArticle article, TopicMatch match, List<double> features)
    {
        features.Add(match.Score);
        foreach (var rule in rules)
        {
            var found = rule.Groups.Count(g => article.SentencesWithAny(g) is not null);
            features.Add((double)found / rule.Groups.Length);
            features.Add(found == rule.Groups.Length ? 1 : 0);
        }

        foreach (var group in context)
        {
            features.Add(article.SentencesWithAny(group) is null ? 0 : 1);
        }

        features.Add(article.SentencesWithAny(exclusions) is null ? 0 : 1);
        foreach (var (terms, _) in signals)
        {
            features.Add(article.SentencesWithAny(terms) is null ? 0 : 1);
        }
    }

    /// <summary>Score in 0..1 and the evidence sentences, strongest first.</summary>
    public TopicMatch Match(AnalyzedArticle article)
    {
        var count = article.Sentences.Count;
        foreach (var group in context)
        {
            if (article.SentencesWithAny(group) is null)
            {
                return new TopicMatch(Id, 0, []);
            }
        }

        // Each group is resolved to the sentences it occurs in once, so a rule costs a few array
        // reads per sentence however many terms its groups hold.
        var excluded = article.SentencesWithAny(exclusions);
        var ruleHits = new bool[]?[rules.Length][];
        for (var r = 0; r < rules.Length; r++)
        {
            ruleHits[r] = rules[r].Groups.Select(article.SentencesWithAny).ToArray();
        }

        var evidence = new List<(int Sentence, double Weight)>();
        var total = 0.0;
        for (var s = 0; s < count; s++)
        {
            if (excluded?[s] == true || (s == 0 && titleWeight == 0))
            {
                continue;
            }

            var best = 0.0;
            for (var r = 0; r < rules.Length; r++)
            {
                if (rules[r].Weight > best && rules[r].Matches(ruleHits[r], s, count))
                {
                    best = rules[r].Weight;
                }
            }

            if (best > 0)
            {
                var weight = s == 0 ? best * titleWeight : best;
                total += weight;
                evidence.Add((s, weight));
            }
        }

        if (evidence.Count == 0)
        {
            return new TopicMatch(Id, 0, []);
        }

        foreach (var (terms, weight) in signals)
        {
            if (article.SentencesWithAny(terms) is not null)
            {
                total += weight;
            }
        }

        var score = Math.Round(1 - Math.Exp(-Steepness * Math.Max(0, total)), 3);
        var quoted = evidence
            .OrderByDescending(e => e.Weight)
            .ThenBy(e => e.Sentence)
            .Take(maxEvidence)
            .Select(e => article.Sentences[e.Sentence])
            .ToList();
        return new TopicMatch(Id, score, quoted);
    }

    private sealed record Rule(int[][] Groups, int Proximity, double Weight)
    {
        // The first group anchors the evidence in the sentence itself; the others may be in its
        // window. The title (sentence 0) is its own window: it never borrows words from the lead.
        public bool Matches(bool[]?[] groupHits, int sentence, int count)
        {
            if (groupHits[0]?[sentence] != true)
            {
                return false;
            }

            var from = sentence == 0 ? 0 : Math.Max(1, sentence - Proximity);
            var to = sentence == 0 ? 0 : Math.Min(count - 1, sentence + Proximity);
            for (var g = 1; g < groupHits.Length; g++)
            {
                if (groupHits[g] is not { } hits || !Any(hits, from, to))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool Any(bool[] hits, int from, int to)
        {
            for (var s = from; s <= to; s++)
            {
                if (hits[s])
                {
                    return true;
                }
            }

            return false;
        }
    }
}
