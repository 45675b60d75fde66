using System.Diagnostics;
using System.Text;

namespace Watcher.Tests.Infrastructure;

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

    public static async Task<CliResult> RunAsync(IEnumerable<string> arguments, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(WatcherDll)!,
        };
        start.ArgumentList.Add(WatcherDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"watcher {string.Join(' ', arguments)} did not exit in time. Output: {stdout}{stderr}");
        }

        process.WaitForExit();
        return new CliResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }
}

public sealed record CliResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Output => StandardOutput + StandardError;

    public override string ToString() => $"exit {ExitCode}\n{Output}";
}
