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

    /// <summary>Two-letter language code; <paramref name="fallback"/> (or "en") when the text is too short to tell.</summary>
    public static string Detect(string text, string? fallback = null)
    {
        var counts = StopWords.Keys.ToDictionary(k => k, _ => 0);
        var total = 0;
        foreach (var word in TextSegmenter.Words(text))
        {
            total++;
            foreach (var (language, words) in StopWords)
            {
                if (words.Contains(word))
                {
                    counts[language]++;
                }
            }
        }

        var best = counts.MaxBy(c => c.Value);
        return best.Value >= 3 || (total > 0 && best.Value * 10 >= total && best.Value > 0)
            ? best.Key
            : Normalize(fallback) ?? "en";
    }

    /// <summary>"nl-NL" → "nl".</summary>
    public static string? Normalize(string? language) =>
        string.IsNullOrWhiteSpace(language) ? null : language.Trim().Split('-', '_')[0].ToLowerInvariant();
}
