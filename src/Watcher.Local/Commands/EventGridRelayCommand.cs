using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Watcher.Local.Hosting;
using Watcher.Storage;

namespace Watcher.Local.Commands;

/// <summary><c>watcher eventgrid-relay --to URL</c>: Event Grid's BlobCreated events for a local Functions host.</summary>
internal static class EventGridRelayCommand
{
    public static Command Create()
    {
        var to = new Option<string>("--to") { Description = "Base URL of the Functions host (func start), e.g. http://localhost:7071", Required = true };
        to.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (!Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            {
                result.AddError($"--to: '{value}' is not an http(s) URL.");
            }
        });
        var code = new Option<string?>("--code") { Description = "The host's blobs_extension system key, if the host requires one." };
        var once = new Option<bool>("--once") { Description = "Relay the blobs there are now and exit." };
        var command = new Command("eventgrid-relay", "Post the BlobCreated events Event Grid would send for new article blobs to a local Functions host, so its Event Grid blob trigger fires against Azurite.") { to, code, once };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var app = WatcherApp.Build(parse.GetValue(GlobalOptions.Config));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var relay = new EventGridRelay(app.GetRequiredService<WatcherStorage>(), http, app.GetRequiredService<TimeProvider>(), app.GetRequiredService<ILogger<EventGridRelay>>());
            var host = new Uri(parse.GetValue(to)!);
            do
            {
                var relayed = await relay.RelayNewBlobsAsync(host, parse.GetValue(code), cancellationToken);
                if (parse.GetValue(once))
                {
                    Console.WriteLine($"Relayed {relayed} BlobCreated event(s) to {host}.");
                    return 0;
                }

                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            while (!cancellationToken.IsCancellationRequested);

            return 0;
        });
        return command;
    }
}
