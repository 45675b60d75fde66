using Watcher.Configuration;

namespace Watcher.Classification;

/// <summary>Checks one topic definition, naming the setting of each problem (<c>Topics:5g-ban:Rules:1:AllOf:0</c>).</summary>
public static class TopicOptionsValidation
{
    public static void Validate(string setting, TopicOptions topic, Action<string, string> fail)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(fail);
        if (topic.AllOf.Count == 0 && topic.Rules.Count == 0 && string.IsNullOrWhiteSpace(topic.Examples))
        {
            fail($"{setting}:AllOf", "a topic needs AllOf, at least one entry in Rules, or Examples to learn from.");
        }

        if (!string.IsNullOrWhiteSpace(topic.Examples) && topic.Examples != Learning.TrainingExamples.Embedded && !File.Exists(topic.Examples))
        {
            fail($"{setting}:Examples", $"'{topic.Examples}' is neither 'embedded' nor an existing JSONL file (relative paths are from {Environment.CurrentDirectory}).");
        }

        ValidateGroups($"{setting}:AllOf", topic.AllOf, fail);
        for (var r = 0; r < topic.Rules.Count; r++)
        {
            var rule = topic.Rules[r];
            if (rule.AllOf.Count == 0)
            {
                fail($"{setting}:Rules:{r}:AllOf", "needs at least one group of terms.");
            }

            ValidateGroups($"{setting}:Rules:{r}:AllOf", rule.AllOf, fail);
            if (rule.Proximity is < 0 or > 5)
            {
                fail($"{setting}:Rules:{r}:Proximity", $"{rule.Proximity} is not in 0..5 sentences.");
            }

            if (rule.Weight is <= 0 or > 10 || double.IsNaN(rule.Weight))
            {
                fail($"{setting}:Rules:{r}:Weight", $"{rule.Weight} is not in (0, 10].");
            }
        }

        ValidateGroups($"{setting}:Context", topic.Context, fail);
        ValidateTerms($"{setting}:NoneOf", topic.NoneOf, fail);
        for (var s = 0; s < topic.Signals.Count; s++)
        {
            var signal = topic.Signals[s];
            if (signal.Terms.Count == 0)
            {
                fail($"{setting}:Signals:{s}:Terms", "needs at least one term.");
            }

            ValidateTerms($"{setting}:Signals:{s}:Terms", signal.Terms, fail);
            if (signal.Weight == 0 || Math.Abs(signal.Weight) > 10 || double.IsNaN(signal.Weight))
            {
                fail($"{setting}:Signals:{s}:Weight", $"{signal.Weight} must be non-zero and in [-10, 10].");
            }
        }

        if (topic.TitleWeight is < 0 or > 10 || double.IsNaN(topic.TitleWeight))
        {
            fail($"{setting}:TitleWeight", $"{topic.TitleWeight} is not in [0, 10].");
        }

        if (topic.MaxEvidence is < 1 or > 20)
        {
            fail($"{setting}:MaxEvidence", $"{topic.MaxEvidence} is not in 1..20.");
        }

        if (topic.Threshold is <= 0 or > 1 || double.IsNaN(topic.Threshold))
        {
            fail($"{setting}:Threshold", "must be in (0, 1].");
        }
    }

    private static void ValidateGroups(string setting, List<List<string>> groups, Action<string, string> fail)
    {
        for (var g = 0; g < groups.Count; g++)
        {
            if (groups[g].Count == 0)
            {
                fail($"{setting}:{g}", "is an empty group of terms.");
            }

            ValidateTerms($"{setting}:{g}", groups[g], fail);
        }
    }

    private static void ValidateTerms(string setting, List<string> terms, Action<string, string> fail)
    {
        for (var t = 0; t < terms.Count; t++)
        {
            if (TermPattern.Parse(terms[t], out var error) is null)
            {
                fail($"{setting}:{t}", error!);
            }
        }
    }
}
