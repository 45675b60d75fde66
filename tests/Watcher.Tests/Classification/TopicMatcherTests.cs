using Microsoft.Extensions.Options;
using Watcher.Classification;

namespace Watcher.Tests.Classification;

/// <summary>How topic definitions decide, on short articles written for each behaviour.</summary>
public sealed class TopicMatcherTests
{
    [Theory]
    [InlineData("Huawei unveils a new foldable phone", "Huawei showed a foldable smartphone in Paris on Tuesday. It goes on sale in March.")]
    [InlineData("5G coverage report", "The regulator's report shows 5G coverage reached 92 percent of households, with rural areas lagging behind.")]
    [InlineData("TikTok adds a new feature", "TikTok lets users schedule live streams. The feature comes to Europe first.")]
    [InlineData("Mailserver op zwarte lijst", "De mailserver van de gemeente staat op een zwarte lijst van een spamfilter, waardoor e-mail niet aankomt.")]
    [InlineData("Company divests its food unit", "The group agreed to divest its food business to a private equity firm to focus on its core brands.")]
    [InlineData("Investors cheer results", "Investors bought the shares after the company raised its forecast.")]
    public void Hard_negatives_match_nothing(string title, string text)
    {
        var result = Classifiers.RulesOnly.Classify(new("neg", title, text, null));

        Assert.Empty(result.Topics);
    }

    [Theory]
    [InlineData("Regering weert Huawei uit 5G-netwerk", "5g-ban")]
    [InlineData("Operators moeten Chinese apparatuur uit het 5G-netwerk uitfaseren", "5g-ban")]
    [InlineData("Chipmaker belandt op de zwarte lijst van het Amerikaanse handelsdepartement", "blacklist")]
    [InlineData("VS eisen dwangverkoop van Chinese app", "divestment")]
    [InlineData("Amerikaanse beleggers moeten hun aandelen in Chinese bedrijven verkopen", "divestment")]
    [InlineData("Berlin schließt Huawei aus dem 5G-Netz aus", "5g-ban")]
    [InlineData("Washington exige la vente forcée de l'application", "divestment")]
    public void Inflections_and_compounds_match_in_a_title(string title, string topic)
    {
        var result = Classifiers.RulesOnly.Classify(new("t", title, "", null));

        Assert.Contains(topic, result.TopicIds());
        var match = result.Topics.Single(t => t.Id == topic);
        Assert.Equal([title], match.Evidence);
    }

    [Fact]
    public void A_user_adds_a_fourth_topic_in_configuration_only()
    {
        var options = Classifiers.OptionsFrom("""
            { "Watcher": { "Topics": { "chip-export-controls": {
                "Name": "Chip export controls",
                "Rules": [ { "AllOf": [ [ "export control*", "exportbeperking*", "exportverbod*" ], [ "chip*", "*chips", "semiconductor*", "lithography", "euv" ] ] } ],
                "NoneOf": [ "potato chips" ] } } } }
            """);
        var classifier = new LocalClassifier(Options.Create(options));

        var hit = classifier.Classify(new("c1", "Kabinet verscherpt exportbeperkingen voor ASML", "Het kabinet breidt de exportbeperkingen voor chipmachines van ASML uit naar oudere DUV-systemen.", "nl"));
        var miss = classifier.Classify(new("c2", "Snack maker", "Export controls are not relevant for potato chips, the snack maker said.", "en"));

        Assert.Contains("chip-export-controls", hit.TopicIds());
        Assert.Contains(hit.Topics.Single(t => t.Id == "chip-export-controls").Evidence, e => e.Contains("exportbeperkingen voor chipmachines", StringComparison.Ordinal));
        Assert.DoesNotContain("chip-export-controls", miss.TopicIds());
        Assert.Empty(classifier.Classify(new("c3", "Huawei launches phone", "A new phone.", "en")).Topics);
        Assert.StartsWith(LocalClassifier.ClassifierVersion + "+topics.", classifier.Version, StringComparison.Ordinal);
        Assert.NotEqual(Classifiers.Default.Version, classifier.Version);
        Assert.Equal(Classifiers.Default.Version, new LocalClassifier(Options.Create(Classifiers.OptionsFrom("""{ "Watcher": {} }"""))).Version);
    }

    [Fact]
    public void Score_grows_with_evidence_and_title_weighs_more_than_a_sentence()
    {
        var one = Classifiers.RulesOnly.Classify(new("a", "News", "Sweden banned Huawei from its 5G network.", "en")).Topics.Single();
        var two = Classifiers.RulesOnly.Classify(new("b", "News", "Sweden banned Huawei from its 5G network. Norway will also exclude Huawei from telecom networks.", "en")).Topics.Single();
        var titled = Classifiers.RulesOnly.Classify(new("c", "Sweden bans Huawei from 5G", "The decision was announced on Monday by the regulator.", "en")).Topics.Single();

        Assert.Equal(0.551, one.Score, 3);
        Assert.True(two.Score > one.Score);
        Assert.True(titled.Score > one.Score);
        Assert.Equal(2, two.Evidence.Count);
    }

    [Fact]
    public void Context_signals_and_proximity_come_from_configuration()
    {
        var options = Classifiers.OptionsFrom("""
            { "Watcher": { "Topics": { "river-ban": {
                "Context": [ [ "river*" ] ],
                "Rules": [ { "AllOf": [ [ "ban*" ], [ "fishing" ] ], "Proximity": 1 } ],
                "Signals": [ { "Terms": [ "joke" ], "Weight": -2 } ] } } } }
            """, withDefaults: false);
        var classifier = new LocalClassifier(Options.Create(options));

        Assert.Single(classifier.Classify(new("1", "", "The council bans it. Fishing on the river is over.", null)).Topics);
        Assert.Empty(classifier.Classify(new("2", "", "The council bans it. Fishing in the lake is over.", null)).Topics);
        Assert.Empty(classifier.Classify(new("3", "", "The council bans it. Fishing on the river is over, as a joke.", null)).Topics);
        Assert.Empty(classifier.Classify(new("4", "", "The council bans it. Nothing else. Fishing on the river is over.", null)).Topics);
    }

    [Fact]
    public void Entity_terms_match_recognised_entities()
    {
        var options = Classifiers.OptionsFrom("""
            { "Watcher": { "Topics": { "agency-fines": { "AllOf": [ [ "@agency" ], [ "fine*" ] ] } } } }
            """, withDefaults: false);
        var classifier = new LocalClassifier(Options.Create(options));

        Assert.Single(classifier.Classify(new("1", "", "The FCC fined the carrier 2 million dollars.", null)).Topics);
        Assert.Empty(classifier.Classify(new("2", "", "The club fined the player 2 million dollars.", null)).Topics);
    }
}
