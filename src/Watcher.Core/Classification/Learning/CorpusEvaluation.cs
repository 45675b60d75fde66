using System.Text;
using Watcher.Configuration;

namespace Watcher.Classification.Learning;

/// <summary>
/// Honest figures for the learned classifier on a corpus of real articles: a frozen test split and
/// cross-validation, both by source site, so no site's style or recurring phrases are on both sides.
/// </summary>
public static class CorpusEvaluation
{
    /// <summary>Number of cross-validation folds.</summary>
    public const int Folds = 5;

    // Fixed before any model was tuned (2026-12-02); changing it would draw another test split.
    private const string FrozenSeed = "watcher-frozen-2026-12-02";
    private const string FoldSeed = "watcher-folds-2026-12-02";

    /// <summary>
    /// The frozen test split: the sites whose seeded hash falls in one fifth of the range, with all
    /// their articles. A site added later lands on a fixed side, so the split stays frozen as the
    /// corpus grows.
    /// </summary>
    public static bool IsFrozenTest(LabelledArticle item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Bucket(FrozenSeed, SiteOf(item), Folds) == 0;
    }

    /// <summary>Cross-validation on the items outside the frozen split: each fold's test sites are in no training set of it.</summary>
    public static Evaluation CrossValidate(IReadOnlyDictionary<string, TopicOptions> topics, IReadOnlyList<LabelledArticle> items, bool rulesOnly = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        var development = items.Where(i => !IsFrozenTest(i)).ToList();
        var predictions = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        for (var fold = 0; fold < Folds; fold++)
        {
            var test = development.Where(i => Bucket(FoldSeed, SiteOf(i), Folds) == fold).ToList();
            var train = development.Where(i => Bucket(FoldSeed, SiteOf(i), Folds) != fold).ToList();
            Predict(topics, train, test, rulesOnly, predictions);
        }

        return new Evaluation(development, predictions, topics.Keys);
    }

    /// <summary>Trains on every item outside the frozen split and scores the frozen split, once.</summary>
    public static Evaluation FrozenTest(IReadOnlyDictionary<string, TopicOptions> topics, IReadOnlyList<LabelledArticle> items, bool rulesOnly = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        var test = items.Where(IsFrozenTest).ToList();
        var predictions = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        Predict(topics, items.Where(i => !IsFrozenTest(i)).ToList(), test, rulesOnly, predictions);
        return new Evaluation(test, predictions, topics.Keys);
    }

    private static void Predict(IReadOnlyDictionary<string, TopicOptions> topics, List<LabelledArticle> train, List<LabelledArticle> test, bool rulesOnly, Dictionary<string, IReadOnlyList<string>> predictions)
    {
        var engine = new TopicEngine(topics);
        if (!rulesOnly)
        {
            var labelled = train.SelectMany(i => i.Labels ?? []).ToHashSet(StringComparer.Ordinal);
            TopicLearner.Learn(engine, topics.Keys.Where(labelled.Contains), train);
        }

        foreach (var item in test)
        {
            if (!predictions.TryAdd(item.Id, engine.Analyze(item.Title, item.Text).Topics.Select(t => t.Id).ToList()))
            {
                throw new InvalidDataException($"Id '{item.Id}' appears twice in the corpus.");
            }
        }
    }

    private static string SiteOf(LabelledArticle item) =>
        !string.IsNullOrEmpty(item.Source) ? item.Source
        : Uri.TryCreate(item.Url, UriKind.Absolute, out var url) ? url.Host
        : item.Id;

    private static int Bucket(string seed, string site, int buckets)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(seed + "|" + site))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % (uint)buckets);
    }
}

/// <summary>Scores of one evaluation, overall, per language and on hard negatives.</summary>
public sealed class Evaluation(IReadOnlyList<LabelledArticle> items, IReadOnlyDictionary<string, IReadOnlyList<string>> predictions, IEnumerable<string> topics)
{
    private readonly string[] topicIds = [.. topics];

    public EvaluationReport Overall { get; } = EvaluationReport.Compute(items, predictions, topics);

    /// <summary>The report over the items of each language, by language code.</summary>
    public IReadOnlyDictionary<string, EvaluationReport> ByLanguage => items
        .GroupBy(i => i.Lang ?? "")
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => EvaluationReport.Compute([.. g], predictions, topicIds));

    public int HardNegatives => items.Count(i => i.HardNegative);

    /// <summary>Hard negatives that got any topic.</summary>
    public int HardNegativesFlagged => items.Count(i => i.HardNegative && predictions[i.Id].Count > 0);
}
