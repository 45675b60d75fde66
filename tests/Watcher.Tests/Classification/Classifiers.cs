using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Watcher.Classification;
using Watcher.Configuration;
using Watcher.Tests.Support;

namespace Watcher.Tests.Classification;

/// <summary>Classifiers and data sets the classification tests share.</summary>
internal static class Classifiers
{
    private static readonly Lazy<LocalClassifier> BuiltIn = new(() => new LocalClassifier(Options.Create(Bind(new ConfigurationBuilder().AddWatcherDefaults().Build()))));

    private static readonly Lazy<LocalClassifier> Rules = new(() =>
    {
        var options = Bind(new ConfigurationBuilder().AddWatcherDefaults().Build());
        foreach (var topic in options.Topics.Values)
        {
            topic.Examples = null;
        }

        return new LocalClassifier(Options.Create(options));
    });

    /// <summary>The local classifier with the built-in topics, as shipped (learned from the corpus of real articles).</summary>
    public static LocalClassifier Default => BuiltIn.Value;

    /// <summary>The built-in topics decided by their rules alone: what the rule-matcher tests and the self-written fixtures exercise.</summary>
    public static LocalClassifier RulesOnly => Rules.Value;

    /// <summary>Options from the shipped defaults overlaid with <paramref name="json"/> (a document with a <c>Watcher</c> section).</summary>
    public static WatcherOptions OptionsFrom(string json, bool withDefaults = true)
    {
        var builder = new ConfigurationBuilder();
        if (withDefaults)
        {
            builder.AddWatcherDefaults();
        }

        builder.AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json)));
        return Bind(builder.Build());
    }

    public static async Task<List<LabelledArticle>> ReadDataSetAsync(string name)
    {
        var path = RepositoryPaths.Combine("data", "classification", name);
        using var reader = File.OpenText(path);
        return await LabelledArticle.ReadJsonLinesAsync(reader, path, CancellationToken.None);
    }

    public static List<string> TopicIds(this ClassificationResult result) => result.Topics.Select(t => t.Id).Order(StringComparer.Ordinal).ToList();

    private static WatcherOptions Bind(IConfiguration configuration)
    {
        var options = new WatcherOptions();
        configuration.GetSection(WatcherOptions.SectionName).Bind(options);
        return options;
    }
}
