using Watcher.Configuration;

namespace Watcher.Classification;

/// <summary>
/// Decides one topic from its <see cref="TopicOptions"/>: a sentence is evidence when every
/// concept group has a term in it or in the sentence after it, and none of the excluded terms
/// occurs there.
/// </summary>
internal sealed class TopicMatcher
{
    private readonly Term[][] groups;
    private readonly Term[] exclusions;

    public TopicMatcher(string id, TopicOptions options)
    {
        Id = id;
        Threshold = options.Threshold;
        groups = options.AllOf.Select(g => g.Select(Term.Parse).ToArray()).ToArray();
        exclusions = options.NoneOf.Select(Term.Parse).ToArray();
    }

    public string Id { get; }

    public double Threshold { get; }

    /// <summary>Score in 0..1 and the evidence sentences; the title counts as two sentences.</summary>
    public TopicMatch Match(string[] titleWords, string title, IReadOnlyList<(string Sentence, string[] Words)> sentences)
    {
        var evidence = new List<string>();
        var weight = 0.0;
        if (Matches(titleWords, []))
        {
            weight += 2;
            evidence.Add(title);
        }

        for (var i = 0; i < sentences.Count; i++)
        {
            var next = i + 1 < sentences.Count ? sentences[i + 1].Words : [];
            if (Matches(sentences[i].Words, next))
            {
                weight += 1;
                if (evidence.Count < 3)
                {
                    evidence.Add(sentences[i].Sentence);
                }
            }
        }

        // One sentence of evidence is a weak signal, two or a matching title a confident one.
        var score = Math.Round(1 - Math.Exp(-0.8 * weight), 3);
        return new TopicMatch(Id, score, evidence);
    }

    private bool Matches(string[] words, string[] nextWords)
    {
        if (exclusions.Any(t => t.In(words)))
        {
            return false;
        }

        return groups.All(group => group.Any(t => t.In(words) || t.In(nextWords)));
    }

    private sealed record Term(string[] Parts, bool Prefix, bool Suffix)
    {
        public static Term Parse(string text)
        {
            var value = text.Trim().ToLowerInvariant();
            var suffix = value.StartsWith('*') && value.Length > 1;
            var prefix = value.EndsWith('*') && value.Length > 1;
            return new Term(value.Trim('*').Split(' ', StringSplitOptions.RemoveEmptyEntries), prefix, suffix);
        }

        public bool In(string[] words)
        {
            for (var i = 0; i + Parts.Length <= words.Length; i++)
            {
                var matched = true;
                for (var p = 0; p < Parts.Length && matched; p++)
                {
                    matched = PartMatches(Parts[p], words[i + p], first: p == 0, last: p == Parts.Length - 1);
                }

                if (matched)
                {
                    return true;
                }
            }

            return false;
        }

        private bool PartMatches(string part, string word, bool first, bool last)
        {
            if (part == "*")
            {
                return true;
            }

            var prefix = Prefix && last;
            var suffix = Suffix && first;
            return (prefix, suffix) switch
            {
                (true, true) => word.Contains(part, StringComparison.Ordinal),
                (true, false) => word.StartsWith(part, StringComparison.Ordinal),
                (false, true) => word.EndsWith(part, StringComparison.Ordinal),
                _ => word == part,
            };
        }
    }
}
