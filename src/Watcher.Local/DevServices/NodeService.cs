using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Watcher.Local.DevServices;

/// <summary>
/// A development service from the repository's <c>node_modules</c> (Azurite, MailDev) running
/// on loopback as a child process, stopped with its process tree on dispose.
/// </summary>
public abstract class NodeService : IAsyncDisposable
{
    private Process? process;
    private System.Text.StringBuilder output = new();

    protected abstract string Package { get; }

    protected abstract string EntryScript { get; }

    /// <summary>Starts the service and waits until <paramref name="readyPort"/> accepts connections.</summary>
    protected async Task StartAsync(IEnumerable<string> arguments, int readyPort, CancellationToken cancellationToken)
    {
        var script = Path.Combine(FindNodeModules(), Package, EntryScript);
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start node for {Package}.");
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        this.output = output;
        await WaitUntilListeningAsync(readyPort, cancellationToken);
    }

    /// <summary>Waits until the service accepts connections on <paramref name="port"/>; fails if it exits first.</summary>
    protected async Task WaitUntilListeningAsync(int port, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process is null || process.HasExited)
            {
                throw new InvalidOperationException($"{Package} exited with code {process?.ExitCode}: {output}");
            }

            if (await IsListeningAsync(port, cancellationToken))
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"{Package} did not listen on 127.0.0.1:{port} within 60 s: {output}");
    }

    public bool IsRunning => process is { HasExited: false };

    /// <summary>Kills the service at once, as a crash would (fault tests).</summary>
    public async Task KillAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Stops the service with SIGTERM, as a host shutting down would, and waits for it.</summary>
    public async Task TerminateAsync()
    {
        if (process is not { HasExited: false })
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// A TCP port on loopback that nothing listens on now, and that this process was not given
    /// before. It is drawn below the system's ephemeral range (32768 and up on Linux): a port the
    /// system hands out for "any port" is soon reused for outgoing connections and other probes,
    /// and Azurite then could not listen on it (EADDRINUSE).
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            if (!HandedOut.TryAdd(port, true))
            {
                continue;
            }

            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken by someone else; draw another.
            }
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> HandedOut = new();

    /// <summary>The repository's node_modules, found upwards from the executable or the working directory.</summary>
    public static string FindNodeModules()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "node_modules");
                if (Directory.Exists(Path.Combine(candidate, "azurite")))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidOperationException("node_modules with azurite and maildev not found; run 'npm ci' in the repository root.");
    }

    /// <summary>Whether something accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
