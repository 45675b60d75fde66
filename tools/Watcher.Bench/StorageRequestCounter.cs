using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Watcher.Bench;

/// <summary>
/// Counts the storage requests Watcher's clients make, by kind ("write articles", "read
/// state/articles", "list classified", "enqueue summaries"), from inside the SDK pipeline: once
/// per try, so a retry counts as the request it is.
/// </summary>
internal sealed class StorageRequestCounter : HttpPipelinePolicy
{
    private readonly ConcurrentDictionary<string, int> counts = new(StringComparer.Ordinal);

    /// <summary>Folders of these containers name what a blob is (<c>state/articles/…</c>, <c>digests/sent/…</c>).</summary>
    private static readonly HashSet<string> FolderedContainers = new(StringComparer.Ordinal) { "state", "digests" };

    /// <summary>Host and port of the queue service, which tells a queue request from a blob request.</summary>
    public string? QueueAuthority { get; set; }

    public IReadOnlyDictionary<string, int> Snapshot() => new SortedDictionary<string, int>(counts, StringComparer.Ordinal);

    public int Total => counts.Values.Sum();

    public void Reset() => counts.Clear();

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Count(message);
        await ProcessNextAsync(message, pipeline);
    }

    private void Count(HttpMessage message) => counts.AddOrUpdate(Kind(message.Request), 1, (_, n) => n + 1);

    /// <summary>The operation and what it touches, from the request line alone.</summary>
    private string Kind(Request request)
    {
        var uri = request.Uri.ToUri();
        var query = uri.Query;
        var isQueue = uri.Authority == QueueAuthority || uri.Host.Contains(".queue.", StringComparison.Ordinal);

        // Path style (Azurite): /account/container/blob; host style (Azure): /container/blob.
        var segments = uri.AbsolutePath.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length > 0 && uri.Host is "127.0.0.1" or "localhost")
        {
            segments = segments[1..];
        }

        var method = request.Method.Method;
        if (isQueue)
        {
            var queue = segments.Length > 0 ? segments[0] : "?";
            var verb = method switch
            {
                "POST" => "enqueue",
                "GET" when segments.Length > 1 => "receive",
                "DELETE" when segments.Length > 2 => "delete message",
                "PUT" when segments.Length > 2 => "update message",
                "PUT" => "create queue",
                "GET" => "properties",
                _ => method.ToLowerInvariant(),
            };
            return $"{verb} {queue}";
        }

        var container = segments.Length > 0 ? segments[0] : "?";
        var what = FolderedContainers.Contains(container) && segments.Length > 2 ? $"{container}/{segments[1]}" : container;
        if (query.Contains("comp=list", StringComparison.Ordinal))
        {
            return $"list {container}";
        }

        if (query.Contains("restype=container", StringComparison.Ordinal))
        {
            return $"{method.ToLowerInvariant()} container";
        }

        var operation = method switch
        {
            "GET" => "read",
            "HEAD" => "head",
            "DELETE" => "delete",
            "PUT" when query.Contains("comp=metadata", StringComparison.Ordinal) => "set metadata",
            "PUT" when query.Contains("comp=appendblock", StringComparison.Ordinal) => "append",
            "PUT" when query.Contains("comp=lease", StringComparison.Ordinal) => "lease",
            "PUT" => "write",
            _ => method.ToLowerInvariant(),
        };
        return $"{operation} {what}";
    }
}
