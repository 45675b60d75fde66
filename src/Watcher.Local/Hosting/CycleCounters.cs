using Watcher.Feeds;

namespace Watcher.Local.Hosting;

/// <summary>
/// What one <see cref="LocalFunctionsHost.RunOnceAsync(CycleCounters?, CancellationToken)"/> has
/// done so far. The cycle's threads add to it while a progress display reads it.
/// </summary>
internal sealed class CycleCounters : IProgress<FeedPollResult>
{
    private int feedsPolled;
    private int feedsFailed;
    private int newArticles;
    private int classified;
    private int summaries;
    private int digests;

    public int FeedsPolled => Volatile.Read(ref feedsPolled);

    public int FeedsFailed => Volatile.Read(ref feedsFailed);

    public int NewArticles => Volatile.Read(ref newArticles);

    /// <summary>Articles classified, including ones an earlier run stored and left unclassified.</summary>
    public int Classified => Volatile.Read(ref classified);

    /// <summary>Summary messages taken off the queue and delivered or made pending for a digest.</summary>
    public int Summaries => Volatile.Read(ref summaries);

    public int DigestsSent => Volatile.Read(ref digests);

    void IProgress<FeedPollResult>.Report(FeedPollResult value)
    {
        Interlocked.Increment(ref feedsPolled);
        Interlocked.Add(ref newArticles, value.NewArticles);
        if (value.Error is not null)
        {
            Interlocked.Increment(ref feedsFailed);
        }
    }

    internal void AddClassified(int count) => Interlocked.Add(ref classified, count);

    internal void AddSummaries(int count) => Interlocked.Add(ref summaries, count);

    internal void AddDigests(int count) => Interlocked.Add(ref digests, count);
}
