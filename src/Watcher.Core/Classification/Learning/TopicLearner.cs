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

        // Features come from the rules as they stand before any model is set, so training sees
        // the same concept features the engine computes when it decides.
        var features = examples.Select(e => engine.Features(e.Title, e.Text)).ToList();
        var models = new List<(string Topic, LinearTopicModel Model)>();
        foreach (var topic in topics)
        {
            var labels = examples.Select(e => e.Labels?.Contains(topic) == true).ToList();
            var positives = labels.Count(l => l);
            if (positives == 0 || positives == labels.Count)
            {
                throw new InvalidDataException($"Topic '{topic}': its examples need articles with and without the label '{topic}' ({positives} of {labels.Count} have it).");
            }

            models.Add((topic, LinearTopicModel.Train(features, labels, options)));
        }

        foreach (var (topic, model) in models)
        {
            engine.UseModel(topic, model);
        }

        return models;
    }
}
