using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Watcher.Classification;
using Watcher.Classification.Learning;
using Watcher.Configuration;
using Watcher.Local.Hosting;

namespace Watcher.Local.Commands;

/// <summary>
/// <c>watcher eval DATASET.jsonl</c>: per-topic precision, recall, F1, macro-F1 and the misclassified
/// ids of the configured classifier. <c>watcher eval CORPUS-DIR</c>: the learned classifier on a
/// corpus of real articles, by 5-fold cross-validation split by site and on the frozen test split.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var dataset = new Argument<FileSystemInfo>("DATASET") { Description = "A JSONL file of {\"id\",\"title\",\"text\",\"lang\"?,\"labels\":[...]} lines, or a directory of them (data/classification/real) for cross-validation and the frozen test split." };
        var rulesOnly = new Option<bool>("--rules") { Description = "With a directory: measure the topic rules alone, without the models learned from the corpus." };
        var command = new Command("eval", "Measure the classifier against labelled articles.") { dataset, rulesOnly };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var target = parse.GetValue(dataset)!;
            var files = target is DirectoryInfo directory && directory.Exists
                ? directory.GetFiles("*.jsonl", SearchOption.TopDirectoryOnly).Select(f => f.FullName).Order(StringComparer.Ordinal).ToList()
                : File.Exists(target.FullName) ? [target.FullName] : [];
            if (files.Count == 0)
            {
                Console.Error.WriteLine($"{target.FullName}: no such JSONL file, or a directory without *.jsonl files.");
                return 2;
            }

            var items = new List<LabelledArticle>();
            foreach (var path in files)
            {
                using var reader = File.OpenText(path);
                try
                {
                    items.AddRange(await LabelledArticle.ReadJsonLinesAsync(reader, path, cancellationToken));
                }
                catch (InvalidDataException e)
                {
                    Console.Error.WriteLine(e.Message);
                    return 2;
                }
            }

            using var app = WatcherApp.Build(parse.GetValue(GlobalOptions.Config), LogLevel.Warning);
            var topics = app.GetRequiredService<IOptions<WatcherOptions>>().Value.Topics;
            if (target is DirectoryInfo)
            {
                try
                {
                    PrintCorpus(topics, items, parse.GetValue(rulesOnly), Console.Out);
                }
                catch (InvalidDataException e)
                {
                    Console.Error.WriteLine(e.Message);
                    return 2;
                }

                return 0;
            }

            var classifier = app.GetRequiredService<IArticleClassifier>();
            var report = await EvaluateAsync(classifier, items, topics.Keys, cancellationToken);
            Print(report, Console.Out);
            return 0;
        });
        return command;
    }

    internal static void PrintCorpus(IReadOnlyDictionary<string, TopicOptions> topics, IReadOnlyList<LabelledArticle> items, bool rulesOnly, TextWriter output)
    {
        var what = rulesOnly ? "the topic rules alone" : "models learned from the training side";
        output.WriteLine($"{items.Count} articles from {items.Select(i => i.Source).Distinct().Count()} sites; {what}");
        output.WriteLine();
        output.WriteLine($"== {CorpusEvaluation.Folds}-fold cross-validation by site (the articles outside the frozen split) ==");
        PrintEvaluation(CorpusEvaluation.CrossValidate(topics, items, rulesOnly), output, listMistakes: true);
        output.WriteLine();
        output.WriteLine("== frozen test split (20 % of the sites, never trained or tuned on; mistakes not listed) ==");
        PrintEvaluation(CorpusEvaluation.FrozenTest(topics, items, rulesOnly), output, listMistakes: false);
    }

    private static void PrintEvaluation(Evaluation evaluation, TextWriter output, bool listMistakes)
    {
        var c = CultureInfo.InvariantCulture;
        PrintTopics(evaluation.Overall, output);
        output.WriteLine(string.Create(c, $"hard negatives flagged {evaluation.HardNegativesFlagged} of {evaluation.HardNegatives} ({(evaluation.HardNegatives == 0 ? 0 : (double)evaluation.HardNegativesFlagged / evaluation.HardNegatives):0.0 %})"));
        output.WriteLine("per language (macro-F1, then F1 per topic):");
        foreach (var (language, report) in evaluation.ByLanguage)
        {
            output.WriteLine(string.Create(c, $"  {language,-3} {report.Items,4} items  macro-F1 {report.MacroF1:0.000}  ") + string.Join("  ", report.Topics.Select(t => string.Create(c, $"{t.Topic} {t.F1:0.000}"))));
        }

        if (listMistakes)
        {
            output.WriteLine(string.Create(c, $"misclassified: {evaluation.Overall.Misclassified.Count}"));
            foreach (var m in evaluation.Overall.Misclassified)
            {
                output.WriteLine($"  {m.Id}: expected [{string.Join(", ", m.Expected)}], got [{string.Join(", ", m.Predicted)}]");
            }
        }
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
        PrintTopics(report, output);
        output.WriteLine(string.Create(c, $"misclassified: {report.Misclassified.Count}"));
        foreach (var m in report.Misclassified)
        {
            output.WriteLine($"  {m.Id}: expected [{string.Join(", ", m.Expected)}], got [{string.Join(", ", m.Predicted)}]");
        }
    }

    private static void PrintTopics(EvaluationReport report, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"{report.Items} items"));
        output.WriteLine($"{"topic",-14} {"precision",9} {"recall",7} {"F1",6}  {"TP",4} {"FP",4} {"FN",4}");
        foreach (var t in report.Topics)
        {
            output.WriteLine(string.Create(c, $"{t.Topic,-14} {t.Precision,9:0.000} {t.Recall,7:0.000} {t.F1,6:0.000}  {t.TruePositives,4} {t.FalsePositives,4} {t.FalseNegatives,4}"));
        }

        output.WriteLine(string.Create(c, $"macro-F1 {report.MacroF1:0.000}"));
    }
}
