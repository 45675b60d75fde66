using MimeKit;

namespace Watcher.Mail;

/// <summary>Hands mail to a server (or a folder). Returns only after every message was accepted.</summary>
public interface IMailTransport
{
    /// <summary>
    /// Sends a batch over one connection; throws <see cref="MailDeliveryException"/> when the server
    /// refuses a message, <see cref="MailServerUnavailableException"/> when it cannot take mail at all.
    /// </summary>
    Task SendAsync(IReadOnlyList<MimeMessage> messages, CancellationToken cancellationToken);
}

public class MailDeliveryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The mail server cannot take any mail now (unreachable, timing out, busy, refusing the login):
/// nothing is wrong with the mail, which waits for the server instead of failing.
/// </summary>
public sealed class MailServerUnavailableException(string message, Exception? inner = null) : MailDeliveryException(message, inner)
{
    /// <summary>When the next try is due, set by <see cref="MailServerCircuit"/>.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
