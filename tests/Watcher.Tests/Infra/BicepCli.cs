using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Watcher.Tests.Infra;

/// <summary>
/// The Bicep CLI that restore brought from the NuGet package Azure.Bicep.CommandLine.linux-x64;
/// the test project records its path in an assembly metadata attribute.
/// </summary>
public static partial class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static string Path { get; } = FindPath();

    /// <summary>Runs <c>bicep</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>.</summary>
    public static async Task<BicepRun> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Path}.");
        using var timeout = new CancellationTokenSource(Timeout);
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Timeout}.");
        }

        return new BicepRun(process.ExitCode, await stdout, await stderr);
    }

    private static string FindPath()
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == "BicepPath")?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The Bicep CLI was not found at '{path}'. It comes from the NuGet package Azure.Bicep.CommandLine.linux-x64 " +
                "(see tests/Watcher.Tests/Watcher.Tests.csproj); run 'dotnet restore tests/Watcher.Tests'.");
        }

        // Older NuGet clients extract package files without their execute bit.
        if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        }

        return path;
    }

    [GeneratedRegex(@"^(?<file>.+?)\((?<line>\d+),(?<column>\d+)\) : (?<level>Error|Warning|Info) (?<code>[^:]+): (?<message>.*)$", RegexOptions.Multiline)]
    internal static partial Regex DiagnosticLine();
}

/// <summary>One finished CLI run; <see cref="Diagnostics"/> are the errors, warnings and infos it printed.</summary>
public sealed record BicepRun(int ExitCode, string StandardOutput, string StandardError)
{
    public IReadOnlyList<BicepDiagnostic> Diagnostics { get; } =
        BicepCli.DiagnosticLine().Matches(StandardOutput + "\n" + StandardError)
            .Select(match => new BicepDiagnostic(
                match.Groups["file"].Value,
                int.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
                match.Groups["level"].Value,
                match.Groups["code"].Value.Trim(),
                match.Groups["message"].Value.Trim()))
            .ToList();

    public override string ToString() => $"exit {ExitCode}\n{StandardOutput}\n{StandardError}";
}

public sealed record BicepDiagnostic(string File, int Line, string Level, string Code, string Message)
{
    public override string ToString() => $"{File}({Line}): {Level} {Code}: {Message}";
}
