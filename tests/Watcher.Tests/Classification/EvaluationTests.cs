using System.Text.Json;
using Watcher.Classification;
using Watcher.Local.Commands;

namespace Watcher.Tests.Classification;

/// <summary><c>watcher eval</c> arithmetic and <c>watcher classify --jsonl</c> output.</summary>
public sealed class EvaluationTests
{
    [Fact]
    public void Report_computes_precision_recall_f1_and_lists_misclassified_ids()
    {
        LabelledArticle Item(string id, params string[] labels) => new() { Id = id, Title = id, Labels = labels };
        var items = new[] { Item("a", "x"), Item("b", "x"), Item("c"), Item("d", "y") };
        var predictions = new Dictionary<string, IReadOnlyList<string>>
        {
            ["a"] = ["x"], ["b"] = [], ["c"] = ["x"], ["d"] = ["y"],
        };

        var report = EvaluationReport.Compute(items, predictions, ["x", "y"]);

        var x = report.Topics.Single(t => t.Topic == "x");
        Assert.Equal((1, 1, 1), (x.TruePositives, x.FalsePositives, x.FalseNegatives));
        Assert.Equal(0.5, x.Precision);
        Assert.Equal(0.5, x.Recall);
        Assert.Equal(1.0, report.Topics.Single(t => t.Topic == "y").F1);
        Assert.Equal(0.75, report.MacroF1);
        Assert.Equal(["b", "c"], report.Misclassified.Select(m => m.Id));

        var printed = new StringWriter();
        EvalCommand.Print(report, printed);
        Assert.Contains("macro-F1 0.750", printed.ToString(), StringComparison.Ordinal);
        Assert.Contains("  b: expected [x], got []", printed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_line_is_reported_with_its_file_and_number()
    {
        using var reader = new StringReader("{\"id\":\"1\",\"title\":\"t\",\"text\":\"x\"}\n\n{\"id\":2}\n");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => LabelledArticle.ReadJsonLinesAsync(reader, "in.jsonl", CancellationToken.None));

        Assert.StartsWith("in.jsonl:3:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Classify_jsonl_prints_one_line_per_input()
    {
        var path = Path.Combine(Path.GetTempPath(), $"watcher-jsonl-{Guid.NewGuid():n}.jsonl");
        await File.WriteAllLinesAsync(path,
        [
            """{"id":"n1","title":"Italië weert Huawei uit 5G-netwerk","text":"De regering sluit Huawei en ZTE uit van het 5G-netwerk.","lang":"nl"}""",
            """{"id":"e1","title":"TikTok adds a feature","text":"TikTok lets users add music to photo posts."}""",
        ]);
        try
        {
            var output = new StringWriter();
            var exit = await ClassifyCommand.ClassifyLinesAsync(Classifiers.Default, path, output, CancellationToken.None);

            Assert.Equal(0, exit);
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(2, lines.Count);
            Assert.Equal(["id", "language", "topics", "summary"], lines[0].EnumerateObject().Select(p => p.Name));
            Assert.Equal("nl", lines[0].GetProperty("language").GetString());
            var topic = lines[0].GetProperty("topics")[0];
            Assert.Equal("5g-ban", topic.GetProperty("id").GetString());
            Assert.InRange(topic.GetProperty("score").GetDouble(), 0.5, 1);
            Assert.NotEqual(0, topic.GetProperty("evidence").GetArrayLength());
            Assert.Equal(0, lines[1].GetProperty("topics").GetArrayLength());
            Assert.Equal("en", lines[1].GetProperty("language").GetString());
        }
        finally
        {
            File.Delete(path);
        }
    }
}

/// <summary>What <c>watcher classify FILE</c> reads.</summary>
public sealed class ArticleFileTests
{
    [Fact]
    public void Article_json_as_stored_is_read_with_its_id_and_language()
    {
        var request = ClassifyCommand.ReadArticle("/tmp/x.json", """{"schema":1,"id":"abc123","url":"https://e.example/a","title":"Titel","text":"Tekst.","language":"nl","source":{"feedName":"f","feedUrl":"https://e.example/f"}}""");

        Assert.Equal(new ClassificationRequest("abc123", "Titel", "Tekst.", "nl"), request);
    }

    [Fact]
    public void Plain_text_drops_the_date_marker_and_takes_the_first_sentence_as_title()
    {
        var request = ClassifyCommand.ReadArticle("/tmp/007_x.txt", " date 2020-07 Het kabinet weert Huawei. De operators krijgen vijf jaar.\n\nTweede alinea.");

        Assert.Equal(new ClassificationRequest("007_x", "Het kabinet weert Huawei.", "De operators krijgen vijf jaar.\n\nTweede alinea.", null), request);
    }

    [Theory]
    [InlineData("{ not json", "is not valid JSON")]
    [InlineData("{\"id\":\"1\"}", "neither 'title' nor 'text'")]
    [InlineData("  ", "the file is empty")]
    public void Bad_file_is_refused_with_the_reason(string content, string reason)
    {
        var error = Assert.Throws<InvalidDataException>(() => ClassifyCommand.ReadArticle("/tmp/bad.txt", content));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("/tmp/bad.txt:", error.Message, StringComparison.Ordinal);
    }
}
