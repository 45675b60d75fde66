using System.Diagnostics;
using System.Text;
using Watcher.Local.Hosting;

namespace Watcher.Bench;

/// <summary>The programs a benchmark runs and times: the built <c>watcher</c>, rss2email, <c>/usr/bin/time</c>.</summary>
internal static class ChildProcess
{
    /// <summary>The <c>watcher</c> build this tool was built with (copied beside it), started as a user starts it.</summary>
    public static string[] WatcherCommand()
    {
        var process = Environment.ProcessPath ?? "dotnet";
        var dotnet = Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet";
        return [dotnet, typeof(WatcherApp).Assembly.Location];
    }

    /// <summary>
    /// Runs a program to its end and times it. <paramref name="keep"/> adds each output line to
    /// what is returned, or leaves it out: the programs log a line per article.
    /// </summary>
    public static async Task<(int ExitCode, TimeSpan Elapsed, string Output)> RunAsync(
        string executable, IEnumerable<string> arguments, Action<StringBuilder, string> keep, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        void Keep(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    keep(output, line);
                }
            }
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        watch.Stop();
        lock (output)
        {
            return (process.ExitCode, watch.Elapsed, output.ToString());
        }
    }
}
