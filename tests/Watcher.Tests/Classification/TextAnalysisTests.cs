using Watcher.Classification;

namespace Watcher.Tests.Classification;

/// <summary>Entities, language and summary of the local classifier.</summary>
public sealed class TextAnalysisTests
{
    [Theory]
    [InlineData("De Verenigde Staten zetten het bedrijf op een lijst.", "United States", "Country")]
    [InlineData("Het Handelsdepartement maakte het besluit bekend.", "US Department of Commerce", "Agency")]
    [InlineData("The Commerce Department announced the rule.", "US Department of Commerce", "Agency")]
    [InlineData("De Britse regering besliste maandag.", "Government of the United Kingdom", "Government")]
    [InlineData("Die Bundesregierung hat entschieden.", "Government of Germany", "Government")]
    [InlineData("Les États-Unis ont décidé.", "United States", "Country")]
    [InlineData("Het Pentagon publiceerde de lijst.", "US Department of Defense", "Agency")]
    [InlineData("Trump ordered Beijing Shiji Information Technology Co to sell.", "Beijing Shiji Information Technology Co", "Company")]
    [InlineData("Xiaomi ontkent banden met het leger.", "Xiaomi", "Company")]
    public void Entities_are_found_in_every_language(string text, string name, string category)
    {
        var result = Classifiers.Default.Classify(new("e", "", text, null));

        Assert.Contains(new NamedEntity(name, category), result.Entities);
    }

    [Fact]
    public void Common_words_are_not_mistaken_for_short_names()
    {
        var result = Classifiers.Default.Classify(new("e", "", "Let us see whether the shell and the orange apple fit in vs code.", null));

        Assert.DoesNotContain(result.Entities, e => e.Text is "United States" or "Shell" or "Apple");
    }

    [Theory]
    [InlineData("De regering heeft besloten dat de operatoren hun netwerk moeten aanpassen voor het einde van het jaar.", "nl")]
    [InlineData("The government has decided that the operators must change their networks before the end of the year.", "en")]
    [InlineData("Die Regierung hat entschieden, dass die Betreiber ihre Netze bis zum Ende des Jahres umbauen müssen.", "de")]
    [InlineData("Le gouvernement a décidé que les opérateurs doivent modifier leurs réseaux avant la fin de l'année.", "fr")]
    public void Language_is_detected(string text, string language)
    {
        Assert.Equal(language, LanguageDetector.Detect(text));
    }

    [Fact]
    public void Summary_is_two_or_three_sentences_of_the_article_within_400_characters()
    {
        var text = string.Join(' ', Enumerable.Range(1, 12).Select(i => $"Zin {i} vertelt dat de minister van Economische Zaken het besluit over de leverancier nam."))
            + "\nLeger\nDe regering weert Huawei uit het 5G-netwerk, zo bevestigt het ministerie.";
        var result = Classifiers.Default.Classify(new("s", "Regering weert Huawei", text, "nl"));

        Assert.InRange(result.Summary.Length, 1, ExtractiveSummarizer.MaxLength);
        var sentences = TextSegmenter.Sentences(result.Summary);
        Assert.InRange(sentences.Count, 2, 3);
        Assert.All(sentences, s => Assert.Contains(s, text, StringComparison.Ordinal));
        Assert.StartsWith("Zin 1 ", result.Summary, StringComparison.Ordinal);
        Assert.Contains("De regering weert Huawei uit het 5G-netwerk", result.Summary, StringComparison.Ordinal);
        Assert.DoesNotContain("Leger", result.Summary, StringComparison.Ordinal);
        Assert.Equal(ExtractiveSummarizer.Name, result.SummaryBy);
    }

    [Fact]
    public void Sentences_do_not_break_after_abbreviations()
    {
        var sentences = TextSegmenter.Sentences("The U.S. Commerce Department acted. Mr. Smith agreed with China.Het bedrijf reageerde.");

        Assert.Equal(["The U.S. Commerce Department acted.", "Mr. Smith agreed with China.", "Het bedrijf reageerde."], sentences);
    }

    [Theory]
    [InlineData("nl", "Die vormen volgens de Verenigde Staten een risico voor spionage door de overheid.", "De Amerikaanse regering zette Huawei en ZTE vorig jaar op een zwarte lijst.")]
    [InlineData("en", "The company also said it would appeal the decision in court next month.", "Washington added the chipmaker Acme to the Entity List on Monday, citing military ties.")]
    [InlineData("de", "Das Unternehmen muss seine Anteile an dem Werk innerhalb eines Jahres verkaufen.", "Die Bundesregierung untersagte den Kauf des Chipherstellers durch chinesische Investoren.")]
    [InlineData("fr", "Cette décision oblige le groupe à céder sa participation avant la fin de l'année.", "Le gouvernement a interdit le rachat de l'usine par un investisseur chinois.")]
    public void A_summary_never_opens_with_a_sentence_that_leans_on_one_not_shown(string language, string leaning, string standalone)
    {
        // The leaning sentence comes first in the excerpt, as when a page's text starts mid-article.
        var summary = ExtractiveSummarizer.Summarize("Title about the decision", [leaning, standalone], [], language);

        Assert.True(summary.StartsWith(standalone, StringComparison.Ordinal), $"{language}: {summary}");

        // After the sentence it leans on, it may follow.
        var inOrder = ExtractiveSummarizer.Summarize("Title about the decision", [standalone, leaning], [], language);
        Assert.Equal($"{standalone} {leaning}", inOrder);
    }
}
