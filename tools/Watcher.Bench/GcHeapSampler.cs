namespace Watcher.Bench;

/// <summary>Samples the GC heap size while a benchmark runs; the peak is what bounded memory means.</summary>
internal sealed class GcHeapSampler : IDisposable
{
    private readonly Timer timer;
    private long peak;

    public GcHeapSampler() => timer = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(50));

    public long Stop()
    {
        timer.Change(Timeout.Infinite, Timeout.Infinite);
        Sample();
        return Interlocked.Read(ref peak);
    }

    public void Dispose() => timer.Dispose();

    private void Sample()
    {
        var now = GC.GetTotalMemory(forceFullCollection: false);
        long seen;
        while (now > (seen = Interlocked.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
        {
        }
    }
}
