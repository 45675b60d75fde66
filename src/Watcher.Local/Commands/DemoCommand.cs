using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Watcher.Local.DevServices;
using Watcher.Local.Hosting;

namespace Watcher.Local.Commands;

/// <summary>
/// <c>watcher demo</c>: the main job on the embedded default. Starts Azurite and MailDev from the
/// repository's node_modules on loopback, runs one cycle over the shipped sample feeds and shows
/// where the mail can be read.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var noWait = new Option<bool>("--no-wait") { Description = "Stop MailDev and Azurite right after the cycle instead of waiting for Ctrl+C." };
        var dataDir = new Option<string>("--data") { Description = "Folder for Azurite's data and the received mail.", DefaultValueFactory = _ => Path.Combine(Directory.GetCurrentDirectory(), ".watcher", "demo") };
        var command = new Command("demo", "Start Azurite and MailDev on loopback, run one cycle over the sample feeds, and show the mail that arrived.") { noWait, dataDir };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var data = Path.GetFullPath(parse.GetValue(dataDir)!);

            // Every demo starts from empty storage and an empty mailbox, so it always shows mail.
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }

            await using var azurite = await AzuriteService.StartAsync(Path.Combine(data, "azurite"), cancellationToken: cancellationToken);
            await using var mailDev = await MailDevService.StartAsync(Path.Combine(data, "mail"), cancellationToken: cancellationToken);
            Console.WriteLine($"Azurite: blob 127.0.0.1:{azurite.BlobPort}, queue 127.0.0.1:{azurite.QueuePort}; data in {azurite.DataDirectory}");
            Console.WriteLine($"MailDev: SMTP 127.0.0.1:{mailDev.SmtpPort}, web {mailDev.WebUrl}");

            // The demo points the (given or shipped) configuration at the services it started.
            Environment.SetEnvironmentVariable("Watcher__Storage__ConnectionString", azurite.ConnectionString);
            Environment.SetEnvironmentVariable("Watcher__Smtp__Host", "127.0.0.1");
            Environment.SetEnvironmentVariable("Watcher__Smtp__Port", mailDev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Environment.SetEnvironmentVariable("Watcher__Smtp__Transport", "smtp");

            int exitCode;
            using (var app = WatcherApp.Build(parse.GetValue(GlobalOptions.Config)))
            {
                exitCode = RunCommand.Report(await ActivatorUtilities.CreateInstance<LocalFunctionsHost>(app).RunOnceAsync(cancellationToken));
            }

            var mails = Directory.GetFiles(mailDev.MailDirectory, "*.eml");
            Console.WriteLine();
            Console.WriteLine($"{mails.Length} mail(s) delivered to MailDev.");
            Console.WriteLine($"  Read them in a browser: {mailDev.WebUrl}");
            foreach (var mail in mails)
            {
                Console.WriteLine($"  Saved message: {mail}");
            }

            if (!parse.GetValue(noWait))
            {
                Console.WriteLine("MailDev and Azurite keep running until Ctrl+C.");
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Console.WriteLine("Stopping MailDev and Azurite.");
                }
            }

            return exitCode;
        });
        return command;
    }
}
