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
}
