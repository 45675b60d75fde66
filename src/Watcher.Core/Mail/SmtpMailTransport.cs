using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Watcher.Configuration;

namespace Watcher.Mail;

/// <summary>
/// SMTP through MailKit: STARTTLS/TLS and authentication, so any relay works (Azure Communication
/// Services, SendGrid, MailDev). One connection is kept open and reused for every batch and every
/// call, so a burst of instant mails pays for one TLS handshake and login, not one per mail.
/// </summary>
public sealed class SmtpMailTransport(IOptions<WatcherOptions> options) : IMailTransport, IDisposable, IAsyncDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private SmtpClient? client;

    public async Task SendAsync(IReadOnlyList<MimeMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        var smtp = options.Value.Smtp;
        await gate.WaitAsync(cancellationToken);
        try
        {
            foreach (var message in messages)
            {
                await SendOneAsync(message, cancellationToken);
            }
        }
        catch (Exception e) when (IsRefusalOfTheMessage(e))
        {
            throw new MailDeliveryException($"SMTP server {smtp.Host}:{smtp.Port} did not accept the mail: {e.Message}", e);
        }
        catch (Exception e) when (IsSmtpFailure(e))
        {
            DropConnection();
            throw new MailServerUnavailableException($"SMTP server {smtp.Host}:{smtp.Port} (Watcher:Smtp:Host and Port) does not answer: {e.Message}", e);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task SendOneAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var reused = client is { IsConnected: true };
        try
        {
            await (await ConnectedClientAsync(cancellationToken)).SendAsync(message, cancellationToken);
        }
        catch (Exception e) when (reused && e is ServiceNotConnectedException or IOException or SmtpProtocolException)
        {
            // The server closed the idle connection we kept (relays do after a minute or so).
            // Sending again on a fresh one can at worst repeat the mail with the same Message-ID.
            DropConnection();
            await (await ConnectedClientAsync(cancellationToken)).SendAsync(message, cancellationToken);
        }
    }

    private async Task<SmtpClient> ConnectedClientAsync(CancellationToken cancellationToken)
    {
        if (client is { IsConnected: true })
        {
            return client;
        }

        DropConnection();
        var smtp = options.Value.Smtp;
        client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };

        // Nagle's algorithm holds back the small final writes of each message until the server's
        // delayed ACK (~40 ms), which would cap a reused connection at about 20 mails a second.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // MailKit's Timeout covers its own reads and writes, not this connect: a host that
            // drops the SYN would hold the send for the operating system's two minutes.
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connectTimeout.CancelAfter(smtp.Timeout);
                try
                {
                    await socket.ConnectAsync(smtp.Host, smtp.Port, connectTimeout.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"no connection within Watcher:Smtp:Timeout ({smtp.Timeout.TotalSeconds:0.#} s)");
                }
            }

            await client.ConnectAsync(socket, smtp.Host, smtp.Port, Enum.Parse<SecureSocketOptions>(smtp.Security, ignoreCase: true), cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
        }

        return client;
    }

    private void DropConnection()
    {
        client?.Dispose();
        client = null;
    }

    /// <summary>
    /// A permanent answer about this mail (a recipient or content refused with 5xx): trying it
    /// again cannot help, unlike a server that is down, busy (4xx) or refuses the login or sender.
    /// </summary>
    private static bool IsRefusalOfTheMessage(Exception e) =>
        e is SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted } command
            && (int)command.StatusCode >= 500;

    private static bool IsSmtpFailure(Exception e) =>
        e is SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException or IOException
            or SocketException or AuthenticationException or SslHandshakeException or TimeoutException;

    public async ValueTask DisposeAsync()
    {
        if (client is { IsConnected: true })
        {
            try
            {
                await client.DisconnectAsync(quit: true);
            }
            catch (Exception e) when (IsSmtpFailure(e))
            {
                // Saying goodbye to a server that is gone is not a failure.
            }
        }

        Dispose();
    }

    public void Dispose()
    {
        DropConnection();
        gate.Dispose();
    }
}
