using System.Buffers.Binary;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Configuration;
using Watcher.Storage;

namespace Watcher.Articles;

/// <summary>
/// Finds the first article of the same story among recent ones. Each article appends one line
/// (id, time, <see cref="StorySignature"/>) to the day's story log, the append blob
/// <c>state/similar/{yyyy-MM-dd}.log</c>. The storage service gives every append its own offset,
/// so the lines before an article's own are exactly the articles registered before it, in the
/// same order for every instance: each instance reads the logs incrementally into memory, finds
/// candidates through the signature's bands and confirms them by the full signatures, and so
/// reaches the same story for every line. An article costs one append and one read of what was
/// appended since this instance last looked, whatever the number of stories; lines older than
/// <see cref="FetchOptions.SimilarStoryWindow"/> are not matched.
/// </summary>
public sealed class SimilarStoryIndex(WatcherStorage storage, IOptions<WatcherOptions> options, ILogger<SimilarStoryIndex> logger) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);

    // Guarded by the gate: what this instance has read of each day's log, and every line read.
    private readonly Dictionary<DateOnly, DayLog> logs = [];
    private readonly Dictionary<string, List<Entry>> byBand = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> byArticle = new(StringComparer.Ordinal);

    /// <summary>The id of the first article of the same story, or null when this one is the first.</summary>
    public async Task<string?> FindOrRegisterAsync(string articleId, uint[] signature, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        var log = storage.State.GetAppendBlobClient(LogName(day));
        var line = JsonSerializer.SerializeToUtf8Bytes(new LogLine(articleId, now, EncodeSignature(signature)), JsonBlobs.SerializerOptions);
        Array.Resize(ref line, line.Length + 1);
        line[^1] = (byte)'\n';

        long end;
        try
        {
            end = await AppendAsync(log, line, cancellationToken);
        }
        catch (RequestFailedException e) when (e.ErrorCode == BlobErrorCode.BlockCountExceedsLimit)
        {
            // 50,000 appends in one day: later articles of that day are not linked, nothing else fails.
            logger.LogWarning("The story log {Log} is full; article {ArticleId} is not compared with other stories", log.Name, articleId);
            return null;
        }

        var window = options.Value.Fetch.SimilarStoryWindow;
        await gate.WaitAsync(cancellationToken);
        try
        {
            var first = DateOnly.FromDateTime((now - window).UtcDateTime);
            Forget(before: first);
            for (var d = first; d < day; d = d.AddDays(1))
            {
                await ReadAsync(d, upTo: null, window, cancellationToken);
            }

            await ReadAsync(day, end, window, cancellationToken);
            return byArticle.TryGetValue(articleId, out var entry) && entry.StoryId != articleId ? entry.StoryId : null;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose() => gate.Dispose();

    private static string LogName(DateOnly day) => $"similar/{day:yyyy-MM-dd}.log";

    /// <summary>Appends a line, creating the day's log first when it does not exist; returns where the line ends.</summary>
    private static async Task<long> AppendAsync(AppendBlobClient log, byte[] line, CancellationToken cancellationToken)
    {
        Response<BlobAppendInfo> appended;
        try
        {
            appended = await log.AppendBlockAsync(new MemoryStream(line), cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            await log.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            appended = await log.AppendBlockAsync(new MemoryStream(line), cancellationToken: cancellationToken);
        }

        return long.Parse(appended.Value.BlobAppendOffset, System.Globalization.CultureInfo.InvariantCulture) + line.Length;
    }

    /// <summary>
    /// Reads what this instance has not seen of a day's log: up to <paramref name="upTo"/> (the
    /// end of an article's own line), or for an earlier day to its end, once after the day is over.
    /// </summary>
    private async Task ReadAsync(DateOnly day, long? upTo, TimeSpan window, CancellationToken cancellationToken)
    {
        if (!logs.TryGetValue(day, out var log))
        {
            logs[day] = log = new DayLog();
        }

        if (upTo is { } end ? log.Length >= end : log.ReadAfterTheDay)
        {
            return;
        }

        BinaryData content;
        try
        {
            var range = new HttpRange(log.Length, upTo - log.Length);
            content = (await storage.State.GetBlobClient(LogName(day)).DownloadContentAsync(new BlobDownloadOptions { Range = range }, cancellationToken)).Value.Content;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 416)
        {
            // No log for that day, or nothing appended since the last read.
            content = BinaryData.Empty;
        }

        var bytes = content.ToMemory();
        var offset = log.Length;
        while (bytes.Length > 0)
        {
            var newline = bytes.Span.IndexOf((byte)'\n');
            var length = newline < 0 ? bytes.Length : newline + 1;
            var entry = JsonSerializer.Deserialize<LogLine>(bytes.Span[..length], JsonBlobs.SerializerOptions);
            if (entry is not null)
            {
                Add(new Entry(entry.Id, entry.At, DecodeSignature(entry.Signature), (day, offset)), window);
            }

            offset += length;
            bytes = bytes[length..];
        }

        log.Length = offset;
        log.ReadAfterTheDay = upTo is null;
    }

    /// <summary>Decides a line's story from the lines before it: its best match's story, or its own.</summary>
    private void Add(Entry entry, TimeSpan window)
    {
        if (byArticle.ContainsKey(entry.ArticleId))
        {
            // Registered again (a retried classification): the first line decided its story.
            return;
        }

        var keys = StorySignature.BandKeys(entry.Signature).ToList();
        var best = keys
            .SelectMany(key => byBand.GetValueOrDefault(key) ?? [])
            .Distinct()
            .Where(c => c.Position.CompareTo(entry.Position) < 0 && entry.At - c.At <= window)
            .Select(c => (Candidate: c, Similarity: StorySignature.Similarity(entry.Signature, c.Signature)))
            .Where(c => c.Similarity >= StorySignature.SameStoryThreshold)
            .OrderByDescending(c => c.Similarity)
            .ThenBy(c => c.Candidate.Position)
            .FirstOrDefault();
        if (best.Candidate is not null)
        {
            entry.StoryId = best.Candidate.StoryId;
            logger.LogInformation("Article {ArticleId} tells the same story as {StoryId} (similarity {Similarity:0.00})", entry.ArticleId, entry.StoryId, best.Similarity);
        }

        byArticle[entry.ArticleId] = entry;
        foreach (var key in keys)
        {
            if (!byBand.TryGetValue(key, out var entries))
            {
                byBand[key] = entries = [];
            }

            entries.Add(entry);
        }
    }

    /// <summary>Drops the lines of days that left the window, so a long-running instance does not grow.</summary>
    private void Forget(DateOnly before)
    {
        var gone = logs.Keys.Where(d => d < before).ToList();
        if (gone.Count == 0)
        {
            return;
        }

        gone.ForEach(d => logs.Remove(d));
        foreach (var article in byArticle.Where(a => a.Value.Position.Day < before).Select(a => a.Key).ToList())
        {
            byArticle.Remove(article);
        }

        foreach (var entries in byBand.Values)
        {
            entries.RemoveAll(e => e.Position.Day < before);
        }
    }

    private static string EncodeSignature(uint[] signature)
    {
        var bytes = new byte[signature.Length * sizeof(uint)];
        for (var i = 0; i < signature.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * sizeof(uint)), signature[i]);
        }

        return Convert.ToBase64String(bytes);
    }

    private static uint[] DecodeSignature(string encoded)
    {
        var bytes = Convert.FromBase64String(encoded);
        var signature = new uint[bytes.Length / sizeof(uint)];
        for (var i = 0; i < signature.Length; i++)
        {
            signature[i] = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * sizeof(uint)));
        }

        return signature;
    }

    /// <summary>One line of a day's story log.</summary>
    private sealed record LogLine(string Id, DateTimeOffset At, string Signature, int Schema = 1);

    private sealed class DayLog
    {
        public long Length { get; set; }

        /// <summary>Read to its end after the day was over: nothing more is appended to it.</summary>
        public bool ReadAfterTheDay { get; set; }
    }

    private sealed class Entry(string articleId, DateTimeOffset at, uint[] signature, (DateOnly Day, long Offset) position)
    {
        public string ArticleId { get; } = articleId;

        public DateTimeOffset At { get; } = at;

        public uint[] Signature { get; } = signature;

        public (DateOnly Day, long Offset) Position { get; } = position;

        /// <summary>The first article of the story this line belongs to (its own id when it was the first).</summary>
        public string StoryId { get; set; } = articleId;
    }
}
