using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Watcher.Bench;

/// <summary>
/// Serves a <see cref="BenchCorpus"/> from a real Kestrel server on several loopback ports, so a
/// per-host connection limit in a reader spreads over several origins as it would over several
/// news sites. Answers conditional GETs with 304, as real feed servers do.
/// </summary>
public sealed class BenchFeedServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly IReadOnlyList<Uri> origins;

    private BenchFeedServer(WebApplication app, IReadOnlyList<Uri> origins, BenchCorpus corpus)
    {
        this.app = app;
        this.origins = origins;
        Corpus = corpus;
    }

    public BenchCorpus Corpus { get; }

    public IReadOnlyList<Uri> Origins => origins;

    public static async Task<BenchFeedServer> StartAsync(BenchCorpus corpus, int ports, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ports, 1);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            for (var i = 0; i < ports; i++)
            {
                kestrel.Listen(IPAddress.Loopback, 0);
            }
        });
        var app = builder.Build();
        BenchFeedServer? server = null;
        app.MapGet("/feeds/{file}", (HttpContext context, string file) => server!.ServeAsync(context, file));
        await app.StartAsync(cancellationToken);
        var addresses = app.Urls;
        server = new BenchFeedServer(app, addresses.Select(a => new Uri(a)).OrderBy(u => u.Port).ToList(), corpus);
        return server;
    }

    /// <summary>The URL of feed <paramref name="feed"/>; feeds are spread round-robin over the ports.</summary>
    public Uri FeedUrl(int feed) => new(origins[feed % origins.Count], BenchCorpus.FeedPath(feed));

    private async Task ServeAsync(HttpContext context, string file)
    {
        if (!int.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var feed) || feed >= Corpus.FeedCount)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var etag = Corpus.ETag(feed);
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch.Contains(etag))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        var body = Corpus.Render(feed);
        context.Response.ContentType = BenchCorpus.ContentType(feed);
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
