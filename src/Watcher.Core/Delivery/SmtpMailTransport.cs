using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Watcher.Configuration;

namespace Watcher.Delivery;

/// <summary>SMTP through MailKit: STARTTLS/TLS and authentication, so any relay works.</summary>
public sealed class SmtpMailTransport(IOptions<WatcherOptions> options) : IMailTransport
{
    public async Task SendAsync(IReadOnlyList<MimeMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        var smtp = options.Value.Smtp;
        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, Enum.Parse<SecureSocketOptions>(smtp.Security, ignoreCase: true), cancellationToken);
            if (!string.IsNullOrEmpty(smtp.UserName))
            {
                await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
            }

            foreach (var message in messages)
            {
                await client.SendAsync(message, cancellationToken);
            }

            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or IOException or System.Net.Sockets.SocketException or AuthenticationException or SslHandshakeException)
        {
            throw new MailDeliveryException($"SMTP server {smtp.Host}:{smtp.Port} did not accept the mail: {e.Message}", e);
        }
    }
}
