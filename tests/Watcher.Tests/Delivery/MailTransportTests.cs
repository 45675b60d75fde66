using Microsoft.Extensions.Options;
using MimeKit;
using Watcher.Configuration;
using Watcher.Delivery;
using Watcher.Mail;
using Watcher.Tests.Support;

namespace Watcher.Tests.Delivery;

/// <summary>The SMTP transport against a real MailDev, and the pickup-directory transport on real files.</summary>
public sealed class MailTransportTests(ServicesFixture services) : IClassFixture<ServicesFixture>
{
    [Fact]
    public async Task One_connection_carries_many_sends_and_a_dropped_connection_is_replaced()
    {
        var options = Options.Create(new WatcherOptions { Smtp = new SmtpOptions { Host = "127.0.0.1", Port = services.MailDev.SmtpPort, Security = "None" } });
        await using var transport = new SmtpMailTransport(options);
        var to = $"batch-{Guid.NewGuid():n}@example.org";

        await transport.SendAsync([Message(to, 1), Message(to, 2)], CancellationToken.None);
        await transport.SendAsync([Message(to, 3)], CancellationToken.None);
        Assert.Equal(3, (await services.Mail.WaitForAsync(to, 3)).Count);

        // MailDev restarts: the kept connection is dead; the next send reconnects by itself.
        await services.MailDev.KillAsync();
        await services.MailDev.RestartAsync();
        await transport.SendAsync([Message(to, 4)], CancellationToken.None);
        Assert.Contains(await services.Mail.WaitForAsync(to, 4), m => m.Subject == "Message 4");
    }

    [Fact]
    public async Task A_server_that_is_down_gives_a_delivery_error_naming_it()
    {
        var port = Watcher.Local.DevServices.NodeService.FreePort();
        var options = Options.Create(new WatcherOptions { Smtp = new SmtpOptions { Host = "127.0.0.1", Port = port, Security = "None", Timeout = TimeSpan.FromSeconds(5) } });
        await using var transport = new SmtpMailTransport(options);

        var error = await Assert.ThrowsAsync<MailServerUnavailableException>(() => transport.SendAsync([Message("x@example.org", 1)], CancellationToken.None));
        Assert.Contains($"127.0.0.1:{port}", error.Message);
    }

    /// <summary>
    /// A listener whose accept queue is full drops new connection attempts, as a firewalled host
    /// does: the connect itself is bounded by Smtp:Timeout, not by the operating system's two
    /// minutes of retries.
    /// </summary>
    [Fact]
    public async Task A_host_that_drops_connection_attempts_is_given_up_on_within_the_timeout_naming_the_settings()
    {
        using var full = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        full.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        full.Listen(0);
        var port = ((System.Net.IPEndPoint)full.LocalEndPoint!).Port;
        var fillers = new List<System.Net.Sockets.Socket>();
        try
        {
            // Fill the accept queue (never accepted); the next attempt is then left unanswered.
            for (var i = 0; i < 4; i++)
            {
                var filler = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                fillers.Add(filler);
                using var quick = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
                try
                {
                    await filler.ConnectAsync(System.Net.IPAddress.Loopback, port, quick.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            var options = Options.Create(new WatcherOptions { Smtp = new SmtpOptions { Host = "127.0.0.1", Port = port, Security = "None", Timeout = TimeSpan.FromSeconds(2) } });
            await using var transport = new SmtpMailTransport(options);
            using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(60));

            var error = await Assert.ThrowsAsync<MailServerUnavailableException>(() => transport.SendAsync([Message("x@example.org", 1)], hang.Token));

            Assert.False(hang.IsCancellationRequested, "the send waited for the test's own deadline, not Smtp:Timeout");
            Assert.Contains("Watcher:Smtp:Host and Port", error.Message, StringComparison.Ordinal);
            Assert.Contains("no connection within Watcher:Smtp:Timeout (2 s)", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task The_circuit_stops_connecting_to_a_server_that_does_not_answer_and_tries_again_after_the_pause()
    {
        // A server that takes the connection and hangs up before greeting: every try is counted.
        using var server = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        server.Start();
        var connections = 0;
        using var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await server.AcceptTcpClientAsync(stop.Token);
                Interlocked.Increment(ref connections);
            }
        });
        var smtp = new SmtpOptions
        {
            Host = "127.0.0.1",
            Port = ((System.Net.IPEndPoint)server.LocalEndpoint).Port,
            Security = "None",
            Timeout = TimeSpan.FromSeconds(5),
            OutageRetryDelay = TimeSpan.FromSeconds(1),
            MaxOutageRetryDelay = TimeSpan.FromSeconds(2),
        };
        var options = Options.Create(new WatcherOptions { Smtp = smtp });
        await using var circuit = new MailServerCircuit(new SmtpMailTransport(options), options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<MailServerCircuit>.Instance);
        Task Send() => circuit.SendAsync([Message("x@example.org", 1)], CancellationToken.None);

        var first = await Assert.ThrowsAsync<MailServerUnavailableException>(Send);
        Assert.Equal(smtp.OutageRetryDelay, first.RetryAfter);
        await Assert.ThrowsAsync<MailServerUnavailableException>(Send);
        Assert.Equal(2, Volatile.Read(ref connections));
        Assert.NotNull(circuit.OutageSince);

        // Open: the mail waits without a connection, and says how long.
        var waiting = await Assert.ThrowsAsync<MailServerUnavailableException>(Send);
        Assert.InRange(waiting.RetryAfter!.Value, TimeSpan.FromMilliseconds(1), smtp.OutageRetryDelay);
        Assert.Equal(2, Volatile.Read(ref connections));

        // After the pause one try goes to the server; it fails again and the next pause doubles.
        await Task.Delay(smtp.OutageRetryDelay + TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAsync<MailServerUnavailableException>(Send);
        Assert.Equal(3, Volatile.Read(ref connections));
        var longer = await Assert.ThrowsAsync<MailServerUnavailableException>(Send);
        Assert.InRange(longer.RetryAfter!.Value, smtp.OutageRetryDelay + TimeSpan.FromMilliseconds(1), smtp.MaxOutageRetryDelay);
        await stop.CancelAsync();
    }

    [Fact]
    public async Task The_pickup_transport_writes_one_eml_per_message_named_after_its_message_id()
    {
        var directory = Path.Combine(Path.GetTempPath(), "watcher-pickup-" + Guid.NewGuid().ToString("n"));
        var transport = new PickupDirectoryMailTransport(Options.Create(new WatcherOptions { Smtp = new SmtpOptions { Transport = "pickup", PickupDirectory = directory } }));

        await transport.SendAsync([Message("a@example.org", 1), Message("a@example.org", 2)], CancellationToken.None);

        var files = Directory.GetFiles(directory).Order().ToList();
        Assert.Equal(2, files.Count);
        Assert.All(files, f => Assert.EndsWith(".eml", f, StringComparison.Ordinal));
        Assert.Equal("Message 1", (await MimeMessage.LoadAsync(files[0])).Subject);
        Directory.Delete(directory, recursive: true);
    }

    private static MimeMessage Message(string to, int n)
    {
        var message = new MimeMessage { Subject = $"Message {n}", MessageId = $"m{n}-{Guid.NewGuid():n}@example.org", Body = new TextPart("plain") { Text = $"Body {n}" } };
        message.From.Add(MailboxAddress.Parse("watcher@example.org"));
        message.To.Add(MailboxAddress.Parse(to));
        return message;
    }
}
