using System.Diagnostics;
using System.Text.Json;
using Watcher.Tests.Support;

namespace Watcher.Tests.Browser;

/// <summary>Runs <c>browser.mjs</c> (playwright-core driving Debian's headless Chromium) and returns what it printed.</summary>
public static class ChromiumDriver
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public static async Task<JsonElement> RunAsync(params string[] arguments)
    {
        // A missing browser is a broken test machine, not a reason to skip: fail and say how to fix it.
        Assert.True(File.Exists(ChromiumPath), $"Chromium is required for the browser tests and was not found at {ChromiumPath}. Install it with: apt-get install -y chromium");

        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(RepositoryPaths.Combine("tests", "Watcher.Tests", "Browser", "browser.mjs"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"browser.mjs {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}");
        return JsonDocument.Parse(await output).RootElement.Clone();
    }
}
