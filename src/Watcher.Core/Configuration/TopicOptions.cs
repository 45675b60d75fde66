namespace Watcher.Configuration;

/// <summary>
/// A topic as data. The built-in topics are defined in this form in <c>watcher.defaults.json</c>;
/// a user adds a topic by adding one more entry under <c>Watcher:Topics</c>.
/// </summary>
/// <remarks>
/// Terms are matched against lower-cased words: <c>ban</c> matches the word "ban",
/// <c>verbod*</c> any word starting with "verbod", <c>*netwerk</c> any word ending in "netwerk"
/// (Dutch compounds), <c>*5g*</c> any word containing "5g"; a term with spaces is a phrase.
/// </remarks>
public sealed class TopicOptions
{
    /// <summary>Display name, e.g. "5G bans".</summary>
    public string Name { get; set; } = "";

    public string? Description { get; set; }

    /// <summary>
    /// Concept groups. A sentence is evidence for the topic when each group has a term in that
    /// sentence or in the ones next to it.
    /// </summary>
    public List<List<string>> AllOf { get; set; } = [];

    /// <summary>Terms that disqualify a sentence as evidence (e.g. "spam" for blacklists).</summary>
    public List<string> NoneOf { get; set; } = [];

    /// <summary>Score in 0..1 an article needs to be tagged with the topic.</summary>
    public double Threshold { get; set; } = 0.5;
}
