using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Watcher.Classification;
using Watcher.Classification.Learning;
using Watcher.Configuration;
using Watcher.Tests.Support;

namespace Watcher.Tests.Classification;

/// <summary>
/// The built-in topics' models ship as src/Watcher.Core/Classification/Learning/builtin-topics.model
/// so a cold start does not train. This holds the file to what training on the corpus and the
/// default topics gives today. After changing either, regenerate it with
/// <c>WATCHER_WRITE_MODEL=1 dotnet test tests/Watcher.Tests --filter ShippedModelTests</c> and rebuild.
/// </summary>
public sealed class ShippedModelTests
{
    private static readonly string ModelPath = RepositoryPaths.Combine("src", "Watcher.Core", "Classification", "Learning", ShippedTopicModels.ResourceName);

    [Fact]
    public void Shipped_models_are_the_ones_training_on_the_corpus_and_the_default_topics_gives()
    {
        var topics = Classifiers.OptionsFrom("{}").Topics;
        using var fresh = new MemoryStream();
        ShippedTopicModels.Write(fresh, topics);
        if (Environment.GetEnvironmentVariable("WATCHER_WRITE_MODEL") == "1")
        {
            File.WriteAllBytes(ModelPath, fresh.ToArray());
        }

        var fingerprint = ShippedTopicModels.Fingerprint(LocalClassifier.Canonical(topics), TrainingExamples.Fingerprint(TrainingExamples.Embedded));
        Assert.True(
            ShippedTopicModels.TryLoad(fingerprint) is { Count: 3 },
            $"The embedded {ShippedTopicModels.ResourceName} was not trained from the current corpus and default topics; regenerate it (see this class) and rebuild.");

        fresh.Position = 0;
        var trained = ShippedTopicModels.TryRead(fresh, fingerprint)!;
        var shipped = ShippedTopicModels.TryLoad(fingerprint)!;
        var engine = new TopicEngine(topics);
        foreach (var item in TrainingExamples.Load(TrainingExamples.Embedded).Take(200))
        {
            var features = engine.Features(item.Title, item.Text);
            for (var t = 0; t < trained.Count; t++)
            {
                Assert.Equal(trained[t].Topic, shipped[t].Topic);
                Assert.Equal(trained[t].Model.Probability(features), shipped[t].Model.Probability(features), 0.01);
            }
        }
    }

    [Fact]
    public void A_changed_rule_makes_the_classifier_train_instead_of_using_a_stale_model()
    {
        var changed = Classifiers.OptionsFrom("""{ "Watcher": { "Topics": { "divestment": { "Threshold": 0.6 } } } }""");
        var topics = changed.Topics;

        var fingerprint = ShippedTopicModels.Fingerprint(LocalClassifier.Canonical(topics), TrainingExamples.Fingerprint(TrainingExamples.Embedded));

        Assert.Null(ShippedTopicModels.TryLoad(fingerprint));
        var classifier = new LocalClassifier(Options.Create(changed));
        Assert.NotEqual(Classifiers.Default.Version, classifier.Version);
        var verdict = classifier.Classify(new ClassificationRequest("x", "TikTok must be sold by ByteDance or banned", "The law forces ByteDance to divest TikTok within nine months or the app is banned from US app stores.", "en"));
        Assert.Contains(verdict.Topics, t => t.Id == "divestment");
    }
}
