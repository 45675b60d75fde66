using System.Text.RegularExpressions;

namespace Watcher.Configuration;

/// <summary>The ids of the built-in topics, and the rule every topic id follows.</summary>
public static partial class TopicIds
{
    public const string FiveGBan = "5g-ban";
    public const string Blacklist = "blacklist";
    public const string Divestment = "divestment";

    public static bool IsValid(string id) => ValidId().IsMatch(id);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex ValidId();
}
