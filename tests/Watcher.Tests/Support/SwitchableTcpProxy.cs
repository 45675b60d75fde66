using System.Net;
using System.Net.Sockets;

namespace Watcher.Tests.Support;

/// <summary>
/// A TCP port on loopback that forwards to a real server while up and refuses connections while
/// down (its listener is closed, and open connections are cut), so a test can take a server away
/// from a running process and give it back, as an outage does.
/// </summary>
public sealed class SwitchableTcpProxy : IAsyncDisposable
{
    private readonly int targetPort;
    private readonly List<TcpClient> connections = [];
    private TcpListener? listener;
    private CancellationTokenSource? accepting;

    public SwitchableTcpProxy(int targetPort)
    {
        this.targetPort = targetPort;
        Port = Watcher.Local.DevServices.NodeService.FreePort();
    }

    public int Port { get; }

    public void Up()
    {
        if (listener is not null)
        {
            return;
        }

        listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Start();
        accepting = new CancellationTokenSource();
        _ = AcceptAsync(listener, accepting.Token);
    }

    public void Down()
    {
        accepting?.Cancel();
        listener?.Stop();
        listener = null;
        lock (connections)
        {
            connections.ForEach(c => c.Dispose());
            connections.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener server, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await server.AcceptTcpClientAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var target = new TcpClient();
            lock (connections)
            {
                connections.Add(client);
                connections.Add(target);
            }

            _ = PipeAsync(client, target);
        }
    }

    private async Task PipeAsync(TcpClient client, TcpClient target)
    {
        try
        {
            await target.ConnectAsync(IPAddress.Loopback, targetPort);
            await Task.WhenAny(client.GetStream().CopyToAsync(target.GetStream()), target.GetStream().CopyToAsync(client.GetStream()));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // A connection cut by Down(), or closed by either end.
        }
        finally
        {
            client.Dispose();
            target.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Down();
        return ValueTask.CompletedTask;
    }
}
