using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Watcher.Configuration;

namespace Watcher.Classification.Learning;

/// <summary>
/// The built-in topics' models, trained on the embedded corpus and shipped beside it
/// (builtin-topics.model), so a cold start loads them in milliseconds instead of training for most
/// of a second. They are used only when the fingerprint of what they were trained from (topic
/// definitions, corpus, training options, feature layout) matches the running configuration;
/// otherwise the classifier trains at start, so a changed rule never meets a stale model.
/// Regenerate with <c>dotnet run --project tools/Watcher.Bench -- train-model</c>; a test fails
/// while the shipped file is stale.
/// </summary>
internal static class ShippedTopicModels
{
    public const string ResourceName = "builtin-topics.model";

    // Bumped whenever ArticleFeatures or the concept features change what an index means.
    private const string FeatureLayout = "features-1";

    private static readonly TrainingOptions Options = new();

    public static string Fingerprint(string canonicalTopics, string examplesFingerprint) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{FeatureLayout}|{Options.Epochs},{Options.LearningRate},{Options.L2},{Options.Seed}|{canonicalTopics}|{examplesFingerprint}"))))[..16];

    /// <summary>Trains the models for the topics that learn from the embedded corpus and writes them with their fingerprint.</summary>
    public static void Write(Stream output, IReadOnlyDictionary<string, TopicOptions> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var learned = topics.Where(t => t.Value.Examples == TrainingExamples.Embedded).Select(t => t.Key).ToList();
        var engine = new TopicEngine(topics);
        var models = TopicLearner.Learn(engine, learned, TrainingExamples.Load(TrainingExamples.Embedded));
        using var compressed = new BrotliStream(output, CompressionLevel.SmallestSize, leaveOpen: true);
        using var writer = new BinaryWriter(compressed, Encoding.UTF8);
        writer.Write(Fingerprint(LocalClassifier.Canonical(topics), TrainingExamples.Fingerprint(TrainingExamples.Embedded)));
        writer.Write(models.Count);
        foreach (var (topic, model) in models)
        {
            writer.Write(topic);
            model.WriteTo(writer);
        }
    }

    /// <summary>The shipped models when they were trained from exactly <paramref name="fingerprint"/>, else null.</summary>
    public static IReadOnlyList<(string Topic, LinearTopicModel Model)>? TryLoad(string fingerprint)
    {
        using var stream = typeof(ShippedTopicModels).Assembly.GetManifestResourceStream(ResourceName);
        if (stream is null)
        {
            return null;
        }

        return TryRead(stream, fingerprint);
    }

    public static IReadOnlyList<(string Topic, LinearTopicModel Model)>? TryRead(Stream stream, string fingerprint)
    {
        using var decompressed = new BrotliStream(stream, CompressionMode.Decompress);
        using var reader = new BinaryReader(decompressed, Encoding.UTF8);
        if (reader.ReadString() != fingerprint)
        {
            return null;
        }

        var models = new List<(string, LinearTopicModel)>();
        for (var count = reader.ReadInt32(); count > 0; count--)
        {
            models.Add((reader.ReadString(), LinearTopicModel.ReadFrom(reader)));
        }

        return models;
    }
}
