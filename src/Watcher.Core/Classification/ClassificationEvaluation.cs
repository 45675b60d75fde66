using System.Text.Json;
using System.Text.Json.Serialization;

namespace Watcher.Classification;

/// <summary>One line of a JSONL data set: <c>{"id","title","text","lang"?,"labels"?:[...]}</c>.</summary>
public sealed record LabelledArticle
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("title")]
    public string Title { get; init; } = "";

    [JsonPropertyName("text")]
    public string Text { get; init; } = "";

    [JsonPropertyName("lang")]
    public string? Lang { get; init; }

    [JsonPropertyName("labels")]
    public IReadOnlyList<string>? Labels { get; init; }

    /// <summary>The site the article was published on; cross-validation keeps a site on one side.</summary>
    [JsonPropertyName("source")]
    public string? Source { get; init; }

    [JsonPropertyName("url")]
    public string? Url { get; init; }

    /// <summary>No topic, but the same companies and words as one (data/classification/README.md).</summary>
    [JsonPropertyName("hard_negative")]
    public bool HardNegative { get; init; }

    public ClassificationRequest ToRequest() => new(Id, Title, Text, Lang);

    /// <summary>Reads a JSONL file; a bad line fails with its file and line number.</summary>
    public static async Task<List<LabelledArticle>> ReadJsonLinesAsync(TextReader reader, string source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var items = new List<LabelledArticle>();
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            if (Parse(line, source, number) is { } item)
            {
                items.Add(item);
            }
        }

        return items;
    }

    /// <summary>The same as <see cref="ReadJsonLinesAsync"/> for text already in memory (an embedded resource).</summary>
    public static List<LabelledArticle> ReadJsonLines(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var items = new List<LabelledArticle>();
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            if (Parse(line, source, number) is { } item)
            {
                items.Add(item);
            }
        }

        return items;
    }

    private static LabelledArticle? Parse(string line, string source, int number)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        try
        {
            var item = JsonSerializer.Deserialize(line, LabelledArticleJsonContext.Default.LabelledArticle)
                ?? throw new InvalidDataException("the line is null.");
            if (string.IsNullOrWhiteSpace(item.Title) && string.IsNullOrWhiteSpace(item.Text))
            {
                throw new InvalidDataException("both 'title' and 'text' are empty.");
            }

            return item;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}:{number}: not a JSON object with a string 'id' ({e.Message})", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source}:{number}: {e.Message}", e);
        }
    }
}

// Source-generated: reflection-based deserialization would add its JIT to every cold start that
// loads the embedded corpus.
[JsonSerializable(typeof(LabelledArticle))]
internal sealed partial class LabelledArticleJsonContext : JsonSerializerContext;

/// <summary>Precision, recall and F1 of one topic over a labelled data set.</summary>
public sealed record TopicScore(string Topic, int TruePositives, int FalsePositives, int FalseNegatives)
{
    public double Precision => TruePositives + FalsePositives == 0 ? 1 : (double)TruePositives / (TruePositives + FalsePositives);

    public double Recall => TruePositives + FalseNegatives == 0 ? 1 : (double)TruePositives / (TruePositives + FalseNegatives);

    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

/// <summary>An item whose predicted topics differ from its labels.</summary>
public sealed record Misclassification(string Id, IReadOnlyList<string> Expected, IReadOnlyList<string> Predicted);

/// <summary>The figures <c>watcher eval</c> prints.</summary>
public sealed record EvaluationReport(int Items, IReadOnlyList<TopicScore> Topics, IReadOnlyList<Misclassification> Misclassified)
{
    public double MacroF1 => Topics.Count == 0 ? 0 : Topics.Average(t => t.F1);

    /// <summary>Scores <paramref name="predictions"/> (id → topics) against the labels of <paramref name="items"/>, per topic in <paramref name="topics"/>.</summary>
    public static EvaluationReport Compute(IReadOnlyList<LabelledArticle> items, IReadOnlyDictionary<string, IReadOnlyList<string>> predictions, IEnumerable<string> topics)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(predictions);
        var scores = new List<TopicScore>();
        foreach (var topic in topics.Order(StringComparer.Ordinal))
        {
            int tp = 0, fp = 0, fn = 0;
            foreach (var item in items)
            {
                var expected = item.Labels?.Contains(topic) == true;
                var predicted = predictions[item.Id].Contains(topic);
                tp += expected && predicted ? 1 : 0;
                fp += !expected && predicted ? 1 : 0;
                fn += expected && !predicted ? 1 : 0;
            }

            scores.Add(new TopicScore(topic, tp, fp, fn));
        }

        var wrong = items
            .Select(i => new Misclassification(i.Id, (i.Labels ?? []).Order(StringComparer.Ordinal).ToList(), predictions[i.Id].Order(StringComparer.Ordinal).ToList()))
            .Where(m => !m.Expected.SequenceEqual(m.Predicted))
            .ToList();
        return new EvaluationReport(items.Count, scores, wrong);
    }
}
