using System.Globalization;
using System.Text;

namespace Watcher.Articles;

/// <summary>
/// A MinHash signature of an article's words, for recognising the same story told by several
/// sites. Shingles are the distinct words of four letters or more of title and text (accents
/// removed), so a rewritten press release or a lightly edited wire copy keeps most of them while
/// small function words, which differ per language and tell nothing, drop out; the labelled pairs
/// in the tests fixed that choice. The first <see cref="Bands"/> x <see cref="Rows"/> values are
/// cut into bands: two articles sharing any band are candidates (locality-sensitive hashing),
/// confirmed when the similarity estimated from all <see cref="Length"/> values reaches
/// <see cref="SameStoryThreshold"/>. A pair at the threshold shares a band with a probability of
/// about 0.8 (0.95 from a similarity of 0.56).
/// The hashing is written out here because it is a few lines and its values must never change
/// between versions: signatures are stored in the story log.
/// </summary>
public static class StorySignature
{
    public const int Bands = 8;
    public const int Rows = 2;
    public const int Length = 48;
    public const int MinWordLength = 4;

    /// <summary>Estimated Jaccard similarity of the word sets from which two articles count as the same story.</summary>
    public const double SameStoryThreshold = 0.42;

    private static readonly (ulong A, ulong B)[] Permutations = CreatePermutations();

    /// <summary>The signature, or null when the text has too few words to compare.</summary>
    public static uint[]? Compute(string title, string text)
    {
        var words = Words(title + " " + text);
        if (words.Count < 5)
        {
            return null;
        }

        var signature = new uint[Length];
        Array.Fill(signature, uint.MaxValue);
        foreach (var word in words)
        {
            var hash = Fnv1a(word);
            for (var i = 0; i < Length; i++)
            {
                var value = (uint)(((Permutations[i].A * hash) + Permutations[i].B) >> 32);
                if (value < signature[i])
                {
                    signature[i] = value;
                }
            }
        }

        return signature;
    }

    /// <summary>Estimated Jaccard similarity: the share of positions where both signatures agree.</summary>
    public static double Similarity(IReadOnlyList<uint> a, IReadOnlyList<uint> b)
    {
        if (a.Count != Length || b.Count != Length)
        {
            return 0;
        }

        var equal = 0;
        for (var i = 0; i < Length; i++)
        {
            if (a[i] == b[i])
            {
                equal++;
            }
        }

        return (double)equal / Length;
    }

    /// <summary>One key per band: <c>{band}/{hash of its rows}</c>.</summary>
    public static IEnumerable<string> BandKeys(IReadOnlyList<uint> signature)
    {
        for (var band = 0; band < Bands; band++)
        {
            var hash = 14695981039346656037UL;
            for (var row = 0; row < Rows; row++)
            {
                hash = (hash ^ signature[(band * Rows) + row]) * 1099511628211UL;
            }

            yield return $"{band:00}/{hash:x16}";
        }
    }

    internal static HashSet<string> Words(string text)
    {
        var folded = text.Normalize(NormalizationForm.FormD);
        var words = new HashSet<string>(StringComparer.Ordinal);
        var word = new StringBuilder();
        foreach (var c in folded)
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                Flush();
            }
        }

        Flush();
        return words;

        void Flush()
        {
            if (word.Length >= MinWordLength)
            {
                words.Add(word.ToString());
            }

            word.Clear();
        }
    }

    private static ulong Fnv1a(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    // Fixed seeds (SplitMix64), so signatures stored by one version match those of the next.
    private static (ulong A, ulong B)[] CreatePermutations()
    {
        var state = 0x5EED_0F_57_0E1E5UL;
        ulong Next()
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        var permutations = new (ulong, ulong)[Length];
        for (var i = 0; i < Length; i++)
        {
            permutations[i] = (Next() | 1, Next());
        }

        return permutations;
    }
}
