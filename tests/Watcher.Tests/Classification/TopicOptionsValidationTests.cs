using Watcher.Configuration;

namespace Watcher.Tests.Classification;

/// <summary>A bad topic definition stops start-up with a message that names the setting.</summary>
public sealed class TopicOptionsValidationTests
{
    [Fact]
    public void Built_in_topics_are_valid()
    {
        var result = new WatcherOptionsValidator().Validate(null, Classifiers.OptionsFrom("""{ "Watcher": {} }"""));

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("""{ "Rules": [ { "AllOf": [ [ "ban", "ver*bod" ] ] } ] }""", "Watcher:Topics:x:Rules:0:AllOf:0:1", "'*' may only start or end a word")]
    [InlineData("""{ "Rules": [ { "AllOf": [ [ "ban" ] ], "Weight": 0 } ] }""", "Watcher:Topics:x:Rules:0:Weight", "(0, 10]")]
    [InlineData("""{ "Rules": [ { "AllOf": [ [ "ban" ] ], "Proximity": 9 } ] }""", "Watcher:Topics:x:Rules:0:Proximity", "0..5")]
    [InlineData("""{ "AllOf": [ [ "@person" ] ] }""", "Watcher:Topics:x:AllOf:0:0", "not an entity category")]
    [InlineData("""{ "AllOf": [ [ "ban" ] ], "Signals": [ { "Terms": [ "spam" ] } ] }""", "Watcher:Topics:x:Signals:0:Weight", "non-zero")]
    [InlineData("""{ "AllOf": [ [ "ban" ] ], "Context": [ [ ] ] }""", "Watcher:Topics:x:Context:0", "empty group")]
    [InlineData("""{ "AllOf": [ [ "ban" ] ], "NoneOf": [ "* *" ] }""", "Watcher:Topics:x:NoneOf:0", "any word")]
    [InlineData("""{ "AllOf": [ [ "ban" ] ], "TitleWeight": -1 }""", "Watcher:Topics:x:TitleWeight", "[0, 10]")]
    [InlineData("""{ "AllOf": [ [ "ban" ] ], "Threshold": 1.5 }""", "Watcher:Topics:x:Threshold", "(0, 1]")]
    [InlineData("""{ "Name": "no rules" }""", "Watcher:Topics:x:AllOf", "AllOf, at least one entry in Rules, or Examples")]
    public void Bad_topic_setting_is_named(string topic, string setting, string problem)
    {
        var options = Classifiers.OptionsFrom($$"""{ "Watcher": { "Topics": { "x": {{topic}} } } }""", withDefaults: false);

        var result = new WatcherOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(setting + ":", StringComparison.Ordinal) && f.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void Azure_backend_needs_an_endpoint()
    {
        var options = Classifiers.OptionsFrom("""{ "Watcher": { "Classifier": { "Backend": "azure-language" } } }""");

        var result = new WatcherOptionsValidator().Validate(null, options);

        Assert.Contains(result.Failures!, f => f.StartsWith("Watcher:Classifier:Endpoint:", StringComparison.Ordinal));
    }
}
