using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Watcher.Classification;
using Watcher.Local.Hosting;

namespace Watcher.Local.Commands;

/// <summary>
/// <c>watcher classify FILE</c> prints a readable verdict with its evidence;
/// <c>watcher classify --jsonl IN</c> prints one JSON line per input line.
/// </summary>
internal static partial class ClassifyCommand
{
    private static readonly JsonSerializerOptions LineJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Create()
    {
        var file = new Argument<FileInfo?>("FILE") { Description = "Plain text (first sentence is the title), or an article JSON as stored in the articles container.", Arity = ArgumentArity.ZeroOrOne };
        var jsonl = new Option<FileInfo?>("--jsonl") { Description = "Read lines {\"id\",\"title\",\"text\",\"lang\"?} and print one line {\"id\",\"language\",\"topics\",\"summary\"} per input." };
        var command = new Command("classify", "Classify an article with the configured classifier and show why.") { file, jsonl };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var input = parse.GetValue(file);
            var lines = parse.GetValue(jsonl);
            if ((input is null) == (lines is null))
            {
                Console.Error.WriteLine("Give either FILE or --jsonl IN.");
                return 2;
            }

            var path = (input ?? lines)!.FullName;
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"{path} does not exist.");
                return 2;
            }

            using var app = WatcherApp.Build(parse.GetValue(GlobalOptions.Config), LogLevel.Warning);
            var classifier = app.GetRequiredService<IArticleClassifier>();
            if (lines is not null)
            {
                return await ClassifyLinesAsync(classifier, path, Console.Out, cancellationToken);
            }

            ClassificationRequest request;
            try
            {
                request = ReadArticle(path, await File.ReadAllTextAsync(path, cancellationToken));
            }
            catch (InvalidDataException e)
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }

            var result = await classifier.ClassifyAsync(request, cancellationToken);
            Print(request, result, classifier, Console.Out);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Reads an article file: an article JSON (<c>{"id","title","text",...}</c>) or plain text, whose
    /// optional first-line marker <c>date YYYY-MM</c> is dropped and whose first sentence is the title.
    /// </summary>
    internal static ClassificationRequest ReadArticle(string path, string content)
    {
        var id = Path.GetFileNameWithoutExtension(path);
        var trimmed = content.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                using var document = JsonDocument.Parse(trimmed);
                var root = document.RootElement;
                string? Get(string name) =>
                    root.EnumerateObject().FirstOrDefault(p => p.Name.Equals(name, StringComparison.OrdinalIgnoreCase)).Value is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
                var title = Get("title") ?? "";
                var text = Get("text") ?? "";
                if (title.Length == 0 && text.Length == 0)
                {
                    throw new InvalidDataException($"{path}: the article JSON has neither 'title' nor 'text'.");
                }

                return new ClassificationRequest(Get("id") ?? id, title, text, Get("language") ?? Get("lang"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}: starts with '{{' but is not valid JSON: {e.Message}", e);
            }
        }

        var body = DateMarker().Replace(trimmed, "", 1).Trim();
        if (body.Length == 0)
        {
            throw new InvalidDataException($"{path}: the file is empty.");
        }

        var sentences = TextSegmenter.Sentences(body);
        var first = sentences[0];
        var rest = body[(body.IndexOf(first, StringComparison.Ordinal) + first.Length)..].Trim();
        return new ClassificationRequest(id, first, rest, null);
    }

    internal static async Task<int> ClassifyLinesAsync(IArticleClassifier classifier, string path, TextWriter output, CancellationToken cancellationToken)
    {
        List<LabelledArticle> items;
        using (var reader = File.OpenText(path))
        {
            try
            {
                items = await LabelledArticle.ReadJsonLinesAsync(reader, path, cancellationToken);
            }
            catch (InvalidDataException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }
        }

        foreach (var item in items)
        {
            var result = await classifier.ClassifyAsync(item.ToRequest(), cancellationToken);
            var line = new VerdictLine(item.Id, result.Language, result.Topics.Select(t => new VerdictTopic(t.Id, t.Score, t.Evidence)).ToList(), result.Summary);
            await output.WriteLineAsync(JsonSerializer.Serialize(line, LineJson));
        }

        return 0;
    }

    internal static void Print(ClassificationRequest request, ClassificationResult result, IArticleClassifier classifier, TextWriter output)
    {
        output.WriteLine($"{request.Id}: {request.Title}");
        output.WriteLine($"  language: {result.Language}");
        if (result.Topics.Count == 0)
        {
            output.WriteLine("  topics:   none");
        }

        foreach (var topic in result.Topics)
        {
            output.WriteLine($"  topic:    {topic.Id}  (score {topic.Score:0.00})");
            foreach (var sentence in topic.Evidence)
            {
                output.WriteLine($"            because: \"{sentence}\"");
            }
        }

        if (result.Entities.Count > 0)
        {
            output.WriteLine("  entities: " + string.Join(", ", result.Entities.Select(e => $"{e.Text} ({e.Category})")));
        }

        output.WriteLine($"  summary:  {result.Summary}");
        output.WriteLine($"  summary by {result.SummaryBy}; classifier {classifier.Name} {classifier.Version}");
    }

    [GeneratedRegex(@"^\s*date \d{4}-\d{2}(-\d{2})?\s+")]
    private static partial Regex DateMarker();

    private sealed record VerdictLine(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("language")] string Language,
        [property: JsonPropertyName("topics")] IReadOnlyList<VerdictTopic> Topics,
        [property: JsonPropertyName("summary")] string Summary);

    private sealed record VerdictTopic(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("score")] double Score,
        [property: JsonPropertyName("evidence")] IReadOnlyList<string> Evidence);
}
