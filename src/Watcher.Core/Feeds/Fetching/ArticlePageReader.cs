using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Articles;
using Watcher.Configuration;
using Watcher.Feeds;

namespace Watcher.Feeds.Fetching;

/// <summary>
/// Full text for feeds configured with <c>FullText: true</c>: fetches the article's page through
/// <see cref="PrivateAddressGuard"/> (a feed item must not make Watcher call an internal
/// endpoint), extracts the main text with SmartReader and keeps it as plain text only.
/// </summary>
public sealed class ArticlePageReader : IDisposable
{
    private readonly HttpClient http;
    private readonly FetchOptions options;
    private readonly ILogger<ArticlePageReader> logger;

    static ArticlePageReader()
    {
        // Pages still come in windows-1252 and other legacy code pages that .NET only knows with this provider.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    public ArticlePageReader(IOptions<WatcherOptions> options, ILogger<ArticlePageReader> logger)
    {
        this.options = options.Value.Fetch;
        this.logger = logger;
        var guard = new PrivateAddressGuard(this.options.AllowedPrivateHosts);
        http = new HttpClient(new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.All,
            AllowAutoRedirect = false,
            ConnectCallback = guard.ConnectAsync,
            UseProxy = false,
        })
        {
            Timeout = this.options.Timeout,
        };
        http.DefaultRequestHeaders.UserAgent.ParseAdd(FeedFetcher.UserAgent(this.options));
        http.DefaultRequestHeaders.Accept.ParseAdd("text/html, application/xhtml+xml;q=0.9, */*;q=0.1");
    }

    /// <summary>The article with the page's main text when it is longer than the feed's; unchanged (and logged) when the page cannot be used.</summary>
    public async Task<Article> WithFullTextAsync(Article article, CancellationToken cancellationToken)
    {
        try
        {
            var (html, finalUrl) = await FetchPageAsync(new Uri(article.Url), cancellationToken);
            // The constructor that takes the text: SmartReader's static ParseArticle(uri, string)
            // would download the page itself, around the address guard.
            var extracted = new SmartReader.Reader(finalUrl.AbsoluteUri, html).GetArticle();
            var text = ArticleText.Clean(extracted.TextContent ?? "");
            if (!extracted.IsReadable || text.Length <= article.Text.Length)
            {
                return article;
            }

            return article with { Text = text };
        }
        catch (PageFetchException e)
        {
            logger.LogWarning("Full text of {Url} not used: {Reason}", article.Url, e.Message);
            return article;
        }
    }

    /// <summary>The page's HTML; redirects are followed here so that each target passes the guard.</summary>
    public async Task<(string Html, Uri FinalUrl)> FetchPageAsync(Uri url, CancellationToken cancellationToken)
    {
        // HttpClient.Timeout stops at the headers when the body is streamed; a page that drips a
        // byte a second would hold the run. Fetch:Timeout bounds the whole page, redirects included.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Timeout);
        try
        {
            return await FetchWithinAsync(url, deadline.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new PageFetchException($"no complete page from {url} within {options.Timeout.TotalSeconds:0.#} s (Watcher:Fetch:Timeout)", e);
        }
    }

    private async Task<(string Html, Uri FinalUrl)> FetchWithinAsync(Uri url, CancellationToken cancellationToken)
    {
        var current = url;
        for (var hop = 0; hop <= FeedFetcher.MaxRedirects; hop++)
        {
            if (current.Scheme is not ("http" or "https"))
            {
                throw new PageFetchException($"{current} is not an http or https URL");
            }

            try
            {
                using var response = await http.GetAsync(current, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    current = location.IsAbsoluteUri ? location : new Uri(current, location);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new PageFetchException($"{current} answered HTTP {(int)response.StatusCode}");
                }

                if (response.Content.Headers.ContentLength > options.MaxResponseBytes)
                {
                    throw new PageFetchException($"{current} is larger than {options.MaxResponseBytes} bytes");
                }

                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                using var buffer = new MemoryStream();
                var chunk = new byte[64 * 1024];
                int read;
                while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
                {
                    if (buffer.Length + read > options.MaxResponseBytes)
                    {
                        throw new PageFetchException($"{current} is larger than {options.MaxResponseBytes} bytes");
                    }

                    buffer.Write(chunk, 0, read);
                }

                var charset = response.Content.Headers.ContentType?.CharSet?.Trim('"');
                var encoding = Encoding.UTF8;
                if (charset is not null)
                {
                    try
                    {
                        encoding = Encoding.GetEncoding(charset);
                    }
                    catch (ArgumentException)
                    {
                        // An unknown charset name: UTF-8 reads most of today's pages.
                    }
                }

                return (encoding.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), current);
            }
            catch (HttpRequestException e) when (e.InnerException is BlockedAddressException blocked)
            {
                throw new PageFetchException($"refused: {blocked.Message}", e);
            }
            catch (BlockedAddressException blocked)
            {
                throw new PageFetchException($"refused: {blocked.Message}", blocked);
            }
            catch (HttpRequestException e)
            {
                throw new PageFetchException($"request to {current} failed: {e.Message}", e);
            }
        }

        throw new PageFetchException($"more than {FeedFetcher.MaxRedirects} redirects starting at {url}");
    }

    public void Dispose() => http.Dispose();
}

/// <summary>An article page could not be fetched or was refused; the message says why.</summary>
public sealed class PageFetchException(string message, Exception? inner = null) : Exception(message, inner);
