namespace Watcher.Local.DevServices;

/// <summary>Azurite (blob and queue) on loopback, keeping its data in a folder so it can be restarted on it.</summary>
public sealed class AzuriteService : NodeService
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private AzuriteService(string dataDirectory, int blobPort, int queuePort)
    {
        DataDirectory = dataDirectory;
        BlobPort = blobPort;
        QueuePort = queuePort;
    }

    protected override string Package => "azurite";

    protected override string EntryScript => "dist/src/azurite.js";

    public string DataDirectory { get; }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public string ConnectionString => ConnectionStringFor(BlobPort, QueuePort);

    /// <summary>The connection string of an Azurite on 127.0.0.1 with these ports and its well-known development account.</summary>
    public static string ConnectionStringFor(int blobPort, int queuePort) =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;";

    public static async Task<AzuriteService> StartAsync(string dataDirectory, int? blobPort = null, int? queuePort = null, CancellationToken cancellationToken = default)
    {
        var service = new AzuriteService(dataDirectory, blobPort ?? FreePort(), queuePort ?? FreePort());
        await service.RestartAsync(cancellationToken);
        return service;
    }

    /// <summary>Starts (again) on the same ports and data.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(DataDirectory);
        await StartAsync(
            [
                "--silent", "--skipApiVersionCheck", "--disableProductStyleUrl", "--disableTelemetry",
                "--location", DataDirectory,
                "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--tableHost", "127.0.0.1", "--tablePort", FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ],
            QueuePort,
            cancellationToken);
        await WaitUntilListeningAsync(BlobPort, cancellationToken);
    }
}
