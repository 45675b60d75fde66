using System.Net;
using System.Text.RegularExpressions;

namespace Watcher.Feeds.Parsing;

/// <summary>
/// Recovers ill-formed documents the way lenient feed readers do: HTML entities that XML does not
/// define and bare ampersands are repaired first (most broken feeds break only there); what is
/// still not XML is read as tag soup, where an end tag closes the nearest open element of that
/// name, stray end tags are dropped, and elements left open close at the end of the document.
/// Written by hand because no registry package reads XML tag soup while keeping namespaces.
/// </summary>
internal static partial class LenientXmlReader
{
    private const int MaxExpandedCharacters = 64 * 1024;

    private static readonly HashSet<string> XmlEntities = ["amp", "lt", "gt", "quot", "apos"];

    /// <summary>
    /// The document with every entity reference XML would reject replaced by a character
    /// reference (HTML entities) or escaped (unknown names, bare ampersands); CDATA sections and
    /// comments are left as they are. Entities a DTD declares are escaped too, never expanded.
    /// </summary>
    public static string RepairEntities(string text)
    {
        var declared = DeclaredLiteralEntities(text);
        var expanded = 0;
        return ProtectedSections().Replace(text, match => match.Groups["protected"].Success
            ? match.Value
            : EntityReference().Replace(match.Value, Repair));

        string Repair(Match reference)
        {
            if (!reference.Groups["name"].Success)
            {
                return reference.Value.Length > 1 ? reference.Value : "&amp;";
            }

            var name = reference.Groups["name"].Value;
            if (XmlEntities.Contains(name))
            {
                return reference.Value;
            }

            // Declared literals are expanded only up to a budget, so that many references to one
            // large literal (the "quadratic blowup" attack) cannot inflate the document.
            if (declared.TryGetValue(name, out var literal) && (expanded += literal.Length) <= MaxExpandedCharacters)
            {
                return WebUtility.HtmlEncode(literal);
            }

            var decoded = WebUtility.HtmlDecode(reference.Value);
            return decoded != reference.Value ? $"&#{char.ConvertToUtf32(decoded, 0)};" : "&amp;" + name + ";";
        }
    }

    /// <summary>
    /// Entities the internal DTD subset declares as plain literals (<c>&lt;!ENTITY id "tag:example.com,"&gt;</c>).
    /// Only literals without references, markup or parameter entities qualify: they cannot nest
    /// (no billion laughs) and name no external resource (no XXE).
    /// </summary>
    private static Dictionary<string, string> DeclaredLiteralEntities(string text)
    {
        var entities = new Dictionary<string, string>(StringComparer.Ordinal);
        var doctype = text.IndexOf("<!DOCTYPE", StringComparison.OrdinalIgnoreCase);
        if (doctype < 0)
        {
            return entities;
        }

        var subsetEnd = text.IndexOf("]>", doctype, StringComparison.Ordinal);
        if (subsetEnd < 0)
        {
            return entities;
        }

        foreach (Match declaration in LiteralEntity().Matches(text[doctype..subsetEnd]))
        {
            entities.TryAdd(declaration.Groups["name"].Value, declaration.Groups["value"].Value);
        }

        return entities;
    }

    /// <summary>Reads any markup into a tree; throws only for nesting deeper than <see cref="XmlTreeReader.MaxDepth"/>.</summary>
    public static FeedTree Read(string text)
    {
        var root = new FeedNode("", "#document");
        var open = new List<(FeedNode Node, string QualifiedName, Dictionary<string, string>? Namespaces)>();
        string? formatNamespace = null;
        var position = 0;
        while (position < text.Length)
        {
            var lt = text.IndexOf('<', position);
            if (lt < 0)
            {
                AddText(text[position..]);
                break;
            }

            if (lt > position)
            {
                AddText(text[position..lt]);
            }

            position = ReadMarkup(lt);
        }

        var first = root.Elements().FirstOrDefault() ?? new FeedNode("", "#empty");
        return new FeedTree(first, formatNamespace);

        void AddText(string run)
        {
            if (open.Count > 0)
            {
                open[^1].Node.AddText(WebUtility.HtmlDecode(run));
            }
        }

        int ReadMarkup(int at)
        {
            if (string.CompareOrdinal(text, at, "<!--", 0, 4) == 0)
            {
                return SkipPast(at + 4, "-->");
            }

            if (string.CompareOrdinal(text, at, "<![CDATA[", 0, 9) == 0)
            {
                var end = text.IndexOf("]]>", at + 9, StringComparison.Ordinal);
                var content = end < 0 ? text[(at + 9)..] : text[(at + 9)..end];
                if (open.Count > 0)
                {
                    open[^1].Node.AddText(content);
                }

                return end < 0 ? text.Length : end + 3;
            }

            if (at + 1 < text.Length && text[at + 1] == '!')
            {
                return SkipDeclaration(at);
            }

            if (at + 1 < text.Length && text[at + 1] == '?')
            {
                return SkipPast(at + 2, "?>");
            }

            var tag = Tag().Match(text, at);
            if (!tag.Success)
            {
                AddText("<");
                return at + 1;
            }

            var name = tag.Groups["name"].Value;
            if (tag.Groups["end"].Success)
            {
                var index = open.FindLastIndex(e => string.Equals(e.QualifiedName, name, StringComparison.OrdinalIgnoreCase));
                if (index >= 0)
                {
                    open.RemoveRange(index, open.Count - index);
                }

                return at + tag.Length;
            }

            var attributes = new List<KeyValuePair<string, string>>();
            Dictionary<string, string>? declared = null;
            foreach (Match attribute in Attribute().Matches(tag.Groups["attributes"].Value))
            {
                var attributeName = attribute.Groups["name"].Value;
                var value = WebUtility.HtmlDecode(attribute.Groups["dq"].Success ? attribute.Groups["dq"].Value
                    : attribute.Groups["sq"].Success ? attribute.Groups["sq"].Value
                    : attribute.Groups["bare"].Success ? attribute.Groups["bare"].Value
                    : attributeName);
                if (attributeName.Equals("xmlns", StringComparison.OrdinalIgnoreCase) || attributeName.StartsWith("xmlns:", StringComparison.OrdinalIgnoreCase))
                {
                    var declaredPrefix = attributeName.Length > 5 ? attributeName[6..] : "";
                    (declared ??= [])[declaredPrefix] = value;
                    formatNamespace ??= XmlTreeReader.FormatNamespace(value, declaredPrefix.Length == 0);
                    continue;
                }

                attributes.Add(new(attributeName, value));
            }

            var (prefix, local) = Split(name);
            var uri = Lookup(prefix, declared);
            var node = new FeedNode(uri is null ? prefix.ToLowerInvariant() : FeedNamespaces.PrefixFor(uri, prefix), local.ToLowerInvariant())
            {
                WrittenName = local,
                NamespaceUri = uri,
            };
            foreach (var (attributeName, value) in attributes)
            {
                var (attributePrefix, attributeLocal) = Split(attributeName);
                var attributeUri = attributePrefix.Length == 0 ? null : attributePrefix.Equals("xml", StringComparison.OrdinalIgnoreCase) ? FeedNamespaces.Xml : Lookup(attributePrefix, declared);
                var normalizedPrefix = attributePrefix.Length == 0 ? "" : attributeUri is null ? attributePrefix.ToLowerInvariant() : FeedNamespaces.PrefixFor(attributeUri, attributePrefix);
                node.Attributes.Add(new(normalizedPrefix.Length == 0 ? attributeLocal.ToLowerInvariant() : normalizedPrefix + ":" + attributeLocal.ToLowerInvariant(), value));
            }

            (open.Count > 0 ? open[^1].Node : root).Children.Add(node);
            if (!tag.Groups["selfclosing"].Success)
            {
                if (open.Count >= XmlTreeReader.MaxDepth)
                {
                    throw XmlTreeReader.TooDeep();
                }

                open.Add((node, name, declared));
            }

            return at + tag.Length;
        }

        string? Lookup(string prefix, Dictionary<string, string>? declared)
        {
            if (declared is not null && declared.TryGetValue(prefix, out var here))
            {
                return here;
            }

            for (var i = open.Count - 1; i >= 0; i--)
            {
                if (open[i].Namespaces is { } scope && scope.TryGetValue(prefix, out var uri))
                {
                    return uri;
                }
            }

            return null;
        }

        int SkipPast(int from, string terminator)
        {
            var end = text.IndexOf(terminator, from, StringComparison.Ordinal);
            return end < 0 ? text.Length : end + terminator.Length;
        }

        int SkipDeclaration(int at)
        {
            var depth = 0;
            for (var i = at + 2; i < text.Length; i++)
            {
                switch (text[i])
                {
                    case '[':
                        depth++;
                        break;
                    case ']':
                        depth--;
                        break;
                    case '>' when depth <= 0:
                        return i + 1;
                }
            }

            return text.Length;
        }
    }

    private static (string Prefix, string Local) Split(string qualifiedName)
    {
        var colon = qualifiedName.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? ("", qualifiedName) : (qualifiedName[..colon], qualifiedName[(colon + 1)..]);
    }

    [GeneratedRegex(@"(?<protected><!\[CDATA\[.*?(?:\]\]>|$)|<!--.*?(?:-->|$))|[^<]+|<", RegexOptions.Singleline)]
    private static partial Regex ProtectedSections();

    [GeneratedRegex(@"<!ENTITY\s+(?<name>[A-Za-z_][\w.\-]*)\s+(?:""(?<value>[^""&%<]*)""|'(?<value>[^'&%<]*)')\s*>")]
    private static partial Regex LiteralEntity();

    [GeneratedRegex(@"&(?:(?<name>[A-Za-z][A-Za-z0-9]*);|#[0-9]+;|#[xX][0-9A-Fa-f]+;)?")]
    private static partial Regex EntityReference();

    [GeneratedRegex(@"\G<(?<end>/)?(?<name>[A-Za-z_][\w:.\-]*)(?<attributes>(?:[^>""']|""[^""]*""|'[^']*')*?)(?<selfclosing>/)?\s*>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"(?<name>[^\s=/""'>]+)(?:\s*=\s*(?:""(?<dq>[^""]*)""|'(?<sq>[^']*)'|(?<bare>[^\s>]+)))?")]
    private static partial Regex Attribute();
}
