namespace Watcher.Tests.Support;

/// <summary>Paths in the repository the tests run from.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Watcher.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Watcher.sln not found above " + AppContext.BaseDirectory);
    }
}
