using MimeKit;

namespace Watcher.Delivery;

/// <summary>Hands mail to a server (or a folder). Returns only after every message was accepted.</summary>
public interface IMailTransport
{
    /// <summary>Sends a batch over one connection; throws <see cref="MailDeliveryException"/> naming the failure.</summary>
    Task SendAsync(IReadOnlyList<MimeMessage> messages, CancellationToken cancellationToken);
}

public sealed class MailDeliveryException(string message, Exception? inner = null) : Exception(message, inner);
