using System.Collections.Concurrent;

namespace Watcher.Feeds.Fetching;

/// <summary>
/// Politeness per site: at most a few requests at once to one host and port, and a minimum time
/// between the starts of two requests there, so a site with forty feeds sees a trickle instead
/// of a burst. Time is measured with <see cref="TimeProvider.GetTimestamp"/> so a test clock that
/// freezes wall time does not freeze the throttle.
/// </summary>
internal sealed class HostThrottle(int maxConcurrentPerHost, TimeSpan minInterval, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, HostSlot> hosts = new(StringComparer.OrdinalIgnoreCase);

    public async Task<IDisposable> AcquireAsync(Uri url, CancellationToken cancellationToken)
    {
        var slot = hosts.GetOrAdd($"{url.IdnHost}:{url.Port}", _ => new HostSlot(maxConcurrentPerHost));
        await slot.Gate.WaitAsync(cancellationToken);
        try
        {
            TimeSpan wait;
            lock (slot)
            {
                var now = clock.GetTimestamp();
                var start = Math.Max(now, slot.NextStart);
                slot.NextStart = start + (long)(minInterval.TotalSeconds * clock.TimestampFrequency);
                wait = clock.GetElapsedTime(now, start);
            }

            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, cancellationToken);
            }

            return new Lease(slot.Gate);
        }
        catch
        {
            slot.Gate.Release();
            throw;
        }
    }

    private sealed class HostSlot(int maxConcurrent)
    {
        public SemaphoreSlim Gate { get; } = new(maxConcurrent, maxConcurrent);

        public long NextStart { get; set; }
    }

    private sealed class Lease(SemaphoreSlim gate) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
