namespace Watcher.Classification;

/// <summary>
/// Tells Dutch, English, German and French apart by their most frequent function words. Written
/// by hand because no language-identification package is in this project's registry; for four
/// languages with long texts, stop-word counts are as accurate as n-gram models.
/// </summary>
public static class LanguageDetector
{
    private static readonly Dictionary<string, HashSet<string>> StopWords = new()
    {
        ["nl"] = ["de", "het", "een", "en", "van", "is", "dat", "die", "niet", "op", "te", "zijn", "voor", "met", "ook", "als", "maar", "om", "bij", "wordt", "heeft", "hebben", "er", "nog", "wel", "zou", "door", "naar", "aan", "hun", "deze", "dan", "over", "uit", "worden"],
        ["en"] = ["the", "and", "of", "to", "is", "that", "it", "for", "on", "with", "as", "was", "by", "are", "be", "this", "from", "has", "have", "its", "an", "not", "or", "which", "would", "will", "their", "after", "said", "were", "been"],
        ["de"] = ["der", "die", "das", "und", "ist", "nicht", "mit", "von", "den", "zu", "auf", "für", "sich", "dem", "ein", "eine", "auch", "es", "im", "wird", "werden", "hat", "dass", "bei", "nach", "aus", "wie", "sind"],
        ["fr"] = ["le", "la", "les", "et", "des", "est", "du", "une", "un", "que", "pour", "dans", "qui", "en", "pas", "sur", "au", "par", "avec", "ce", "sont", "aux", "ont", "été", "plus", "mais", "leur"],
    };

    private static readonly string[] Languages = [.. StopWords.Keys];

    // Each stop word with a bit per language it belongs to, so a word costs one look-up.
    private static readonly Dictionary<string, int> LanguagesOfWord = BuildLookup();

    /// <summary>Two-letter language code; <paramref name="fallback"/> (or "en") when the text is too short to tell.</summary>
    public static string Detect(string text, string? fallback = null) => Detect(TextSegmenter.Words(text), fallback);

    /// <summary>The same as <see cref="Detect(string, string?)"/> over words already cut by <see cref="TextSegmenter"/>.</summary>
    public static string Detect(IEnumerable<string> words, string? fallback = null)
    {
        ArgumentNullException.ThrowIfNull(words);
        var counts = new int[Languages.Length];
        var total = 0;
        foreach (var word in words)
        {
            total++;
            if (LanguagesOfWord.TryGetValue(word, out var mask))
            {
                for (var l = 0; l < Languages.Length; l++)
                {
                    counts[l] += (mask >> l) & 1;
                }
            }
        }

        var bestIndex = Array.IndexOf(counts, counts.Max());
        var best = counts[bestIndex];
        return best >= 3 || (total > 0 && best * 10 >= total && best > 0)
            ? Languages[bestIndex]
            : Normalize(fallback) ?? "en";
    }

    /// <summary>"nl-NL" → "nl".</summary>
    public static string? Normalize(string? language) =>
        string.IsNullOrWhiteSpace(language) ? null : language.Trim().Split('-', '_')[0].ToLowerInvariant();

    private static Dictionary<string, int> BuildLookup()
    {
        var lookup = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var l = 0; l < Languages.Length; l++)
        {
            foreach (var word in StopWords[Languages[l]])
            {
                lookup[word] = lookup.GetValueOrDefault(word) | (1 << l);
            }
        }

        return lookup;
    }
}
