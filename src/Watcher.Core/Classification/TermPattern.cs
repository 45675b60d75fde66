namespace Watcher.Classification;

/// <summary>How one word of a term matches a word of the text.</summary>
internal enum PartKind
{
    Exact,
    Prefix,
    Suffix,
    Contains,
    AnyWord,
}

/// <summary>One word of a term: "verbod*" is a prefix, "*netwerk" a suffix, "*5g*" contains, "*" any word.</summary>
internal readonly record struct TermPart(string Text, PartKind Kind)
{
    public bool Matches(string word) => Kind switch
    {
        PartKind.Exact => word == Text,
        PartKind.Prefix => word.StartsWith(Text, StringComparison.Ordinal),
        PartKind.Suffix => word.EndsWith(Text, StringComparison.Ordinal),
        PartKind.Contains => word.Contains(Text, StringComparison.Ordinal),
        _ => true,
    };
}

/// <summary>A parsed term of a topic definition: a phrase of <see cref="TermPart"/>s or an entity category.</summary>
internal sealed record TermPattern(string Source, TermPart[] Parts, EntityCategory? Entity)
{
    /// <summary>Parses a term as described on <see cref="Configuration.TopicOptions"/>; null and a reason when it is not valid.</summary>
    public static TermPattern? Parse(string? source, out string? error)
    {
        error = null;
        var text = source?.Trim() ?? "";
        if (text.Length == 0)
        {
            error = "a term is empty.";
            return null;
        }

        if (text.StartsWith('@'))
        {
            if (Enum.TryParse<EntityCategory>(text[1..], ignoreCase: true, out var category) && Enum.IsDefined(category))
            {
                return new TermPattern(text, [], category);
            }

            error = $"'{text}' is not an entity category; use {string.Join(", ", Enum.GetNames<EntityCategory>().Select(n => "@" + n.ToLowerInvariant()))}.";
            return null;
        }

        var parts = new List<TermPart>();
        foreach (var raw in text.Split([' ', '\'', '’'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw == "*")
            {
                parts.Add(new TermPart("*", PartKind.AnyWord));
                continue;
            }

            var leading = raw.StartsWith('*');
            var trailing = raw.EndsWith('*');
            // Apostrophes split words in the text ("Huawei's", "l'opérateur"), so they do here too.
            var core = TextSegmenter.Normalize(raw.Trim('*'));
            if (core.Length == 0 || core.Contains('*', StringComparison.Ordinal))
            {
                error = $"'{text}': '*' may only start or end a word, or stand alone in a phrase.";
                return null;
            }

            core = core.TrimEnd('.', '-');
            parts.Add(new TermPart(core, (leading, trailing) switch
            {
                (true, true) => PartKind.Contains,
                (false, true) => PartKind.Prefix,
                (true, false) => PartKind.Suffix,
                _ => PartKind.Exact,
            }));
        }

        if (parts.All(p => p.Kind == PartKind.AnyWord))
        {
            error = $"'{text}' would match any word.";
            return null;
        }

        if (parts[0].Kind == PartKind.AnyWord || parts[^1].Kind == PartKind.AnyWord)
        {
            error = $"'{text}': a phrase may not start or end with '*' alone.";
            return null;
        }

        return new TermPattern(text, [.. parts], null);
    }
}
