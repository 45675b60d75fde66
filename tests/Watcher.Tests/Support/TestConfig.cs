using System.Text.Json;
using System.Text.Json.Nodes;

namespace Watcher.Tests.Support;

/// <summary>Writes a Watcher configuration file for one test, in the public JSON shape.</summary>
public static class TestConfig
{
    public static string Write(string directory, JsonObject watcher)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "watcher.json");
        File.WriteAllText(path, new JsonObject { ["Watcher"] = watcher }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    public static JsonObject Feed(string name, Uri url, string language) =>
        new() { ["Name"] = name, ["Url"] = url.AbsoluteUri, ["Language"] = language };

    public static JsonObject Subscriber(string email, string schedule, params string[] topics) =>
        new() { ["Email"] = email, ["Name"] = email.Split('@')[0], ["Topics"] = new JsonArray(topics.Select(t => (JsonNode)t!).ToArray()), ["Schedule"] = schedule };
}
