using System.Security.Cryptography;
using System.Text;

namespace Watcher.Classification.Learning;

/// <summary>Where a learned topic's labelled articles come from (<see cref="Configuration.TopicOptions.Examples"/>).</summary>
internal static class TrainingExamples
{
    /// <summary>The corpus of real published articles compiled into Watcher.Core from data/classification/real.</summary>
    public const string Embedded = "embedded";

    private const string ResourcePrefix = "corpus/";

    private static readonly Lazy<string> EmbeddedText = new(ReadEmbedded);

    private static readonly Lazy<string> EmbeddedFingerprint = new(() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(EmbeddedText.Value)))[..12]);

    /// <summary>A fingerprint of the examples' text, so a verdict names the data that taught it.</summary>
    public static string Fingerprint(string examples) => examples == Embedded
        ? EmbeddedFingerprint.Value
        : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(File.ReadAllText(examples))))[..12];

    public static IReadOnlyList<LabelledArticle> Load(string examples) => LabelledArticle.ReadJsonLines(Text(examples), examples);

    private static string Text(string examples) => examples == Embedded ? EmbeddedText.Value : File.ReadAllText(examples);

    private static string ReadEmbedded()
    {
        var assembly = typeof(TrainingExamples).Assembly;
        var all = new StringBuilder();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            all.Append(reader.ReadToEnd()).Append('\n');
        }

        return all.ToString();
    }
}
