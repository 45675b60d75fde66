using Microsoft.Extensions.Options;
using Watcher.Configuration;
using Watcher.Storage;

namespace Watcher.Mail;

/// <summary>
/// Keeps sending within <c>Delivery:MaxPerMinute</c> and <c>Delivery:MaxPerHour</c> (Azure
/// Communication Services starts at 30 a minute and 100 an hour) across every instance: the
/// send times of the last hour live in one blob in <c>state</c>, updated with ETag concurrency.
/// </summary>
/// <remarks>
/// One small blob is enough at these rates (at most a few hundred entries) and needs nothing
/// beyond the storage account. A slot is reserved before the send and not given back when the
/// send fails, so the limiter errs on the side of sending less, never more.
/// </remarks>
public sealed class SendRateLimiter(WatcherStorage storage, IOptions<WatcherOptions> options, TimeProvider clock)
{
    private const string BlobName = "delivery/send-rate.json";

    /// <summary>Reserves one send now; null when reserved, otherwise how long to wait before trying again.</summary>
    public async Task<TimeSpan?> TryReserveAsync(CancellationToken cancellationToken)
    {
        var delivery = options.Value.Delivery;
        if (delivery.MaxPerMinute is null && delivery.MaxPerHour is null)
        {
            return null;
        }

        var blob = storage.State.GetBlobClient(BlobName);
        while (true)
        {
            var (log, etag) = await JsonBlobs.ReadAsync<SendLog>(blob, cancellationToken);
            var now = clock.GetUtcNow();
            var sends = (log?.Sends ?? []).Where(t => t > now.AddHours(-1)).Order().ToList();
            var wait = Max(WaitFor(sends, now, TimeSpan.FromMinutes(1), delivery.MaxPerMinute), WaitFor(sends, now, TimeSpan.FromHours(1), delivery.MaxPerHour));
            if (wait > TimeSpan.Zero)
            {
                return wait;
            }

            sends.Add(now);
            var updated = new SendLog { Sends = sends };
            if (log is null ? await JsonBlobs.TryCreateAsync(blob, updated, cancellationToken) : await JsonBlobs.TryReplaceAsync(blob, updated, etag, cancellationToken))
            {
                return null;
            }
        }
    }

    /// <summary>Time until the oldest send that keeps the window full leaves it.</summary>
    private static TimeSpan WaitFor(List<DateTimeOffset> sortedSends, DateTimeOffset now, TimeSpan window, int? limit)
    {
        if (limit is not { } max)
        {
            return TimeSpan.Zero;
        }

        var inWindow = sortedSends.Where(t => t > now - window).ToList();
        return inWindow.Count < max ? TimeSpan.Zero : inWindow[inWindow.Count - max] + window - now + TimeSpan.FromSeconds(1);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed record SendLog
    {
        public int Schema { get; init; } = 1;

        public required List<DateTimeOffset> Sends { get; init; }
    }
}
