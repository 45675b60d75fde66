using System.Globalization;

namespace Watcher.Local.DevServices;

/// <summary>MailDev on loopback: an SMTP server plus a web page and REST API (<c>/api/email</c>) showing what arrived.</summary>
public sealed class MailDevService : NodeService
{
    private MailDevService(int smtpPort, int webPort, string mailDirectory)
    {
        SmtpPort = smtpPort;
        WebPort = webPort;
        MailDirectory = mailDirectory;
    }

    protected override string Package => "maildev";

    protected override string EntryScript => "dist/bin/maildev.js";

    public int SmtpPort { get; }

    public int WebPort { get; }

    /// <summary>Where MailDev saves every received message as an .eml file.</summary>
    public string MailDirectory { get; }

    public Uri WebUrl => new($"http://127.0.0.1:{WebPort}/");

    public static async Task<MailDevService> StartAsync(string mailDirectory, int? smtpPort = null, int? webPort = null, CancellationToken cancellationToken = default)
    {
        var service = new MailDevService(smtpPort ?? FreePort(), webPort ?? FreePort(), mailDirectory);
        await service.RestartAsync(cancellationToken);
        return service;
    }

    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(MailDirectory);
        await StartAsync(
            [
                "--ip", "127.0.0.1", "--smtp", SmtpPort.ToString(CultureInfo.InvariantCulture),
                "--web-ip", "127.0.0.1", "--web", WebPort.ToString(CultureInfo.InvariantCulture),
                "--mail-directory", MailDirectory, "--silent",
            ],
            WebPort,
            cancellationToken);
    }
}
