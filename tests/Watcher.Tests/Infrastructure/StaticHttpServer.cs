using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Watcher.Tests.Infrastructure;

/// <summary>A real HTTP server on 127.0.0.1 serving documents the test can change between runs.</summary>
public sealed class StaticHttpServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, (string ContentType, byte[] Body)> documents = new();
    private readonly WebApplication app;

    private StaticHttpServer(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = null!;

    public ConcurrentBag<string> Requests { get; } = [];

    public static async Task<StaticHttpServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var server = new StaticHttpServer(builder.Build());
        server.app.Run(server.ServeAsync);
        await server.app.StartAsync();
        var address = server.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address + "/");
        return server;
    }

    public Uri Put(string path, string contentType, string body)
    {
        documents[path.TrimStart('/')] = (contentType, System.Text.Encoding.UTF8.GetBytes(body));
        return new Uri(BaseUrl, path.TrimStart('/'));
    }

    private async Task ServeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value!.TrimStart('/');
        Requests.Add(path);
        if (!documents.TryGetValue(path, out var document))
        {
            context.Response.StatusCode = 404;
            return;
        }

        context.Response.ContentType = document.ContentType;
        await context.Response.Body.WriteAsync(document.Body);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
