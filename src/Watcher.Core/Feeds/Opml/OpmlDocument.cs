using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Watcher.Configuration;

namespace Watcher.Feeds.Opml;

/// <summary>One feed as an OPML outline names it.</summary>
public sealed record OpmlOutline(string Name, string Url, string? Language);

/// <summary>
/// OPML, the list format feed readers import and export: reads the feeds out of one, at any
/// depth, and writes Watcher's feeds as OPML 2.0.
/// </summary>
public static class OpmlDocument
{
    /// <summary>Every outline with an <c>xmlUrl</c>, at any depth (readers nest feeds in folders).</summary>
    /// <exception cref="XmlException">Not well-formed, or it declares a DTD (refused, like feeds).</exception>
    public static IReadOnlyList<OpmlOutline> Read(Stream opml)
    {
        using var reader = XmlReader.Create(opml, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        return XDocument.Load(reader).Descendants("outline")
            .Where(o => !string.IsNullOrWhiteSpace((string?)o.Attribute("xmlUrl")))
            .Select(o => new OpmlOutline(
                ((string?)o.Attribute("title") ?? (string?)o.Attribute("text") ?? (string)o.Attribute("xmlUrl")!).Trim(),
                ((string)o.Attribute("xmlUrl")!).Trim(),
                (string?)o.Attribute("language")))
            .ToList();
    }

    /// <summary>The feeds as an OPML 2.0 document, one <c>rss</c> outline each.</summary>
    public static XDocument Write(IEnumerable<FeedOptions> feeds, DateTimeOffset created) =>
        new(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(
                "opml",
                new XAttribute("version", "2.0"),
                new XElement("head", new XElement("title", "Watcher feeds"), new XElement("dateCreated", created.ToString("r", CultureInfo.InvariantCulture))),
                new XElement(
                    "body",
                    feeds.Select(f => new XElement(
                        "outline",
                        new XAttribute("type", "rss"),
                        new XAttribute("text", f.Name),
                        new XAttribute("title", f.Name),
                        new XAttribute("xmlUrl", f.Url),
                        f.Language is null ? null : new XAttribute("language", f.Language))))));
}
