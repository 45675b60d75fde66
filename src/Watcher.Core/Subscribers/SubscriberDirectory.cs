using System.Runtime.CompilerServices;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Options;
using Watcher.Configuration;
using Watcher.Storage;

namespace Watcher.Subscribers;

/// <summary>
/// The subscribers in effect: the configured ones with the changes they made themselves on the
/// preferences page (<c>state/subscribers/{key}.json</c>), which win over the configuration.
/// An unsubscribed address is not in effect and gets nothing more.
/// </summary>
public sealed class SubscriberDirectory(WatcherStorage storage, IOptions<WatcherOptions> options)
{
    /// <summary>Every configured subscriber who has not unsubscribed, with their own changes applied.</summary>
    public async Task<IReadOnlyList<SubscriberOptions>> ActiveAsync(CancellationToken cancellationToken)
    {
        var changes = new Dictionary<string, SubscriberPreferences>(StringComparer.Ordinal);
        await foreach (var preferences in ReadAllPreferencesAsync(cancellationToken))
        {
            changes[SubscriberKey.For(preferences.Email)] = preferences;
        }

        var active = new List<SubscriberOptions>();
        foreach (var configured in options.Value.Subscribers)
        {
            changes.TryGetValue(SubscriberKey.For(configured.Email), out var own);
            if (own is not { Unsubscribed: true })
            {
                active.Add(Apply(configured, own));
            }
        }

        return active;
    }

    /// <summary>A configured subscriber with their own changes, or null when the address is not configured.</summary>
    public async Task<Subscription?> FindAsync(string email, CancellationToken cancellationToken)
    {
        var configured = options.Value.Subscribers.FirstOrDefault(s => SubscriberKey.For(s.Email) == SubscriberKey.For(email));
        if (configured is null)
        {
            return null;
        }

        var (own, _) = await JsonBlobs.ReadAsync<SubscriberPreferences>(storage.State.GetBlobClient(PreferencesName(configured.Email)), cancellationToken);
        return new Subscription(Apply(configured, own), own?.Unsubscribed ?? false);
    }

    /// <summary>Stores a subscriber's own changes; the last write wins, as the page shows all settings at once.</summary>
    public async Task SaveAsync(SubscriberPreferences preferences, CancellationToken cancellationToken) =>
        await JsonBlobs.UpsertAsync(storage.State.GetBlobClient(PreferencesName(preferences.Email)), preferences, cancellationToken);

    private static SubscriberOptions Apply(SubscriberOptions configured, SubscriberPreferences? own) => own is null
        ? configured
        : new SubscriberOptions
        {
            Email = configured.Email,
            Name = configured.Name,
            Topics = own.Topics ?? configured.Topics,
            Schedule = own.Schedule ?? configured.Schedule,
            TimeZone = own.TimeZone ?? configured.TimeZone,
            SendAt = own.SendAt ?? configured.SendAt,
            Weekday = own.Weekday ?? configured.Weekday,
            Languages = configured.Languages,
            Keywords = configured.Keywords,
            Feeds = configured.Feeds,
            MaxItems = configured.MaxItems,
        };

    private async IAsyncEnumerable<SubscriberPreferences> ReadAllPreferencesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var blob in storage.State.GetBlobsAsync(BlobTraits.None, BlobStates.None, PreferencesPrefix, cancellationToken))
        {
            var (preferences, _) = await JsonBlobs.ReadAsync<SubscriberPreferences>(storage.State.GetBlobClient(blob.Name), cancellationToken);
            if (preferences is not null)
            {
                yield return preferences;
            }
        }
    }

    private const string PreferencesPrefix = "subscribers/";

    private static string PreferencesName(string email) => $"{PreferencesPrefix}{SubscriberKey.For(email)}.json";
}

/// <summary>A subscriber as in effect now, and whether they unsubscribed.</summary>
public sealed record Subscription(SubscriberOptions Subscriber, bool Unsubscribed);

/// <summary>
/// Changes a subscriber made on the preferences page: <c>state/subscribers/{key}.json</c>. A null
/// setting keeps the configured one.
/// </summary>
public sealed record SubscriberPreferences
{
    public int Schema { get; init; } = 1;

    public required string Email { get; init; }

    public bool Unsubscribed { get; init; }

    public List<string>? Topics { get; init; }

    public DeliverySchedule? Schedule { get; init; }

    public string? TimeZone { get; init; }

    public string? SendAt { get; init; }

    public DayOfWeek? Weekday { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}
