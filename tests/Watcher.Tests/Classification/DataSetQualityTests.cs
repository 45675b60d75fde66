using Watcher.Classification;
using Watcher.Local.Commands;

namespace Watcher.Tests.Classification;

/// <summary>
/// The self-written sentences in <c>data/classification</c> (dev.jsonl, heldout.jsonl) as unit
/// fixtures of the topic rules alone: they hold the rules' behaviour, never the classifier's
/// quality, which is measured on real articles (<see cref="RealArticleTests"/>).
/// </summary>
public sealed class DataSetQualityTests
{
    private static readonly string[] Topics = ["5g-ban", "blacklist", "divestment"];

    [Fact]
    public async Task Development_set_is_large_varied_and_labelled_with_the_built_in_topics()
    {
        var items = await Classifiers.ReadDataSetAsync("dev.jsonl");

        Assert.True(items.Count >= 80, $"{items.Count} items");
        Assert.True(items.Count(i => i.Labels is { Count: 0 }) >= 30, "at least 30 hard negatives");
        Assert.True(items.Count(i => i.Labels is { Count: > 1 }) >= 5, "multi-label cases");
        Assert.True(items.Count(i => i.Lang == "nl") >= 30 && items.Count(i => i.Lang == "en") >= 30, "Dutch and English");
        Assert.All(items, i => Assert.All(i.Labels!, l => Assert.Contains(l, Topics)));
        Assert.All(Topics, t => Assert.True(items.Count(i => i.Labels!.Contains(t)) >= 15, $"{t} has at least 15 positives"));
        Assert.Equal(items.Count, items.Select(i => i.Id).Distinct().Count());
    }

    [Fact]
    public async Task Development_set_macro_F1_is_at_least_0_90()
    {
        var items = await Classifiers.ReadDataSetAsync("dev.jsonl");

        var report = await EvalCommand.EvaluateAsync(Classifiers.RulesOnly, items, Topics, CancellationToken.None);

        var details = Describe(report);
        Assert.True(report.MacroF1 >= 0.90, details);
        Assert.All(report.Topics, t => Assert.True(t.F1 >= 0.85, $"{t.Topic}: {details}"));
        Assert.All(report.Topics, t => Assert.True(t.Precision >= 0.85, $"{t.Topic} precision: {details}"));
    }

    [Fact]
    public async Task Held_out_set_stays_above_its_regression_floor()
    {
        var items = await Classifiers.ReadDataSetAsync("heldout.jsonl");
        Assert.True(items.Count >= 30, $"{items.Count} held-out items");

        var report = await EvalCommand.EvaluateAsync(Classifiers.RulesOnly, items, Topics, CancellationToken.None);

        Assert.True(report.MacroF1 >= 0.85, Describe(report));
    }

    [Fact]
    public async Task Hard_negatives_match_no_topic()
    {
        var negatives = (await Classifiers.ReadDataSetAsync("dev.jsonl")).Where(i => i.Labels is { Count: 0 }).ToList();

        var matched = negatives
            .Select(i => (i.Id, Topics: Classifiers.RulesOnly.Classify(i.ToRequest()).TopicIds()))
            .Where(r => r.Topics.Count > 0)
            .Select(r => $"{r.Id}: {string.Join(",", r.Topics)}")
            .ToList();

        Assert.Empty(matched);
    }

    private static string Describe(EvaluationReport report) =>
        $"macro-F1 {report.MacroF1:0.000}; " + string.Join("; ", report.Topics.Select(t => $"{t.Topic} P {t.Precision:0.00} R {t.Recall:0.00}"))
        + "; wrong: " + string.Join(", ", report.Misclassified.Select(m => $"{m.Id} [{string.Join(",", m.Expected)}]→[{string.Join(",", m.Predicted)}]"));
}
