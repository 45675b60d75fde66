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

    // Hashed from the resource streams, so a start that loads the shipped models never holds
    // the corpus text in memory.
    private static readonly Lazy<string> EmbeddedFingerprint = new(() =>
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        foreach (var name in ResourceNames())
        {
            using var stream = typeof(TrainingExamples).Assembly.GetManifestResourceStream(name)!;
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    });

    /// <summary>A fingerprint of the examples' text, so a verdict names the data that taught it.</summary>
    public static string Fingerprint(string examples) => examples == Embedded
        ? EmbeddedFingerprint.Value
        : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(File.ReadAllText(examples))))[..12];

    public static IReadOnlyList<LabelledArticle> Load(string examples) => LabelledArticle.ReadJsonLines(Text(examples), examples);

    private static string Text(string examples) => examples == Embedded ? EmbeddedText.Value : File.ReadAllText(examples);

    private static IEnumerable<string> ResourceNames() => typeof(TrainingExamples).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .Order(StringComparer.Ordinal);

    private static string ReadEmbedded()
    {
        var all = new StringBuilder();
        foreach (var name in ResourceNames())
        {
            using var stream = typeof(TrainingExamples).Assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            all.Append(reader.ReadToEnd()).Append('\n');
        }

        return all.ToString();
    }
}
