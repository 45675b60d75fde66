using Microsoft.Extensions.Options;
using MimeKit;
using Watcher.Configuration;

namespace Watcher.Mail;

/// <summary>Writes each message as an .eml file: delivery with zero set-up.</summary>
public sealed class PickupDirectoryMailTransport(IOptions<WatcherOptions> options) : IMailTransport
{
    public async Task SendAsync(IReadOnlyList<MimeMessage> messages, CancellationToken cancellationToken)
    {
        var directory = options.Value.Smtp.PickupDirectory ?? throw new InvalidOperationException("Watcher:Smtp:PickupDirectory is not set.");
        Directory.CreateDirectory(directory);
        foreach (var message in messages)
        {
            var name = string.Concat((message.MessageId ?? Guid.NewGuid().ToString("n")).Split(Path.GetInvalidFileNameChars())) + ".eml";
            var temporary = Path.Combine(directory, name + ".tmp");

            // Written aside and renamed, so a reader of the folder never sees half a message.
            await message.WriteToAsync(temporary, cancellationToken);
            File.Move(temporary, Path.Combine(directory, name), overwrite: true);
        }
    }
}
