using Microsoft.Extensions.Options;
using Watcher.Configuration;

namespace Watcher.Digests;

/// <summary>The subscribers in effect and which of them an item is for.</summary>
public sealed class SubscriberDirectory(IOptions<WatcherOptions> options)
{
    public IReadOnlyList<SubscriberOptions> All => options.Value.Subscribers;

    public SubscriberOptions? FindByKey(string subscriberKey) =>
        All.FirstOrDefault(s => SubscriberKey.For(s.Email) == subscriberKey);

    /// <summary>Topics of <paramref name="item"/> this subscriber follows; empty when the item is not for them.</summary>
    public static IReadOnlyList<DigestItemTopic> Wanted(SubscriberOptions subscriber, DigestItem item, IEnumerable<string> sourceFeeds)
    {
        if (subscriber.Languages.Count > 0 && !subscriber.Languages.Contains(item.Language, StringComparer.OrdinalIgnoreCase))
        {
            return [];
        }

        if (subscriber.Feeds.Count > 0 && !sourceFeeds.Any(f => subscriber.Feeds.Contains(f, StringComparer.OrdinalIgnoreCase)))
        {
            return [];
        }

        if (subscriber.Keywords.Count > 0 &&
            !subscriber.Keywords.Any(k => item.Title.Contains(k, StringComparison.OrdinalIgnoreCase) || item.Summary.Contains(k, StringComparison.OrdinalIgnoreCase)))
        {
            return [];
        }

        return item.Topics.Where(t => subscriber.Topics.Contains(t.Id, StringComparer.OrdinalIgnoreCase)).ToList();
    }
}
