using System.Collections.Concurrent;

namespace Watcher.Classification;

/// <summary>
/// Every term of every topic and of the entity gazetteer, compiled once. Matching an article
/// costs one cached dictionary look-up per word, so adding topics barely slows classification.
/// </summary>
internal sealed class TermIndex
{
    // Words seen in articles follow Zipf's law: a bounded cache of which term parts each word
    // matches answers nearly every look-up after a few hundred articles and keeps memory flat.
    private const int MaxCachedWords = 200_000;

    private readonly List<TermPart> parts = [];
    private readonly Dictionary<TermPart, int> partIds = [];
    private readonly Dictionary<string, List<int>> exactParts = new(StringComparer.Ordinal);
    private readonly List<int> wildcardParts = [];
    private readonly List<TermPattern> terms = [];
    private readonly List<int[]> termParts = [];
    private readonly Dictionary<string, int> termIds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]> wordParts = new(StringComparer.Ordinal);

    public int PartCount => parts.Count;

    public int TermCount => terms.Count;

    public TermPattern Term(int id) => terms[id];

    /// <summary>Registers a term (once per distinct spelling) and returns its id.</summary>
    public int Add(TermPattern term)
    {
        if (termIds.TryGetValue(term.Source, out var existing))
        {
            return existing;
        }

        var ids = term.Parts.Select(p => p.Kind == PartKind.AnyWord ? -1 : PartId(p)).ToArray();
        terms.Add(term);
        termParts.Add(ids);
        if (!wordParts.IsEmpty)
        {
            wordParts.Clear();
        }

        termIds[term.Source] = terms.Count - 1;
        return terms.Count - 1;
    }

    public int[] PartsOfTerm(int id) => termParts[id];

    /// <summary>The ids of the term parts <paramref name="word"/> matches, by itself or by one of its hyphen-separated parts.</summary>
    public int[] PartsOfWord(string word)
    {
        if (wordParts.TryGetValue(word, out var cached))
        {
            return cached;
        }

        var found = new HashSet<int>();
        Collect(word, found);
        if (word.Contains('-', StringComparison.Ordinal))
        {
            foreach (var piece in word.Split('-', StringSplitOptions.RemoveEmptyEntries))
            {
                Collect(piece, found);
            }
        }

        var result = found.Count == 0 ? [] : found.Order().ToArray();
        if (wordParts.Count < MaxCachedWords)
        {
            wordParts.TryAdd(word, result);
        }

        return result;
    }

    private void Collect(string word, HashSet<int> found)
    {
        if (exactParts.TryGetValue(word, out var exact))
        {
            found.UnionWith(exact);
        }

        foreach (var id in wildcardParts)
        {
            if (parts[id].Matches(word))
            {
                found.Add(id);
            }
        }
    }

    private int PartId(TermPart part)
    {
        if (partIds.TryGetValue(part, out var id))
        {
            return id;
        }

        id = parts.Count;
        parts.Add(part);
        partIds[part] = id;
        if (part.Kind == PartKind.Exact)
        {
            if (!exactParts.TryGetValue(part.Text, out var list))
            {
                exactParts[part.Text] = list = [];
            }

            list.Add(id);
        }
        else
        {
            wildcardParts.Add(id);
        }

        return id;
    }
}

/// <summary>
/// One article cut into sentences (index 0 is the title) and words, with the sentences in which
/// each term occurs computed on first use.
/// </summary>
internal sealed class AnalyzedArticle
{
    private readonly TermIndex index;
    private readonly int[][] wordPartIds;
    private readonly List<int>?[] partPositions;
    private readonly bool[]?[] termSentences;
    private readonly bool[] termDone;
    private readonly Dictionary<EntityCategory, bool[]> entitySentences = [];

    public AnalyzedArticle(TermIndex index, string title, IReadOnlyList<string> bodySentences, int termCount)
    {
        this.index = index;
        Sentences = [title, .. bodySentences];
        var words = new List<string>();
        var originals = new List<string>();
        var sentenceOf = new List<int>();
        for (var s = 0; s < Sentences.Count; s++)
        {
            foreach (var (word, original) in TextSegmenter.Tokens(Sentences[s]))
            {
                words.Add(word);
                originals.Add(original);
                sentenceOf.Add(s);
            }
        }

        Words = [.. words];
        Originals = [.. originals];
        SentenceOf = [.. sentenceOf];
        wordPartIds = new int[Words.Length][];
        partPositions = new List<int>?[index.PartCount];
        for (var i = 0; i < Words.Length; i++)
        {
            var ids = index.PartsOfWord(Words[i]);
            wordPartIds[i] = ids;
            foreach (var id in ids)
            {
                (partPositions[id] ??= []).Add(i);
            }
        }

        termSentences = new bool[]?[termCount];
        termDone = new bool[termCount];
    }

    /// <summary>The title at 0, then the sentences of the text.</summary>
    public List<string> Sentences { get; }

    public string[] Words { get; }

    /// <summary>The words as written, for entity names.</summary>
    public string[] Originals { get; }

    public int[] SentenceOf { get; }

    public List<NamedEntity> Entities { get; } = [];

    /// <summary>Records an entity found in <paramref name="sentence"/>, so <c>@category</c> terms see it there.</summary>
    public void AddEntity(NamedEntity entity, EntityCategory category, int sentence)
    {
        if (!Entities.Contains(entity))
        {
            Entities.Add(entity);
        }

        if (!entitySentences.TryGetValue(category, out var hits))
        {
            entitySentences[category] = hits = new bool[Sentences.Count];
        }

        hits[sentence] = true;
    }

    /// <summary>For each sentence, whether term <paramref name="termId"/> occurs in it; null when it occurs nowhere.</summary>
    public bool[]? SentencesWith(int termId)
    {
        if (termDone[termId])
        {
            return termSentences[termId];
        }

        var term = index.Term(termId);
        bool[]? hits = null;
        if (term.Entity is { } category)
        {
            hits = entitySentences.GetValueOrDefault(category);
        }
        else
        {
            foreach (var start in PhraseStarts(termId))
            {
                (hits ??= new bool[Sentences.Count])[SentenceOf[start]] = true;
            }
        }

        termDone[termId] = true;
        termSentences[termId] = hits;
        return hits;
    }

    /// <summary>For each sentence, whether any of <paramref name="terms"/> occurs in it; null when none occurs anywhere.</summary>
    public bool[]? SentencesWithAny(int[] terms)
    {
        bool[]? union = null;
        foreach (var term in terms)
        {
            if (SentencesWith(term) is not { } hits)
            {
                continue;
            }

            union ??= new bool[Sentences.Count];
            for (var s = 0; s < hits.Length; s++)
            {
                union[s] |= hits[s];
            }
        }

        return union;
    }

    /// <summary>Word positions where term <paramref name="termId"/> starts.</summary>
    public IEnumerable<int> PhraseStarts(int termId)
    {
        var ids = index.PartsOfTerm(termId);
        if (ids.Length == 0 || partPositions[ids[0]] is not { } starts)
        {
            return [];
        }

        return PhraseStarts(ids, starts);
    }

    private IEnumerable<int> PhraseStarts(int[] ids, List<int> starts)
    {

        foreach (var start in starts)
        {
            var matched = true;
            for (var k = 1; k < ids.Length && matched; k++)
            {
                var at = start + k;
                matched = at < Words.Length
                    && SentenceOf[at] == SentenceOf[start]
                    && (ids[k] < 0 || Array.BinarySearch(wordPartIds[at], ids[k]) >= 0);
            }

            if (matched)
            {
                yield return start;
            }
        }
    }
}
