using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Watcher.Classification;

/// <summary>
/// Splits text into sentences and words. Words are lower-cased without accents, keep "5g-netwerk"
/// and "u.s" whole, and split at apostrophes ("l'opérateur", "Huawei's").
/// </summary>
public static partial class TextSegmenter
{
    public static List<string> Sentences(string text)
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

    /// <summary>The words of <paramref name="sentence"/>, normalized, with the original spelling beside each.</summary>
    public static List<(string Word, string Original)> Tokens(string sentence)
    {
        var tokens = new List<(string, string)>();
        foreach (var match in Word().EnumerateMatches(sentence))
        {
            var original = sentence.Substring(match.Index, match.Length).TrimEnd('.', '-');
            if (original.Length > 0)
            {
                tokens.Add((Normalize(original), original));
            }
        }

        return tokens;
    }

    public static string[] Words(string sentence) => Tokens(sentence).Select(t => t.Word).ToArray();

    /// <summary>Lower case without diacritics, so "Financiën" and "financien" are one word.</summary>
    public static string Normalize(string word)
    {
        var lower = word.ToLowerInvariant();
        if (IsAscii(lower))
        {
            return lower;
        }

        var decomposed = lower.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(c == 'ß' ? "ss" : c.ToString());
            }
        }

        return builder.ToString().Normalize(NormalizationForm.FormC);
    }

    private static bool IsAscii(string text)
    {
        foreach (var c in text)
        {
            if (c > '\u007f')
            {
                return false;
            }
        }

        return true;
    }

    // A boundary is end punctuation followed by a capital or a quote, or a missing space before a
    // capital ("China.Het") as seen in scraped text; not after "U.S." or a one-letter initial.
    [GeneratedRegex(@"(?<![\s.]\p{Lu}\.|\b(?:Mr|Mrs|Ms|Dr|St|Corp|Inc|Co|Jr|dhr|mr|mevr|bijv|o\.a|ca|nr)\.)(?<=[.!?…])[""'”’)]?\s+(?=[\p{Lu}\d""'“‘(])|(?<=[\p{Ll}]{2}[.!?])(?=[\p{Lu}][\p{Ll}])")]
    private static partial Regex SentenceBoundary();

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}\p{Mn}\-\.&]*")]
    private static partial Regex Word();
}
