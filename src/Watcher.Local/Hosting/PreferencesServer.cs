using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Watcher.Delivery;
using Watcher.Subscribers;

namespace Watcher.Local.Hosting;

/// <summary>
/// The preferences page of <c>watcher run</c>: Kestrel on 127.0.0.1 serving
/// <c>/api/preferences</c> (the Functions app's route) through the core's
/// <see cref="PreferencesEndpoint"/>, so both hosts answer the same.
/// </summary>
public sealed class PreferencesServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private PreferencesServer(WebApplication app, Uri baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:7071/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Starts listening on 127.0.0.1:<paramref name="port"/> (0: a free port).</summary>
    public static async Task<PreferencesServer> StartAsync(PreferencesEndpoint endpoint, int port, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapMethods("/api/" + PreferencesEndpoint.Route, ["GET", "POST"], async (HttpContext context) =>
        {
            IReadOnlyList<KeyValuePair<string, string>> form = [];
            PreferencesResponse? refusal = null;
            if (HttpMethods.IsPost(context.Request.Method))
            {
                (form, refusal) = await PreferencesEndpoint.ReadFormAsync(context.Request.Body, context.RequestAborted);
            }

            var response = refusal ?? await endpoint.HandleAsync(context.Request.Method, context.Request.Query["token"], form, context.RequestAborted);
            context.Response.StatusCode = response.StatusCode;
            context.Response.ContentType = PreferencesResponse.ContentType;
            foreach (var (name, value) in PreferencesResponse.Headers)
            {
                context.Response.Headers[name] = value;
            }

            await context.Response.WriteAsync(response.Html, context.RequestAborted);
        });

        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new PreferencesServer(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
