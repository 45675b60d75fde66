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

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Package} exited with code {process.ExitCode}: {output}");
            }

            if (await IsListeningAsync(readyPort, cancellationToken))
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"{Package} did not listen on 127.0.0.1:{readyPort} within 60 s: {output}");
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

    /// <summary>A TCP port on loopback that nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

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

    private static async Task<bool> IsListeningAsync(int port, CancellationToken cancellationToken)
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
