namespace Watcher.Configuration;

/// <summary>
/// A topic as data. The built-in topics are defined in this form in <c>watcher.defaults.json</c>;
/// a user adds a topic by adding one more entry under <c>Watcher:Topics</c>.
/// </summary>
/// <remarks>
/// <para>
/// Terms are matched against the words of a sentence, lower-cased and without accents
/// ("Financiën" is "financien"): <c>ban</c> matches the word "ban", <c>verbod*</c> any word
/// starting with "verbod", <c>*netwerk</c> any word ending in "netwerk" (Dutch compounds),
/// <c>*5g*</c> any word containing "5g". A hyphenated word also matches by its parts, so
/// <c>netwerk</c> matches "5G-netwerk". A term with spaces is a phrase, in which <c>*</c> alone
/// stands for any one word (<c>force* * to sell</c> matches "forced ByteDance to sell").
/// </para>
/// <para>
/// <c>@company</c>, <c>@country</c>, <c>@government</c> and <c>@agency</c> match a named entity
/// of that category found in the sentence (by the built-in gazetteer, or by the Azure AI
/// Language service when that backend is used).
/// </para>
/// <para>
/// A sentence is evidence when one of the topic's rules matches it: every concept group of the
/// rule has a term in that sentence (or, with <see cref="TopicRuleOptions.Proximity"/>, in a
/// neighbouring one) and none of the <see cref="NoneOf"/> terms is in the sentence. The score
/// adds up the weights of the evidence sentences (the title counts <see cref="TitleWeight"/>
/// times), then the <see cref="Signals"/> found anywhere in the article, and maps the sum to
/// 0..1 as <c>1 - exp(-0.8 × weight)</c>: one full-weight sentence scores 0.55, two 0.80.
/// </para>
/// </remarks>
public sealed class TopicOptions
{
    /// <summary>Display name, e.g. "5G bans".</summary>
    public string Name { get; set; } = "";

    /// <summary>What the topic means, for people reading or extending the configuration.</summary>
    public string? Description { get; set; }

    /// <summary>
    /// Shorthand for one rule of weight 1 with no proximity: concept groups that must all have a
    /// term in the same sentence. May be left empty when <see cref="Rules"/> are given.
    /// </summary>
    public List<List<string>> AllOf { get; set; } = [];

    /// <summary>Ways a sentence can be evidence, each with its own concept groups and weight.</summary>
    public List<TopicRuleOptions> Rules { get; set; } = [];

    /// <summary>
    /// Concept groups that must each have a term somewhere in the title or text, or the topic does
    /// not match at all (e.g. a 5G ban needs the article to be about networks).
    /// </summary>
    public List<List<string>> Context { get; set; } = [];

    /// <summary>Terms that disqualify a sentence as evidence (e.g. "spam" for blacklists).</summary>
    public List<string> NoneOf { get; set; } = [];

    /// <summary>
    /// Article-wide terms that raise (positive weight) or lower (negative weight) the score once
    /// evidence was found; each signal counts once however often its terms occur.
    /// </summary>
    public List<TopicSignalOptions> Signals { get; set; } = [];

    /// <summary>How many sentences a matching title is worth (0 ignores the title). Default 1.5.</summary>
    public double TitleWeight { get; set; } = 1.5;

    /// <summary>How many evidence sentences the verdict quotes. Default 3.</summary>
    public int MaxEvidence { get; set; } = 3;

    /// <summary>
    /// Labelled articles the topic is learned from: <c>embedded</c> for the corpus of real published
    /// articles shipped with Watcher (data/classification/real), or the path of a JSONL file of
    /// <c>{"id","title","text","labels":[...]}</c> lines, those whose labels hold the topic's id
    /// being its positive examples. A learned topic is decided by a model over the article's words
    /// and the rules' concepts; without Examples the rules alone decide and need AllOf or Rules.
    /// </summary>
    public string? Examples { get; set; }

    /// <summary>Score in 0..1 an article needs to be tagged with the topic.</summary>
    public double Threshold { get; set; } = 0.5;
}

/// <summary>One way a sentence can be evidence for a topic.</summary>
public sealed class TopicRuleOptions
{
    /// <summary>
    /// Concept groups; each needs a term in the sentence, or within <see cref="Proximity"/>
    /// sentences of it. The first group always needs its term in the sentence itself.
    /// </summary>
    public List<List<string>> AllOf { get; set; } = [];

    /// <summary>
    /// How many sentences before or after a group's term may be, so "The ministry decided on
    /// Monday. Huawei will be excluded." still counts. 0 (default) means the same sentence.
    /// </summary>
    public int Proximity { get; set; }

    /// <summary>What one matching sentence adds to the topic's weight. Default 1.</summary>
    public double Weight { get; set; } = 1;
}

/// <summary>Article-wide context that raises or lowers a topic's score.</summary>
public sealed class TopicSignalOptions
{
    /// <summary>Any of these terms anywhere in the title or text triggers the signal.</summary>
    public List<string> Terms { get; set; } = [];

    /// <summary>Added to the topic's weight when triggered; negative to argue against the topic.</summary>
    public double Weight { get; set; }
}
