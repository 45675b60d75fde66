using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Watcher.Delivery;
using Watcher.Local.DevServices;
using Watcher.Local.Hosting;
using Watcher.Subscribers;

namespace Watcher.Local.Commands;

/// <summary>
/// <c>watcher demo</c>: the main job on the embedded default. Starts Azurite and MailDev from the
/// repository's node_modules on their own default ports (the ones the shipped <c>watcher.json</c>
/// names, so every other command finds them), runs one cycle over the sample feeds, shows where
/// the mail can be read, and then keeps running as <c>watcher run</c> does, with the preferences
/// page the mails link to, until Ctrl+C. Its data stays in <c>.watcher/demo</c>: the next start
/// continues where this one stopped.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var noWait = new Option<bool>("--no-wait") { Description = "Stop after the first cycle instead of running until Ctrl+C." };
        var fresh = new Option<bool>("--fresh") { Description = "Start from empty storage and an empty mailbox instead of continuing the last demo." };
        var dataDir = new Option<string>("--data") { Description = "Folder for Azurite's data and the received mail.", DefaultValueFactory = _ => Path.Combine(Directory.GetCurrentDirectory(), ".watcher", "demo") };
        var blobPort = PortOption("--blob-port", "Azurite's blob service", 10000);
        var queuePort = PortOption("--queue-port", "Azurite's queue service", 10001);
        var smtpPort = PortOption("--smtp-port", "MailDev's SMTP server", 1025);
        var mailWebPort = PortOption("--mail-web-port", "MailDev's web page", 1080);
        var preferencesPort = PortOption("--preferences-port", "the preferences page the mails link to", 7071);
        var command = new Command("demo", "Start Azurite and MailDev on loopback, run a cycle over the sample feeds, show the mail, and keep Watcher running until Ctrl+C.")
        {
            noWait, fresh, dataDir, blobPort, queuePort, smtpPort, mailWebPort, preferencesPort,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var data = Path.GetFullPath(parse.GetValue(dataDir)!);
            var wait = !parse.GetValue(noWait);
            var ports = new (int Port, string What, string Option)[]
            {
                (parse.GetValue(blobPort), "Azurite's blob service", "--blob-port"),
                (parse.GetValue(queuePort), "Azurite's queue service", "--queue-port"),
                (parse.GetValue(smtpPort), "MailDev's SMTP server", "--smtp-port"),
                (parse.GetValue(mailWebPort), "MailDev's web page", "--mail-web-port"),
                (parse.GetValue(preferencesPort), "the preferences page", "--preferences-port"),
            };
            foreach (var (port, what, option) in wait ? ports : ports[..^1])
            {
                if (await NodeService.IsListeningAsync(port, cancellationToken))
                {
                    throw new WatcherStartupException(
                        $"Port {port} ({what}) is in use on 127.0.0.1: is another ./demo.sh, Azurite or MailDev running? Stop it, or choose another port with {option}.");
                }
            }

            if (parse.GetValue(fresh) && Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }

            await using var azurite = await AzuriteService.StartAsync(Path.Combine(data, "azurite"), ports[0].Port, ports[1].Port, cancellationToken);
            await using var mailDev = await MailDevService.StartAsync(Path.Combine(data, "mail"), ports[2].Port, ports[3].Port, cancellationToken);
            try
            {
                return await RunAsync(parse, azurite, mailDev, wait, ports[4].Port, cancellationToken);
            }
            finally
            {
                // SIGTERM, not a kill: Azurite writes its database on the way out, so the next
                // start finds what this one stored.
                await azurite.TerminateAsync();
                await mailDev.TerminateAsync();
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, AzuriteService azurite, MailDevService mailDev, bool wait, int preferencesPort, CancellationToken cancellationToken)
    {
        var mailBefore = Directory.GetFiles(mailDev.MailDirectory, "*.eml").ToHashSet(StringComparer.Ordinal);
        Console.WriteLine($"Azurite: blob 127.0.0.1:{azurite.BlobPort}, queue 127.0.0.1:{azurite.QueuePort}; data in {azurite.DataDirectory}");
        Console.WriteLine($"MailDev: SMTP 127.0.0.1:{mailDev.SmtpPort}, web {mailDev.WebUrl}");

        // The demo points the (given or shipped) configuration at the services it started; on
        // the default ports that is what the shipped watcher.json says anyway.
        Environment.SetEnvironmentVariable("Watcher__Storage__ConnectionString", azurite.ConnectionString);
        Environment.SetEnvironmentVariable("Watcher__Smtp__Host", "127.0.0.1");
        Environment.SetEnvironmentVariable("Watcher__Smtp__Port", mailDev.SmtpPort.ToString(CultureInfo.InvariantCulture));
        Environment.SetEnvironmentVariable("Watcher__Smtp__Transport", "smtp");
        Environment.SetEnvironmentVariable("Watcher__Delivery__PublicBaseUrl", $"http://127.0.0.1:{preferencesPort}");

        using var app = WatcherApp.Build(parse.GetValue(GlobalOptions.Config));
        using var host = ActivatorUtilities.CreateInstance<LocalFunctionsHost>(app);
        int exitCode;
        try
        {
            exitCode = RunCommand.Report(await host.RunOnceAsync(cancellationToken));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("Interrupted: the step in hand was abandoned; the next ./demo.sh continues from here.");
            return 130;
        }

        var mails = Directory.GetFiles(mailDev.MailDirectory, "*.eml").Where(m => !mailBefore.Contains(m)).Order(StringComparer.Ordinal).ToList();
        Console.WriteLine();
        Console.WriteLine($"{mails.Count} new mail(s) delivered to MailDev ({mailBefore.Count} from earlier demos).");
        Console.WriteLine($"  Read them in a browser: {mailDev.WebUrl}");
        foreach (var mail in mails)
        {
            Console.WriteLine($"  Saved message: {mail}");
        }

        if (!wait)
        {
            return exitCode;
        }

        await using var preferences = await PreferencesServer.StartAsync(app.GetRequiredService<PreferencesEndpoint>(), preferencesPort, cancellationToken);
        Console.WriteLine($"Preferences page (the mails' links): {preferences.BaseUrl}api/{PreferencesEndpoint.Route}?token=...");
        Console.WriteLine("Watcher keeps running: feeds on their schedule, new articles classified and mailed. Other commands (watcher feeds status, digest preview, poison list) work beside it. Ctrl+C stops everything; the next ./demo.sh continues from here (--fresh starts over).");
        await host.RunAsync(cancellationToken);
        Console.WriteLine("Stopping MailDev and Azurite.");
        return 0;
    }

    private static Option<int> PortOption(string name, string what, int port) =>
        new(name) { Description = $"Port on 127.0.0.1 for {what} (default {port}).", DefaultValueFactory = _ => port };
}
