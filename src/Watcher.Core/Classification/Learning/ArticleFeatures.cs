namespace Watcher.Classification.Learning;

/// <summary>
/// An article as the learned topic models see it: hashed word, word-pair and character features
/// (sparse, log-scaled and length-normalized) plus the rule engine's per-topic concept features
/// (dense). Each sparse feature remembers the sentences it came from, so a model's weights can be
/// traced back to the sentences that decided a topic.
/// </summary>
internal sealed class ArticleFeatures
{
    /// <summary>Hashed feature space: 2^18 weights per topic (1 MiB), few collisions for news vocabulary.</summary>
    public const int HashBits = 18;

    public const int HashSize = 1 << HashBits;

    private const int CharGram = 4;

    private ArticleFeatures(int[] indices, float[] values, int[] occurrenceStarts, int[] occurrenceSentences, double[] dense)
    {
        Indices = indices;
        Values = values;
        OccurrenceStarts = occurrenceStarts;
        OccurrenceSentences = occurrenceSentences;
        Dense = dense;
    }

    /// <summary>Hashed feature indices, each once.</summary>
    public int[] Indices { get; }

    /// <summary>Value of each index: log(1 + count), the whole vector of unit length.</summary>
    public float[] Values { get; }

    /// <summary>
    /// The sentences (0 is the title) of the occurrences of feature <c>i</c> are
    /// <c>OccurrenceSentences[OccurrenceStarts[i]..OccurrenceStarts[i + 1]]</c>.
    /// </summary>
    public int[] OccurrenceStarts { get; }

    public int[] OccurrenceSentences { get; }

    /// <summary>Concept features from the topic rules (rule scores, which concept groups occur).</summary>
    public double[] Dense { get; }

    public static ArticleFeatures Compute(string[] words, int[] sentenceOf, double[] dense)
    {
        // Each occurrence is one long, feature above sentence, so one sort groups the features
        // with their sentences in order: no dictionary or list per feature on the hot path.
        var occurrences = new List<long>(words.Length * 8);
        void Add(uint hash, int sentence) => occurrences.Add(((long)Bucket(hash) << 32) | (uint)sentence);

        Span<char> padded = stackalloc char[66];
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            var sentence = sentenceOf[i];
            var unigram = Hash(1, word);
            Add(unigram, sentence);
            if (sentence == 0)
            {
                // Headline words are a feature of their own: a headline says what the story is.
                Add(Mix(unigram, 7), sentence);
            }

            if (i + 1 < words.Length && sentenceOf[i + 1] == sentence)
            {
                Add(Mix(unigram, Hash(2, words[i + 1])), sentence);
            }

            // Character 4-grams of the padded word carry compounds and inflections ("5g-netz",
            // "huawei-verbot", "désinvestissement") that a word feature sees only verbatim.
            if (word.Length >= CharGram && word.Length <= 64)
            {
                padded[0] = '<';
                word.AsSpan().CopyTo(padded[1..]);
                padded[word.Length + 1] = '>';
                var gramCount = word.Length + 2 - CharGram + 1;
                for (var g = 0; g < gramCount; g++)
                {
                    Add(Hash(3, padded.Slice(g, CharGram)), sentence);
                }
            }
        }

        var sorted = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(occurrences);
        sorted.Sort();
        var distinct = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i == 0 || sorted[i] >> 32 != sorted[i - 1] >> 32)
            {
                distinct++;
            }
        }

        var indices = new int[distinct];
        var values = new float[distinct];
        var starts = new int[distinct + 1];
        var sentences = new int[sorted.Length];
        var n = -1;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i == 0 || sorted[i] >> 32 != sorted[i - 1] >> 32)
            {
                n++;
                indices[n] = (int)(sorted[i] >> 32);
                starts[n] = i;
            }

            sentences[i] = (int)(sorted[i] & 0xffffffff);
        }

        starts[distinct] = sorted.Length;
        var norm = 0.0;
        for (var f = 0; f < distinct; f++)
        {
            values[f] = MathF.Log(1 + starts[f + 1] - starts[f]);
            norm += values[f] * values[f];
        }

        if (norm > 0)
        {
            var scale = (float)(1 / Math.Sqrt(norm));
            for (var f = 0; f < distinct; f++)
            {
                values[f] *= scale;
            }
        }

        return new ArticleFeatures(indices, values, starts, sentences, dense);
    }

    private static int Bucket(uint hash) => (int)(hash & (HashSize - 1));

    // FNV-1a: stable across processes and runtimes, unlike string.GetHashCode, so a trained model
    // means the same thing in every process that loads it.
    private static uint Hash(uint kind, ReadOnlySpan<char> text)
    {
        var hash = 2166136261u ^ kind;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }

    private static uint Mix(uint a, uint b) => (a ^ (b + 0x9e3779b9u + (a << 6) + (a >> 2))) * 16777619u;
}
