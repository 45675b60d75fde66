using System.Text.Json;
using Watcher.Articles;
using Xunit.Abstractions;

namespace Watcher.Tests.Articles;

/// <summary>
/// Measures the same-story detector on the labelled pairs in <c>Fixtures/similarity/pairs.jsonl</c>
/// (wire copies with light edits, rewritten reports, and different stories on the same topic; Dutch
/// and English), as the index decides: a shared band, then the signature similarity.
/// </summary>
public sealed class StorySimilarityTests(ITestOutputHelper output)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The pairs the word length, bands and threshold were chosen on.</summary>
    public static IReadOnlyList<LabelledPair> Pairs { get; } = Load("pairs.jsonl");

    /// <summary>Pairs written after those choices were fixed, never used to tune them.</summary>
    public static IReadOnlyList<LabelledPair> HeldOut { get; } = Load("holdout.jsonl");

    private static List<LabelledPair> Load(string file) =>
        File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Fixtures", "similarity", file))
            .Where(line => line.Length > 0)
            .Select(line => JsonSerializer.Deserialize<LabelledPair>(line, Json)!)
            .ToList();

    public static bool Detects(LabelledPair pair)
    {
        var a = StorySignature.Compute(pair.A.Title, pair.A.Text)!;
        var b = StorySignature.Compute(pair.B.Title, pair.B.Text)!;
        return StorySignature.BandKeys(a).Intersect(StorySignature.BandKeys(b)).Any() &&
            StorySignature.Similarity(a, b) >= StorySignature.SameStoryThreshold;
    }

    [Fact]
    public void The_labelled_set_has_at_least_40_pairs_in_both_languages_and_both_labels()
    {
        Assert.True(Pairs.Count >= 40);
        foreach (var language in new[] { "en", "nl" })
        {
            Assert.Contains(Pairs, p => p.Lang == language && p.Label == "same");
            Assert.Contains(Pairs, p => p.Lang == language && p.Label == "different");
        }
    }

    [Fact]
    public void Precision_and_recall_on_the_labelled_pairs()
    {
        var (precision, recall) = Measure("labelled", Pairs);
        Assert.True(precision >= 0.95, $"precision {precision:0.000}");
        Assert.True(recall >= 0.9, $"recall {recall:0.000}");
    }

    [Fact]
    public void Precision_and_recall_on_the_held_out_pairs()
    {
        var (precision, recall) = Measure("held-out", HeldOut);
        Assert.True(precision >= 0.75, $"precision {precision:0.000}");
        Assert.True(recall >= 0.75, $"recall {recall:0.000}");
    }

    private (double Precision, double Recall) Measure(string name, IReadOnlyList<LabelledPair> pairs)
    {
        var truePositives = 0;
        var falsePositives = 0;
        var falseNegatives = 0;
        foreach (var pair in pairs)
        {
            var detected = Detects(pair);
            var same = pair.Label == "same";
            if (detected && same)
            {
                truePositives++;
            }
            else if (detected)
            {
                falsePositives++;
                output.WriteLine($"false positive: {pair.Id}");
            }
            else if (same)
            {
                falseNegatives++;
                output.WriteLine($"missed: {pair.Id} (similarity {Similarity(pair):0.00})");
            }
        }

        var precision = (double)truePositives / Math.Max(1, truePositives + falsePositives);
        var recall = (double)truePositives / Math.Max(1, truePositives + falseNegatives);
        output.WriteLine($"same-story detector on {pairs.Count} {name} pairs ({pairs.Count(p => p.Label == "same")} same, {pairs.Count(p => p.Label == "different")} different): precision {precision:0.000}, recall {recall:0.000}");
        return (precision, recall);
    }

    [Fact]
    public void Signatures_ignore_case_accents_and_punctuation_and_need_enough_words()
    {
        var a = StorySignature.Compute("Beëindiging CONTRACT", "Huawei, ZTE; Café-regels voor netwerken en leveranciers!")!;
        var b = StorySignature.Compute("beeindiging contract", "huawei zte cafe regels voor netwerken en leveranciers")!;
        Assert.Equal(1.0, StorySignature.Similarity(a, b));
        Assert.Null(StorySignature.Compute("Short", "too few"));
    }

    private static double Similarity(LabelledPair pair) =>
        StorySignature.Similarity(StorySignature.Compute(pair.A.Title, pair.A.Text)!, StorySignature.Compute(pair.B.Title, pair.B.Text)!);

    public sealed record LabelledPair(string Id, string Lang, string Label, string Kind, StoryText A, StoryText B);

    public sealed record StoryText(string Title, string Text);
}
