using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Classification;
using Watcher.Configuration;
using Watcher.Local.Hosting;

namespace Watcher.Local.Commands;

/// <summary><c>watcher eval DATASET.jsonl</c>: per-topic precision, recall, F1, macro-F1 and the misclassified ids.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var dataset = new Argument<FileInfo>("DATASET") { Description = "JSONL lines {\"id\",\"title\",\"text\",\"lang\"?,\"labels\":[...]}." };
        var command = new Command("eval", "Measure the configured classifier against a labelled data set.") { dataset };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var path = parse.GetValue(dataset)!.FullName;
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"{path} does not exist.");
                return 2;
            }

            List<LabelledArticle> items;
            using (var reader = File.OpenText(path))
            {
                try
                {
                    items = await LabelledArticle.ReadJsonLinesAsync(reader, path, cancellationToken);
                }
                catch (InvalidDataException e)
                {
                    Console.Error.WriteLine(e.Message);
                    return 2;
                }
            }

            using var app = WatcherApp.Build(parse.GetValue(GlobalOptions.Config), LogLevel.Warning);
            var classifier = app.GetRequiredService<IArticleClassifier>();
            var topics = app.GetRequiredService<IOptions<WatcherOptions>>().Value.Topics.Keys;
            var report = await EvaluateAsync(classifier, items, topics, cancellationToken);
            Print(report, Console.Out);
            return 0;
        });
        return command;
    }

    internal static async Task<EvaluationReport> EvaluateAsync(IArticleClassifier classifier, IReadOnlyList<LabelledArticle> items, IEnumerable<string> topics, CancellationToken cancellationToken)
    {
        var predictions = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (predictions.ContainsKey(item.Id))
            {
                throw new InvalidDataException($"Id '{item.Id}' appears twice in the data set.");
            }

            var result = await classifier.ClassifyAsync(item.ToRequest(), cancellationToken);
            predictions[item.Id] = result.Topics.Select(t => t.Id).ToList();
        }

        return EvaluationReport.Compute(items, predictions, topics);
    }

    internal static void Print(EvaluationReport report, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"{report.Items} items"));
        output.WriteLine($"{"topic",-14} {"precision",9} {"recall",7} {"F1",6}  {"TP",4} {"FP",4} {"FN",4}");
        foreach (var t in report.Topics)
        {
            output.WriteLine(string.Create(c, $"{t.Topic,-14} {t.Precision,9:0.000} {t.Recall,7:0.000} {t.F1,6:0.000}  {t.TruePositives,4} {t.FalsePositives,4} {t.FalseNegatives,4}"));
        }

        output.WriteLine(string.Create(c, $"macro-F1 {report.MacroF1:0.000}"));
        output.WriteLine(string.Create(c, $"misclassified: {report.Misclassified.Count}"));
        foreach (var m in report.Misclassified)
        {
            output.WriteLine($"  {m.Id}: expected [{string.Join(", ", m.Expected)}], got [{string.Join(", ", m.Predicted)}]");
        }
    }
}
