using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Watcher.Tests.Support;

/// <summary>A real Kestrel server on 127.0.0.1 whose answers each test defines per path.</summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, RequestDelegate> routes = new(StringComparer.Ordinal);

    private LoopbackHttpServer(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static async Task<LoopbackHttpServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var server = new LoopbackHttpServer(builder.Build());
        server.app.Run(async context =>
        {
            var request = context.Request;
            server.Requests.Enqueue(new RecordedRequest(
                request.Path + request.QueryString,
                request.Headers.UserAgent.ToString(),
                request.Headers.IfNoneMatch.ToString(),
                request.Headers.IfModifiedSince.ToString(),
                request.Headers.AcceptEncoding.ToString(),
                DateTimeOffset.UtcNow));
            if (server.routes.TryGetValue(request.Path.Value ?? "/", out var handler))
            {
                await handler(context);
            }
            else
            {
                context.Response.StatusCode = 404;
            }
        });
        await server.app.StartAsync();
        var address = server.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return server;
    }

    public Uri Url(string path) => new(BaseUrl, path.TrimStart('/'));

    public void Map(string path, RequestDelegate handler) => routes[path] = handler;

    public void MapText(string path, string body, string contentType = "application/rss+xml; charset=utf-8") =>
        Map(path, context =>
        {
            context.Response.ContentType = contentType;
            return context.Response.WriteAsync(body);
        });

    public void MapBytes(string path, byte[] body, string contentType) =>
        Map(path, async context =>
        {
            context.Response.ContentType = contentType;
            await context.Response.Body.WriteAsync(body);
        });

    /// <summary>Serves <paramref name="body"/> at <paramref name="path"/> from now on; returns its URL.</summary>
    public Uri Put(string path, string contentType, string body)
    {
        MapText("/" + path.TrimStart('/'), body, contentType);
        return Url(path);
    }

    public int HitsOn(string path) => Requests.Count(r => r.Path == path);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

public sealed record RecordedRequest(string Path, string UserAgent, string IfNoneMatch, string IfModifiedSince, string AcceptEncoding, DateTimeOffset At);
