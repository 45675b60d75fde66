namespace Watcher.Classification.Learning;

/// <summary>Trains the models of learned topics on an engine whose rules supply the concept features.</summary>
internal static class TopicLearner
{
    /// <summary>
    /// Trains one model per topic in <paramref name="topics"/> from <paramref name="examples"/> (an
    /// item is positive for a topic when its labels hold the topic's id), hands them to the engine
    /// and returns them.
    /// </summary>
    public static IReadOnlyList<(string Topic, LinearTopicModel Model)> Learn(TopicEngine engine, IEnumerable<string> topics, IReadOnlyList<LabelledArticle> examples, TrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(examples);
        options ??= new TrainingOptions();

        var topicList = topics.ToList();
        foreach (var topic in topicList)
        {
            var positives = examples.Count(e => e.Labels?.Contains(topic) == true);
            if (positives == 0 || positives == examples.Count)
            {
                throw new InvalidDataException($"Topic '{topic}': its examples need articles with and without the label '{topic}' ({positives} of {examples.Count} have it).");
            }
        }

        // Features come from the rules as they stand before any model is set, so training sees
        // the same concept features the engine computes when it decides.
        var features = examples.Select(e => engine.Features(e.Title, e.Text)).ToList();
        var labelSets = examples.Select(e => e.Labels ?? []).ToList();

        // The examples are excerpts, one story each; the articles Watcher reads are long and mix
        // stories. Each example is also learned followed by another one (its labels the union),
        // so a topic reported in one paragraph of an article about something else still counts
        // (site-wise cross-validation: divestment recall 0.83 to 0.90 at the same macro-F1).
        var random = new Random(options.Seed);
        for (var n = 0; n < examples.Count; n++)
        {
            var other = examples[random.Next(examples.Count)];
            var first = examples[n];
            features.Add(engine.Features(first.Title, first.Text + "\n" + other.Title + "\n" + other.Text));
            labelSets.Add([.. (first.Labels ?? []).Union(other.Labels ?? [])]);
        }

        var models = new List<(string Topic, LinearTopicModel Model)>();
        foreach (var topic in topicList)
        {
            var labels = labelSets.Select(l => l.Contains(topic)).ToList();
            models.Add((topic, LinearTopicModel.Train(features, labels, options)));
        }

        foreach (var (topic, model) in models)
        {
            engine.UseModel(topic, model);
        }

        return models;
    }
}
