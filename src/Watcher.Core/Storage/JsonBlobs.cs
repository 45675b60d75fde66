using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Watcher.Storage;

/// <summary>JSON documents in blobs, with the conditional writes that make every step idempotent.</summary>
public static class JsonBlobs
{
    public static JsonSerializerOptions SerializerOptions { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private static readonly BlobHttpHeaders JsonHeaders = new() { ContentType = "application/json; charset=utf-8" };

    /// <summary>Writes the document only if no blob has that name yet; false when one already did.</summary>
    public static async Task<bool> TryCreateAsync<T>(BlobClient blob, T document, CancellationToken cancellationToken) =>
        await TryCreateVersionAsync(blob, document, cancellationToken) is not null;

    /// <summary>Writes the document only if no blob has that name yet: the ETag of what was written, or null when a blob was there.</summary>
    public static async Task<ETag?> TryCreateVersionAsync<T>(BlobClient blob, T document, CancellationToken cancellationToken)
    {
        try
        {
            var response = await blob.UploadAsync(
                BinaryData.FromObjectAsJson(document, SerializerOptions),
                new BlobUploadOptions { HttpHeaders = JsonHeaders, Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken);
            return response.Value.ETag;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return null;
        }
    }

    /// <summary>Writes the document whether or not it exists; for results that are the same on every retry.</summary>
    public static Task<ETag> UpsertAsync<T>(BlobClient blob, T document, CancellationToken cancellationToken) =>
        UpsertAsync(blob, document, metadata: null, cancellationToken);

    /// <summary>
    /// Writes the document whether or not it exists, with blob metadata: a listing returns the
    /// metadata of many blobs at once, where reading their bodies takes one request each.
    /// </summary>
    public static async Task<ETag> UpsertAsync<T>(BlobClient blob, T document, IDictionary<string, string>? metadata, CancellationToken cancellationToken)
    {
        var response = await blob.UploadAsync(
            BinaryData.FromObjectAsJson(document, SerializerOptions),
            new BlobUploadOptions { HttpHeaders = JsonHeaders, Metadata = metadata },
            cancellationToken);
        return response.Value.ETag;
    }

    /// <summary>Replaces the document only if it is unchanged since it was read (optimistic concurrency).</summary>
    public static async Task<bool> TryReplaceAsync<T>(BlobClient blob, T document, ETag readETag, CancellationToken cancellationToken)
    {
        try
        {
            await blob.UploadAsync(
                BinaryData.FromObjectAsJson(document, SerializerOptions),
                new BlobUploadOptions { HttpHeaders = JsonHeaders, Conditions = new BlobRequestConditions { IfMatch = readETag } },
                cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <summary>Reads a document; null when the blob does not exist.</summary>
    public static async Task<(T? Document, ETag ETag)> ReadAsync<T>(BlobClient blob, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var result = await blob.DownloadContentAsync(cancellationToken);
            return (result.Value.Content.ToObjectFromJson<T>(SerializerOptions), result.Value.Details.ETag);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return (null, default);
        }
    }

    public static async Task<bool> ExistsAsync(BlobClient blob, CancellationToken cancellationToken) =>
        (await blob.ExistsAsync(cancellationToken)).Value;
}
