using System.CommandLine;

namespace Watcher.Local.Commands;

/// <summary>Options every command understands.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Config = new("--config")
    {
        Description = "Configuration file (JSON with a 'Watcher' section). Default: the watcher.json shipped beside the executable.",
        Recursive = true,
    };
}
