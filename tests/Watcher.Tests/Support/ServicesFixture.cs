using Watcher.Local.DevServices;

namespace Watcher.Tests.Support;

/// <summary>
/// A real Azurite and a real MailDev on free loopback ports, started for a test class and stopped
/// after it. Tests isolate themselves by using their own storage account data via fresh
/// containers (<see cref="WatcherTestHost"/>) or by starting their own <see cref="AzuriteService"/>.
/// </summary>
public sealed class ServicesFixture : IAsyncLifetime
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "watcher-tests", Guid.NewGuid().ToString("n"));

    public AzuriteService Azurite { get; private set; } = null!;

    public MailDevService MailDev { get; private set; } = null!;

    public MailDevClient Mail { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Azurite = await AzuriteService.StartAsync(Path.Combine(root, "azurite"));
        MailDev = await MailDevService.StartAsync(Path.Combine(root, "mail"));
        Mail = new MailDevClient(MailDev.WebUrl);
    }

    public async Task DisposeAsync()
    {
        Mail.Dispose();
        await MailDev.DisposeAsync();
        await Azurite.DisposeAsync();
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying process; the temp folder is cleaned by the OS.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServicesCollection : ICollectionFixture<ServicesFixture>
{
    public const string Name = "Azurite and MailDev";
}
