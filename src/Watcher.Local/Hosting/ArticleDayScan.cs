using System.Globalization;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Watcher.Storage;

namespace Watcher.Local.Hosting;

/// <summary>
/// Which day prefixes of the article blob names (<c>yyyy/MM/dd/</c>, the day an article was
/// stored) a scan for new articles lists: those from the day its last complete pass began to
/// today. The watermark is kept in storage, so a restart continues where the last pass ended;
/// without one (a new store, or one written by a build before day-named articles) the first pass
/// lists everything. The cost of a pass then depends on the days since the last one, not on
/// how much is stored.
/// </summary>
internal sealed class ArticleDayScan(BlobClient watermarkBlob, TimeProvider clock)
{
    /// <summary>
    /// How far around the watermark and now a pass also lists the neighbouring day: an article
    /// named just before midnight may be written just after (its time is taken before the write),
    /// and another machine's clock may be a little off.
    /// </summary>
    private static readonly TimeSpan DayOverlap = TimeSpan.FromHours(1);

    public async Task<ArticleScanPass> BeginAsync(CancellationToken cancellationToken)
    {
        var start = clock.GetUtcNow();
        var (watermark, _) = await JsonBlobs.ReadAsync<ScanWatermark>(watermarkBlob, cancellationToken);
        if (watermark is null)
        {
            return new ArticleScanPass(start, null);
        }

        var first = DateOnly.FromDateTime((watermark.CompleteUpTo - DayOverlap).UtcDateTime);
        var last = DateOnly.FromDateTime((start + DayOverlap).UtcDateTime);
        var days = new List<string>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            days.Add(day.ToString("yyyy'/'MM'/'dd'/'", CultureInfo.InvariantCulture));
        }

        return new ArticleScanPass(start, days);
    }

    /// <summary>Records that every article stored before <paramref name="pass"/> began has been handled.</summary>
    public async Task CompleteAsync(ArticleScanPass pass, CancellationToken cancellationToken) =>
        await JsonBlobs.UpsertAsync(watermarkBlob, new ScanWatermark(pass.Start), cancellationToken);

    private sealed record ScanWatermark(DateTimeOffset CompleteUpTo);
}

/// <summary>One pass of an <see cref="ArticleDayScan"/>: when it began, and the day prefixes it lists (null: all).</summary>
internal sealed record ArticleScanPass(DateTimeOffset Start, IReadOnlyList<string>? DayPrefixes)
{
    /// <summary>The first name a pass lists: earlier names belong to days no pass lists again.</summary>
    public string? FirstDay => DayPrefixes?[0];

    /// <summary>
    /// Lists the blobs of <paramref name="container"/> under <paramref name="prefix"/> followed
    /// by each day prefix of the pass (<c>receipts/ClassifyArticle/</c> + <c>2026/12/03/</c>).
    /// </summary>
    public async IAsyncEnumerable<BlobItem> ListAsync(BlobContainerClient container, string prefix, BlobTraits traits, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var day in DayPrefixes ?? [""])
        {
            await foreach (var blob in container.GetBlobsAsync(traits, BlobStates.None, prefix + day, cancellationToken))
            {
                yield return blob;
            }
        }
    }
}
