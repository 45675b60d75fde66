using System.Text.RegularExpressions;

namespace Watcher.Classification;

/// <summary>Splits text into sentences and lower-cased words, keeping "5G-netwerk" and "u.s." whole.</summary>
internal static partial class TextSegmenter
{
    public static IReadOnlyList<string> Sentences(string text)
    {
        var sentences = new List<string>();
        foreach (var paragraph in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            foreach (var sentence in SentenceBoundary().Split(paragraph))
            {
                var trimmed = sentence.Trim();
                if (trimmed.Length > 0)
                {
                    sentences.Add(trimmed);
                }
            }
        }

        return sentences;
    }

    public static string[] Words(string sentence) =>
        Word().Matches(sentence.ToLowerInvariant()).Select(m => m.Value.Trim('.', '-', '\'')).Where(w => w.Length > 0).ToArray();

    // A boundary is end punctuation followed by a capital or a quote, or a missing space
    // before a capital ("China.Het") as seen in scraped text.
    [GeneratedRegex(@"(?<=[.!?…])[""'”’)]?\s+(?=[\p{Lu}\d""'“‘(])|(?<=[\p{Ll}]{2}[.!?])(?=[\p{Lu}][\p{Ll}])")]
    private static partial Regex SentenceBoundary();

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}'’\-\.]*")]
    private static partial Regex Word();
}
