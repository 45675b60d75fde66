using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Watcher.Configuration;
using Watcher.Feeds.Fetching;

namespace Watcher.Feeds;

/// <summary>
/// Gets a feed document politely and safely: a conditional GET, compressed transfer, redirects
/// followed one by one (so loops are caught and permanent moves reported), a timeout per request,
/// a size cap enforced while the body streams in, and per-host plus overall request limits.
/// </summary>
public sealed class FeedFetcher : IDisposable
{
    public const int MaxRedirects = 5;

    private readonly HttpClient http;
    private readonly FetchOptions options;
    private readonly HostThrottle throttle;
    private readonly PrivateAddressGuard redirectGuard;
    private readonly SemaphoreSlim requests;
    private readonly TimeProvider clock;

    public FeedFetcher(IOptions<WatcherOptions> options, TimeProvider clock)
    {
        this.clock = clock;
        this.options = options.Value.Fetch;
        throttle = new HostThrottle(this.options.MaxConcurrencyPerHost, this.options.MinIntervalPerHost, clock);
        requests = new SemaphoreSlim(this.options.MaxConcurrency, this.options.MaxConcurrency);
        redirectGuard = new PrivateAddressGuard(this.options.AllowedPrivateHosts);
        http = new HttpClient(new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.All,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = Math.Max(this.options.MaxConcurrencyPerHost, 1),
        })
        {
            // The per-request timeout is applied by FetchAsync, which can name the feed.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        http.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent(this.options));
        http.DefaultRequestHeaders.Accept.ParseAdd("application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5");
    }

    public static string UserAgent(FetchOptions options) => $"Watcher/{WatcherConfiguration.ProductVersion} (+{options.ContactUrl})";

    public async Task<FetchResult> FetchAsync(Uri url, string? etag, string? lastModified, CancellationToken cancellationToken)
    {
        if (url.IsFile)
        {
            return await ReadFileAsync(url, cancellationToken);
        }

        var visited = new HashSet<string>(StringComparer.Ordinal) { url.AbsoluteUri };
        var current = url;
        Uri? permanentUrl = null;
        var onlyPermanentMoves = true;
        for (var hop = 0; ; hop++)
        {
            if (current.Scheme is not ("http" or "https"))
            {
                throw new FeedFetchException(FeedErrorKind.NotAllowed, $"{current} is not an http or https URL");
            }

            var answer = await SendAsync(current, etag, lastModified, cancellationToken);
            if (answer.Redirect is null)
            {
                return answer.Result! with { PermanentUrl = permanentUrl };
            }

            if (hop == MaxRedirects)
            {
                throw new FeedFetchException(FeedErrorKind.TooManyRedirects, $"more than {MaxRedirects} redirects starting at {url}");
            }

            var next = answer.Redirect;
            if (!visited.Add(next.AbsoluteUri))
            {
                throw new FeedFetchException(FeedErrorKind.RedirectLoop, $"redirect loop: {current} leads back to {next}");
            }

            await CheckRedirectTargetAsync(url, current, next, cancellationToken);
            onlyPermanentMoves &= answer.IsPermanentRedirect;
            if (onlyPermanentMoves)
            {
                permanentUrl = next;
            }

            current = next;
        }
    }

    // The configured URL may be private (the operator chose it); a redirect to a private,
    // loopback or link-local host that was neither configured nor allow-listed is refused, or a
    // feed could steer Watcher at the instance metadata endpoint or a VNet-private service.
    private async Task CheckRedirectTargetAsync(Uri configured, Uri from, Uri to, CancellationToken cancellationToken)
    {
        if (string.Equals(to.Host, configured.Host, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        try
        {
            await redirectGuard.ResolveAsync(to.Host, cancellationToken);
        }
        catch (BlockedAddressException e)
        {
            throw new FeedFetchException(FeedErrorKind.NotAllowed, $"{from} redirects to {to}, refused: {e.Message}", inner: e);
        }
        catch (System.Net.Sockets.SocketException)
        {
            // A name that does not resolve fails at the connection, with the network error named there.
        }
    }

    private async Task<HopAnswer> SendAsync(Uri url, string? etag, string? lastModified, CancellationToken cancellationToken)
    {
        using var hostLease = await throttle.AcquireAsync(url, cancellationToken);
        await requests.WaitAsync(cancellationToken);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Timeout);
            try
            {
                return await SendOnceAsync(url, etag, lastModified, timeout.Token);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new FeedFetchException(FeedErrorKind.Timeout, $"no complete answer from {url} within {options.Timeout.TotalSeconds:0.#} s", inner: e);
            }
            catch (HttpRequestException e)
            {
                throw new FeedFetchException(FeedErrorKind.Network, $"request to {url} failed: {e.Message}", inner: e);
            }
            catch (IOException e)
            {
                throw new FeedFetchException(FeedErrorKind.Network, $"reading {url} failed: {e.Message}", inner: e);
            }
        }
        finally
        {
            requests.Release();
        }
    }

    private async Task<HopAnswer> SendOnceAsync(Uri url, string? etag, string? lastModified, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (etag is not null && EntityTagHeaderValue.TryParse(etag, out var tag))
        {
            request.Headers.IfNoneMatch.Add(tag);
        }

        if (lastModified is not null && DateTimeOffset.TryParse(lastModified, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var since))
        {
            request.Headers.IfModifiedSince = since;
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var status = (int)response.StatusCode;
        switch (response.StatusCode)
        {
            case HttpStatusCode.NotModified:
                return new HopAnswer(FetchResult.NotModified, null, false);
            case HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect:
                var location = response.Headers.Location
                    ?? throw new FeedFetchException(FeedErrorKind.HttpStatus, $"{url} answered HTTP {status} without a Location", status);
                var target = location.IsAbsoluteUri ? location : new Uri(url, location);
                return new HopAnswer(null, target, response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.PermanentRedirect);
            case HttpStatusCode.Gone:
                throw new FeedFetchException(FeedErrorKind.Gone, $"{url} answered HTTP 410 Gone: the feed was removed for good", status);
            case HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable:
                var retryAfter = RetryAfter(response);
                throw new FeedFetchException(
                    FeedErrorKind.RateLimited,
                    $"{url} answered HTTP {status} {response.ReasonPhrase}" + (retryAfter is null ? "" : $"; retry after {retryAfter:u}"),
                    status,
                    retryAfter);
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new FeedFetchException(FeedErrorKind.HttpStatus, $"{url} answered HTTP {status} {response.ReasonPhrase}", status);
        }

        var body = await ReadCappedAsync(response.Content, url, cancellationToken);
        return new HopAnswer(
            new FetchResult
            {
                Body = body,
                FinalUrl = url,
                ContentType = response.Content.Headers.ContentType?.ToString(),
                ContentLanguage = response.Content.Headers.ContentLanguage.FirstOrDefault(),
                ETag = response.Headers.ETag?.ToString(),
                LastModified = response.Content.Headers.LastModified?.ToString("R"),
            },
            null,
            false);
    }

    private DateTimeOffset? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return clock.GetUtcNow() + delta;
        }

        return header?.Date;
    }

    /// <summary>Reads the (decompressed) body, failing as soon as it passes the cap, so a huge body is never held.</summary>
    private async Task<ReadOnlyMemory<byte>> ReadCappedAsync(HttpContent content, Uri url, CancellationToken cancellationToken)
    {
        var cap = options.MaxResponseBytes;
        if (content.Headers.ContentLength > cap)
        {
            throw new FeedFetchException(FeedErrorKind.TooLarge, $"{url} announces {content.Headers.ContentLength} bytes, more than the {cap}-byte limit (Watcher:Fetch:MaxResponseBytes)");
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream((int)Math.Min(content.Headers.ContentLength ?? 64 * 1024, cap));
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > cap)
            {
                throw new FeedFetchException(FeedErrorKind.TooLarge, $"{url} sent more than the {cap}-byte limit (Watcher:Fetch:MaxResponseBytes)");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private async Task<FetchResult> ReadFileAsync(Uri url, CancellationToken cancellationToken)
    {
        if (!options.AllowFileUrls)
        {
            throw new FeedFetchException(FeedErrorKind.NotAllowed, $"file URLs are not allowed (Watcher:Fetch:AllowFileUrls): {url}");
        }

        try
        {
            var info = new FileInfo(url.LocalPath);
            if (info.Exists && info.Length > options.MaxResponseBytes)
            {
                throw new FeedFetchException(FeedErrorKind.TooLarge, $"{url.LocalPath} has {info.Length} bytes, more than the {options.MaxResponseBytes}-byte limit (Watcher:Fetch:MaxResponseBytes)");
            }

            return new FetchResult { Body = await File.ReadAllBytesAsync(url.LocalPath, cancellationToken), FinalUrl = url };
        }
        catch (IOException e)
        {
            throw new FeedFetchException(FeedErrorKind.Network, $"cannot read {url.LocalPath}: {e.Message}", inner: e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new FeedFetchException(FeedErrorKind.NotAllowed, $"cannot read {url.LocalPath}: {e.Message}", inner: e);
        }
    }

    public void Dispose()
    {
        http.Dispose();
        requests.Dispose();
    }

    private sealed record HopAnswer(FetchResult? Result, Uri? Redirect, bool IsPermanentRedirect);
}

public sealed record FetchResult
{
    public static FetchResult NotModified { get; } = new() { IsNotModified = true };

    public bool IsNotModified { get; init; }

    public ReadOnlyMemory<byte> Body { get; init; }

    public Uri? FinalUrl { get; init; }

    /// <summary>Where the feed now lives when every redirect on the way was permanent (301/308).</summary>
    public Uri? PermanentUrl { get; init; }

    public string? ContentType { get; init; }

    public string? ContentLanguage { get; init; }

    public string? ETag { get; init; }

    public string? LastModified { get; init; }
}

/// <summary>A feed could not be fetched; the message names the URL and the reason.</summary>
public sealed class FeedFetchException(FeedErrorKind kind, string message, int? statusCode = null, DateTimeOffset? retryAfter = null, Exception? inner = null)
    : Exception(message, inner)
{
    public FeedErrorKind Kind { get; } = kind;

    public int? StatusCode { get; } = statusCode;

    /// <summary>When the server asked to be called again (Retry-After on 429/503).</summary>
    public DateTimeOffset? RetryAfter { get; } = retryAfter;
}
