namespace Watcher.Classification;

/// <summary>
/// Picks 2-3 sentences of the article itself, so the summary is in the article's own language:
/// the lead, then the evidence that decided the topics, then the sentences that share the most
/// words with the title; at most <see cref="MaxLength"/> characters, in the article's order.
/// </summary>
public static class ExtractiveSummarizer
{
    public const int MaxLength = 400;

    public const string Name = "watcher-extractive";

    private const int MinWords = 5;

    public static string Summarize(string title, IReadOnlyList<string> sentences, IEnumerable<string> evidence)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        return Summarize(title, sentences, sentences.Select(TextSegmenter.Words).ToList(), evidence);
    }

    /// <summary>The same, with the words of each sentence already cut by <see cref="TextSegmenter"/>.</summary>
    internal static string Summarize(string title, IReadOnlyList<string> sentences, IReadOnlyList<string[]> words, IEnumerable<string> evidence)
    {
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

            var added = candidate.Sentence.Length + (picked.Count > 0 ? 1 : 0);
            if (length + added <= MaxLength)
            {
                picked.Add(candidate);
                length += added;
            }
        }

        if (picked.Count == 0)
        {
            return Truncate(candidates[0].Sentence, MaxLength);
        }

        return string.Join(' ', picked.OrderBy(p => p.Position).Select(p => p.Sentence));
    }

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
