using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Watcher.Configuration;

namespace Watcher.Feeds;

/// <summary>Gets a feed document over HTTP(S) with a conditional GET, or from a file.</summary>
public sealed class FeedFetcher : IDisposable
{
    private readonly HttpClient http;
    private readonly FetchOptions options;

    public FeedFetcher(IOptions<WatcherOptions> options)
    {
        this.options = options.Value.Fetch;
        http = new HttpClient(new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.All,
            MaxAutomaticRedirections = 5,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = this.options.Timeout,
            MaxResponseContentBufferSize = this.options.MaxResponseBytes,
        };
        http.DefaultRequestHeaders.UserAgent.ParseAdd($"Watcher/{WatcherConfiguration.ProductVersion} (+{this.options.ContactUrl})");
        http.DefaultRequestHeaders.Accept.ParseAdd("application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5");
    }

    public async Task<FetchResult> FetchAsync(Uri url, string? etag, string? lastModified, CancellationToken cancellationToken)
    {
        if (url.IsFile)
        {
            if (!options.AllowFileUrls)
            {
                throw new FeedFetchException($"file URLs are not allowed (Watcher:Fetch:AllowFileUrls): {url}");
            }

            try
            {
                return FetchResult.Content(await File.ReadAllBytesAsync(url.LocalPath, cancellationToken), url, null, null, null);
            }
            catch (IOException e)
            {
                throw new FeedFetchException($"cannot read {url.LocalPath}: {e.Message}", e);
            }
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (etag is not null && EntityTagHeaderValue.TryParse(etag, out var tag))
        {
            request.Headers.IfNoneMatch.Add(tag);
        }

        if (lastModified is not null && DateTimeOffset.TryParse(lastModified, out var since))
        {
            request.Headers.IfModifiedSince = since;
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new FeedFetchException($"request to {url} failed: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FeedFetchException($"no answer from {url} within {options.Timeout.TotalSeconds:0} s", e);
        }

        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotModified)
            {
                return FetchResult.NotModified;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new FeedFetchException($"{url} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            byte[] body;
            try
            {
                body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new FeedFetchException($"reading {url} failed: {e.Message}", e);
            }

            return FetchResult.Content(
                body,
                response.RequestMessage?.RequestUri ?? url,
                response.Content.Headers.ContentType?.ToString(),
                response.Headers.ETag?.ToString(),
                response.Content.Headers.LastModified?.ToString("R"));
        }
    }

    public void Dispose() => http.Dispose();
}

public sealed record FetchResult
{
    public static FetchResult NotModified { get; } = new() { IsNotModified = true };

    public bool IsNotModified { get; init; }

    public ReadOnlyMemory<byte> Body { get; init; }

    public Uri? FinalUrl { get; init; }

    public string? ContentType { get; init; }

    public string? ETag { get; init; }

    public string? LastModified { get; init; }

    public static FetchResult Content(byte[] body, Uri finalUrl, string? contentType, string? etag, string? lastModified) =>
        new() { Body = body, FinalUrl = finalUrl, ContentType = contentType, ETag = etag, LastModified = lastModified };
}

/// <summary>A feed could not be fetched; the message names the URL and the reason.</summary>
public sealed class FeedFetchException(string message, Exception? inner = null) : Exception(message, inner);
