using Watcher.Local.DevServices;

namespace Watcher.Tests.Support;

/// <summary>
/// What every test of the whole pipeline needs of its own: an Azurite with empty data, a feed
/// server on loopback, a work folder, and a run id that keeps its mail addresses apart from
/// other tests sharing the collection's MailDev.
/// </summary>
public abstract class PipelineTestBase : IAsyncLifetime
{
    protected string Run { get; } = Guid.NewGuid().ToString("n")[..8];

    protected string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "watcher-pipeline", Guid.NewGuid().ToString("n"));

    protected AzuriteService Azurite { get; private set; } = null!;

    protected LoopbackHttpServer Feeds { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteService.StartAsync(Path.Combine(WorkDirectory, "azurite"));
        Feeds = await LoopbackHttpServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await Feeds.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
