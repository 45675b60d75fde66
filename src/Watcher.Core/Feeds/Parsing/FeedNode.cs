namespace Watcher.Feeds.Parsing;

/// <summary>
/// One element of a feed document, reduced to what feed readers look at: a name normalized the
/// way feedparser normalizes it (known namespaces mapped to their customary prefix, the feed
/// formats' own namespaces to no prefix, everything lower-cased), attributes and mixed content.
/// Both the strict and the lenient reader produce this tree, so one mapper serves both.
/// </summary>
internal sealed class FeedNode(string prefix, string localName)
{
    /// <summary>Customary prefix of the element's namespace ("" for the feed formats themselves).</summary>
    public string Prefix { get; } = prefix;

    /// <summary>Lower-cased local name.</summary>
    public string LocalName { get; } = localName;

    /// <summary><c>prefix_local</c> or <c>local</c>: the key the mapper dispatches on.</summary>
    public string Key { get; } = prefix.Length == 0 ? localName : prefix + "_" + localName;

    /// <summary>The local name as written (case kept), used when markup is re-serialized.</summary>
    public string WrittenName { get; init; } = localName;

    /// <summary>Namespace URI as declared, when one was.</summary>
    public string? NamespaceUri { get; init; }

    /// <summary>Attributes: names lower-cased, namespaced ones as <c>prefix:local</c> (<c>xml:base</c>, <c>rdf:about</c>).</summary>
    public List<KeyValuePair<string, string>> Attributes { get; } = [];

    /// <summary>Child <see cref="FeedNode"/>s and text runs (<see cref="string"/>) in document order.</summary>
    public List<object> Children { get; } = [];

    public string? Attribute(string name)
    {
        foreach (var attribute in Attributes)
        {
            if (attribute.Key == name)
            {
                return attribute.Value;
            }
        }

        return null;
    }

    public IEnumerable<FeedNode> Elements()
    {
        foreach (var child in Children)
        {
            if (child is FeedNode node)
            {
                yield return node;
            }
        }
    }

    /// <summary>All descendant text, concatenated.</summary>
    public string InnerText()
    {
        if (Children.Count == 1 && Children[0] is string only)
        {
            return only;
        }

        var builder = new System.Text.StringBuilder();
        AppendText(builder);
        return builder.ToString();
    }

    private void AppendText(System.Text.StringBuilder builder)
    {
        foreach (var child in Children)
        {
            if (child is string text)
            {
                builder.Append(text);
            }
            else
            {
                ((FeedNode)child).AppendText(builder);
            }
        }
    }

    internal void AddText(string text)
    {
        if (Children.Count > 0 && Children[^1] is string previous)
        {
            Children[^1] = previous + text;
        }
        else
        {
            Children.Add(text);
        }
    }
}
