namespace Watcher.Classification;

/// <summary>
/// Picks 2-3 sentences of the article itself, in its own language: the lead, then the strongest
/// evidence, at most <see cref="MaxLength"/> characters.
/// </summary>
public static class ExtractiveSummarizer
{
    public const int MaxLength = 400;

    public const string Name = "watcher-extractive";

    public static string Summarize(IReadOnlyList<string> sentences, IEnumerable<string> evidence)
    {
        var picked = new List<string>();
        var length = 0;
        foreach (var sentence in sentences.Take(1).Concat(evidence).Concat(sentences.Skip(1)).Distinct())
        {
            if (picked.Count == 3 || (picked.Count >= 2 && length + sentence.Length + 1 > MaxLength))
            {
                break;
            }

            if (length + sentence.Length + 1 > MaxLength)
            {
                if (picked.Count == 0)
                {
                    picked.Add(Truncate(sentence, MaxLength));
                    break;
                }

                continue;
            }

            picked.Add(sentence);
            length += sentence.Length + 1;
        }

        return string.Join(' ', picked);
    }

    private static string Truncate(string sentence, int max)
    {
        var cut = sentence.LastIndexOf(' ', max - 1);
        return sentence[..(cut > 0 ? cut : max - 1)] + "…";
    }
}
