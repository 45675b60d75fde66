using System.Diagnostics;
using System.IO.Compression;
using Watcher.Tests.Support;

namespace Watcher.Tests.Functions;

/// <summary>
/// scripts/package-functions.sh, the zip azd deploy would upload: every file of the publish
/// output at the zip's root, the host's hidden extension folder included, and no local secrets.
/// </summary>
public sealed class DeployPackageTests(PublishedAppTests.PublishedApp app) : IClassFixture<PublishedAppTests.PublishedApp>
{
    [Fact]
    public async Task The_package_holds_exactly_the_published_app_with_its_metadata_at_the_root()
    {
        var zip = Path.Combine(Path.GetTempPath(), "watcher-package-" + Guid.NewGuid().ToString("N"), "watcher-functions.zip");
        try
        {
            var start = new ProcessStartInfo("bash")
            {
                ArgumentList = { RepositoryPaths.Combine("scripts", "package-functions.sh"), zip },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var script = Process.Start(start)!;
            var output = script.StandardOutput.ReadToEndAsync();
            var errors = script.StandardError.ReadToEndAsync();
            await script.WaitForExitAsync();
            Assert.True(script.ExitCode == 0, $"package-functions.sh exited {script.ExitCode}:\n{await output}\n{await errors}");
            Assert.Contains(zip, await output, StringComparison.Ordinal);

            using var package = ZipFile.OpenRead(zip);
            var entries = package.Entries.Where(e => !e.FullName.EndsWith('/')).Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
            var published = Directory.EnumerateFiles(app.Directory, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(app.Directory, f).Replace('\\', '/'))
                .ToHashSet(StringComparer.Ordinal);

            Assert.Equal(published.Order(StringComparer.Ordinal), entries.Order(StringComparer.Ordinal));
            Assert.Contains(entries, e => e.StartsWith(".azurefunctions/", StringComparison.Ordinal));
            foreach (var required in new[] { "functions.metadata", "host.json", "worker.config.json", "extensions.json", "watcher.json", "Watcher.Functions.dll" })
            {
                Assert.Contains(required, entries);
            }

            Assert.DoesNotContain("local.settings.json", entries);
        }
        finally
        {
            if (Directory.Exists(Path.GetDirectoryName(zip)))
            {
                Directory.Delete(Path.GetDirectoryName(zip)!, recursive: true);
            }
        }
    }
}
