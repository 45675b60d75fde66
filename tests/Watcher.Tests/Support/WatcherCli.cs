using System.Diagnostics;
using System.Text;

namespace Watcher.Tests.Support;

/// <summary>Runs the real <c>watcher</c> executable as a user would, and captures what it prints.</summary>
public static class WatcherCli
{
    /// <summary>
    /// The executable in its own build output (same configuration as the tests), so it runs with
    /// its own dependency manifest exactly as a user's build does.
    /// </summary>
    public static string WatcherDll { get; } = Path.Combine(
        AppContext.BaseDirectory.Replace(
            Path.Combine("tests", "Watcher.Tests", "bin"),
            Path.Combine("src", "Watcher.Local", "bin"),
            StringComparison.Ordinal),
        "watcher.dll");

    /// <summary>The development tool <c>watcher-bench</c>, from its own build output in the same way.</summary>
    public static string BenchDll { get; } = Path.Combine(
        AppContext.BaseDirectory.Replace(
            Path.Combine("tests", "Watcher.Tests", "bin"),
            Path.Combine("tools", "Watcher.Bench", "bin"),
            StringComparison.Ordinal),
        "watcher-bench.dll");

    public static async Task<CliResult> RunAsync(IEnumerable<string> arguments, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        using var running = Start(arguments, environment);
        return await running.WaitAsync(timeout ?? TimeSpan.FromMinutes(2));
    }

    public static async Task<CliResult> RunBenchAsync(IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        using var running = Start(BenchDll, arguments, environment: null);
        return await running.WaitAsync(timeout ?? TimeSpan.FromMinutes(2));
    }

    /// <summary>Starts the executable and returns at once, so a test can interrupt or crash what it does.</summary>
    public static RunningWatcher Start(IEnumerable<string> arguments, IDictionary<string, string>? environment = null) =>
        Start(WatcherDll, arguments, environment);

    private static RunningWatcher Start(string dll, IEnumerable<string> arguments, IDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new RunningWatcher(Process.Start(start)!, string.Join(' ', arguments));
    }
}

/// <summary>A <c>watcher</c> process a test started.</summary>
public sealed class RunningWatcher : IDisposable
{
    private readonly Process process;
    private readonly string commandLine;
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();

    internal RunningWatcher(Process process, string commandLine)
    {
        this.process = process;
        this.commandLine = commandLine;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>What the process wrote so far, standard output then standard error.</summary>
    public string OutputSoFar
    {
        get
        {
            lock (stdout)
            {
                lock (stderr)
                {
                    return stdout.ToString() + stderr;
                }
            }
        }
    }

    /// <summary>Waits until the process has written <paramref name="text"/>; fails with what it wrote when it has not within <paramref name="timeout"/>.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!OutputSoFar.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"'{text}' not written within {timeout}:\n{OutputSoFar}");
            await Task.Delay(200);
        }
    }

    /// <summary>Ctrl+C, as a user stops <c>watcher run</c>.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public async Task<CliResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"watcher {commandLine} did not exit within {timeout}. Output: {stdout}{stderr}");
        }

        process.WaitForExit();
        lock (stdout)
        {
            lock (stderr)
            {
                return new CliResult(process.ExitCode, stdout.ToString(), stderr.ToString());
            }
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.Dispose();
    }
}

public sealed record CliResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Output => StandardOutput + StandardError;

    public override string ToString() => $"exit {ExitCode}\n{Output}";
}
