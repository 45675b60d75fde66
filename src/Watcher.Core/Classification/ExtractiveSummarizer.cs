namespace Watcher.Classification;

/// <summary>
/// Picks 2-3 sentences of the article itself, so the summary is in the article's own language:
/// the lead, then the evidence that decided the topics, then the sentences that share the most
/// words with the title; at most <see cref="MaxLength"/> characters, in the article's order.
/// A sentence that leans on the one before it ("Dat laatste…", "Het bedrijf is…", "It also…")
/// is taken only after that one, so a summary never starts mid-thought.
/// </summary>
public static class ExtractiveSummarizer
{
    public const int MaxLength = 400;

    public const string Name = "watcher-extractive";

    private const int MinWords = 5;

    /// <summary>The summary; <paramref name="language"/> (when known) decides the openers that only lean in it, such as Dutch "Die".</summary>
    public static string Summarize(string title, IReadOnlyList<string> sentences, IEnumerable<string> evidence, string? language = null)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        return Summarize(title, sentences, sentences.Select(TextSegmenter.Words).ToList(), evidence, language);
    }

    /// <summary>The same, with the words of each sentence already cut by <see cref="TextSegmenter"/>.</summary>
    internal static string Summarize(string title, IReadOnlyList<string> sentences, IReadOnlyList<string[]> words, IEnumerable<string> evidence, string? language)
    {
        bool Leans(string[] sentence) => LeansOnWhatCameBefore(sentence, language);
        // Cross-headings ("Leger", "Nog geen beslissing") and datelines carry no content.
        var candidates = sentences
            .Select((sentence, position) => (Sentence: sentence, Position: position))
            .Where(c => words[c.Position].Length >= MinWords)
            .ToList();
        if (candidates.Count == 0)
        {
            return Truncate(sentences.Count > 0 ? string.Join(' ', sentences) : title, MaxLength);
        }

        var titleWords = TextSegmenter.Words(title).Where(w => w.Length > 3).ToHashSet(StringComparer.Ordinal);
        var evidenceSet = evidence.ToHashSet(StringComparer.Ordinal);
        var ranked = candidates
            .OrderByDescending(c => c.Position == candidates[0].Position ? 2 : 0)
            .ThenByDescending(c => evidenceSet.Contains(c.Sentence) ? 1 : 0)
            .ThenByDescending(c => words[c.Position].Count(titleWords.Contains))
            .ThenBy(c => c.Position)
            .ToList();

        var picked = new List<(string Sentence, int Position)>();
        var length = 0;
        foreach (var candidate in ranked)
        {
            if (picked.Count == 3)
            {
                break;
            }

            if (Leans(words[candidate.Position]) && !picked.Any(p => p.Position == candidate.Position - 1))
            {
                continue;
            }

            var added = candidate.Sentence.Length + (picked.Count > 0 ? 1 : 0);
            if (length + added <= MaxLength)
            {
                picked.Add(candidate);
                length += added;
            }
        }

        if (picked.Count == 0)
        {
            return Truncate(candidates.FirstOrDefault(c => !Leans(words[c.Position])).Sentence ?? candidates[0].Sentence, MaxLength);
        }

        return string.Join(' ', picked.OrderBy(p => p.Position).Select(p => p.Sentence));
    }

    /// <summary>
    /// Openers that refer back (pronouns, demonstratives, "also", "however", "the company") in the
    /// four languages Watcher is tuned for; words that are also an article in another of them
    /// ("die", "das") are left out, so "Die Regierung…" still opens a summary. Hand-listed: no library here resolves anaphora, and a
    /// short list of sentence openers is what the failure looks like in practice.
    /// </summary>
    private static readonly HashSet<string> LeaningOpeners = new(StringComparer.Ordinal)
    {
        // nl
        "dat", "dit", "deze", "daar", "daarom", "daarnaast", "bovendien", "ook", "maar", "toch", "hij", "zij", "ze", "hun", "al",
        // en
        "this", "that", "these", "those", "it", "its", "he", "she", "they", "their", "also", "however", "but", "such",
        // de
        "dies", "diese", "dieser", "dieses", "er", "sie", "auch", "aber", "jedoch", "damit", "dabei",
        // fr
        "cela", "ce", "cette", "ces", "il", "elle", "ils", "elles", "aussi", "mais", "cependant", "celui", "celle",
    };

    private static readonly HashSet<string> LeaningNouns = new(StringComparer.Ordinal)
    {
        "bedrijf", "concern", "company", "firm", "group", "unternehmen", "konzern", "entreprise", "groupe", "société",
    };

    private static bool LeansOnWhatCameBefore(string[] words, string? language) =>
        words.Length > 0 && (LeaningOpeners.Contains(words[0].ToLowerInvariant())
            || (language == "nl" && words[0].Equals("die", StringComparison.OrdinalIgnoreCase))
            || (words.Length > 1 && words[0].ToLowerInvariant() is "het" or "the" or "das" or "der" or "le" or "la" or "l" && LeaningNouns.Contains(words[1].ToLowerInvariant())));

    private static string Truncate(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var cut = text.LastIndexOf(' ', max - 2);
        return text[..(cut > 0 ? cut : max - 1)] + "…";
    }
}
