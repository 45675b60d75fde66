using System.Security.Cryptography;
using System.Text;
using Azure;
using Watcher.Storage;

namespace Watcher.Feeds;

/// <summary>Reads and writes <see cref="FeedState"/> in the <c>state</c> container, keyed by feed name.</summary>
public sealed class FeedStateStore(WatcherStorage storage)
{
    public async Task<(FeedState? State, ETag ETag)> ReadAsync(string feedName, CancellationToken cancellationToken) =>
        await JsonBlobs.ReadAsync<FeedState>(storage.State.GetBlobClient(BlobName(feedName)), cancellationToken);

    public async Task WriteAsync(FeedState state, CancellationToken cancellationToken) =>
        await JsonBlobs.UpsertAsync(storage.State.GetBlobClient(BlobName(state.FeedName)), state, cancellationToken);

    public async IAsyncEnumerable<FeedState> ListAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var blob in storage.State.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, "feeds/", cancellationToken))
        {
            var (state, _) = await JsonBlobs.ReadAsync<FeedState>(storage.State.GetBlobClient(blob.Name), cancellationToken);
            if (state is not null)
            {
                yield return state;
            }
        }
    }

    // Feed names are free text; a hash keeps blob names valid, the prefix keeps them readable.
    private static string BlobName(string feedName)
    {
        var slug = new string(feedName.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray()).Trim('-');
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(feedName)).AsSpan(0, 4));
        return $"feeds/{(slug.Length > 40 ? slug[..40] : slug)}-{hash}.json";
    }
}
