namespace Watcher.Classification;

/// <summary>The kinds of named entity Watcher reports and topic terms can ask for (<c>@company</c>).</summary>
public enum EntityCategory
{
    Company,
    Country,
    Government,
    Agency,
}

/// <summary>
/// Finds companies, countries, governments and agencies in English, Dutch, German and French: a
/// gazetteer of the names news about tech restrictions uses, plus two patterns (a country
/// adjective before a word for government, "de Britse regering"; capitalised words before a
/// legal suffix, "Beijing Shiji Information Technology Co"). Written by hand because no
/// multilingual NER model is available in this project's registry; the Azure AI Language
/// backend adds the service's entities on top.
/// </summary>
internal sealed class EntityGazetteer
{
    private static readonly (string Name, EntityCategory Category, string[] Aliases)[] Entries =
    [
        ("United States", EntityCategory.Country, ["united states", "verenigde staten", "vereinigte staaten", "etats-unis", "usa", "us", "u.s", "vs", "amerika", "america"]),
        ("China", EntityCategory.Country, ["china", "chine", "volksrepubliek china", "people's republic of china"]),
        ("Netherlands", EntityCategory.Country, ["netherlands", "nederland", "niederlande", "pays-bas"]),
        ("Belgium", EntityCategory.Country, ["belgium", "belgie", "belgien", "belgique"]),
        ("Germany", EntityCategory.Country, ["germany", "duitsland", "deutschland", "allemagne"]),
        ("France", EntityCategory.Country, ["france", "frankrijk", "frankreich"]),
        ("United Kingdom", EntityCategory.Country, ["united kingdom", "britain", "great britain", "verenigd koninkrijk", "groot-brittannie", "grossbritannien", "royaume-uni", "uk"]),
        ("Italy", EntityCategory.Country, ["italy", "italie", "italien"]),
        ("Spain", EntityCategory.Country, ["spain", "spanje", "spanien", "espagne"]),
        ("Portugal", EntityCategory.Country, ["portugal"]),
        ("Sweden", EntityCategory.Country, ["sweden", "zweden", "schweden", "suede"]),
        ("Finland", EntityCategory.Country, ["finland", "finnland", "finlande"]),
        ("Denmark", EntityCategory.Country, ["denmark", "denemarken", "danemark", "daenemark"]),
        ("Norway", EntityCategory.Country, ["norway", "noorwegen", "norwegen", "norvege"]),
        ("Estonia", EntityCategory.Country, ["estonia", "estland", "estonie"]),
        ("Poland", EntityCategory.Country, ["poland", "polen", "pologne"]),
        ("Austria", EntityCategory.Country, ["austria", "oostenrijk", "osterreich", "oesterreich", "autriche"]),
        ("Greece", EntityCategory.Country, ["greece", "griekenland", "griechenland", "grece"]),
        ("Czech Republic", EntityCategory.Country, ["czech republic", "czechia", "tsjechie", "tschechien", "republique tcheque"]),
        ("Romania", EntityCategory.Country, ["romania", "roemenie", "rumanien", "roumanie"]),
        ("Canada", EntityCategory.Country, ["canada", "kanada"]),
        ("Australia", EntityCategory.Country, ["australia", "australie", "australien"]),
        ("New Zealand", EntityCategory.Country, ["new zealand", "nieuw-zeeland", "neuseeland", "nouvelle-zelande"]),
        ("Japan", EntityCategory.Country, ["japan", "japon"]),
        ("South Korea", EntityCategory.Country, ["south korea", "zuid-korea", "sudkorea", "coree du sud"]),
        ("India", EntityCategory.Country, ["india", "indien", "inde"]),
        ("Brazil", EntityCategory.Country, ["brazil", "brazilie", "brasilien", "bresil"]),
        ("Russia", EntityCategory.Country, ["russia", "rusland", "russland", "russie"]),
        ("Ukraine", EntityCategory.Country, ["ukraine", "oekraine"]),
        ("Iran", EntityCategory.Country, ["iran"]),
        ("Taiwan", EntityCategory.Country, ["taiwan"]),
        ("Hong Kong", EntityCategory.Country, ["hong kong", "hongkong"]),
        ("Nigeria", EntityCategory.Country, ["nigeria"]),
        ("Panama", EntityCategory.Country, ["panama"]),
        ("European Union", EntityCategory.Government, ["european union", "europese unie", "europaische union", "union europeenne", "eu"]),
        ("Government of the United States", EntityCategory.Government, ["white house", "witte huis", "weisse haus", "maison blanche", "trump administration", "biden administration", "regering-trump", "regering-biden", "us administration", "us government", "u.s government", "congress", "congres", "kongress"]),
        ("Government of China", EntityCategory.Government, ["beijing government", "chinese government", "chinese overheid", "chinese regering", "zhongnanhai"]),
        ("Government of Germany", EntityCategory.Government, ["bundesregierung"]),
        ("Government of Russia", EntityCategory.Government, ["kremlin"]),
        ("European Commission", EntityCategory.Agency, ["european commission", "europese commissie", "eu-kommission", "europaische kommission", "commission europeenne"]),
        ("US Department of Commerce", EntityCategory.Agency, ["commerce department", "department of commerce", "handelsdepartement", "amerikaanse ministerie van handel", "ministerie van handel", "us-handelsministerium", "handelsministerium", "departement du commerce", "departement americain du commerce", "bureau of industry and security", "bis"]),
        ("US Department of Defense", EntityCategory.Agency, ["pentagon", "department of defense", "defense department", "amerikaanse defensie", "amerikaanse ministerie van defensie", "pentagonlijst", "us-verteidigungsministerium"]),
        ("US Department of the Treasury", EntityCategory.Agency, ["treasury", "treasury department", "us treasury", "amerikaanse ministerie van financien", "ofac", "office of foreign assets control"]),
        ("US Department of State", EntityCategory.Agency, ["state department", "department of state", "buitenlandse zaken"]),
        ("Federal Communications Commission", EntityCategory.Agency, ["fcc", "federal communications commission"]),
        ("Committee on Foreign Investment in the United States", EntityCategory.Agency, ["cfius", "committee on foreign investment"]),
        ("US Supreme Court", EntityCategory.Agency, ["supreme court", "hooggerechtshof"]),
        ("Swedish Post and Telecom Authority", EntityCategory.Agency, ["pts"]),
        ("Bundesnetzagentur", EntityCategory.Agency, ["bundesnetzagentur", "bnetza"]),
        ("BIPT", EntityCategory.Agency, ["bipt", "ibpt"]),
        ("ANSSI", EntityCategory.Agency, ["anssi", "agence nationale de la securite des systemes d information"]),
        ("National Cyber Security Centre", EntityCategory.Agency, ["ncsc"]),
        ("Huawei", EntityCategory.Company, ["huawei"]),
        ("ZTE", EntityCategory.Company, ["zte"]),
        ("Xiaomi", EntityCategory.Company, ["xiaomi"]),
        ("TikTok", EntityCategory.Company, ["tiktok"]),
        ("ByteDance", EntityCategory.Company, ["bytedance"]),
        ("DJI", EntityCategory.Company, ["dji"]),
        ("SMIC", EntityCategory.Company, ["smic", "semiconductor manufacturing international"]),
        ("Hikvision", EntityCategory.Company, ["hikvision"]),
        ("Dahua", EntityCategory.Company, ["dahua"]),
        ("YMTC", EntityCategory.Company, ["ymtc", "yangtze memory"]),
        ("CXMT", EntityCategory.Company, ["cxmt", "changxin memory"]),
        ("SenseTime", EntityCategory.Company, ["sensetime"]),
        ("Tencent", EntityCategory.Company, ["tencent"]),
        ("Alibaba", EntityCategory.Company, ["alibaba"]),
        ("Baidu", EntityCategory.Company, ["baidu"]),
        ("CATL", EntityCategory.Company, ["catl"]),
        ("China Mobile", EntityCategory.Company, ["china mobile"]),
        ("China Telecom", EntityCategory.Company, ["china telecom"]),
        ("China Unicom", EntityCategory.Company, ["china unicom"]),
        ("Inspur", EntityCategory.Company, ["inspur"]),
        ("Kaspersky", EntityCategory.Company, ["kaspersky"]),
        ("Nexperia", EntityCategory.Company, ["nexperia"]),
        ("Wingtech", EntityCategory.Company, ["wingtech"]),
        ("Grindr", EntityCategory.Company, ["grindr"]),
        ("Nokia", EntityCategory.Company, ["nokia"]),
        ("Ericsson", EntityCategory.Company, ["ericsson"]),
        ("Samsung", EntityCategory.Company, ["samsung"]),
        ("KPN", EntityCategory.Company, ["kpn"]),
        ("Vodafone", EntityCategory.Company, ["vodafone"]),
        ("Deutsche Telekom", EntityCategory.Company, ["deutsche telekom"]),
        ("Orange", EntityCategory.Company, ["orange belgium", "orange polska"]),
        ("Proximus", EntityCategory.Company, ["proximus"]),
        ("Telefonica", EntityCategory.Company, ["telefonica"]),
        ("BT", EntityCategory.Company, ["bt", "british telecom"]),
        ("Google", EntityCategory.Company, ["google", "alphabet"]),
        ("Apple", EntityCategory.Company, ["apple"]),
        ("Microsoft", EntityCategory.Company, ["microsoft"]),
        ("Nvidia", EntityCategory.Company, ["nvidia"]),
        ("Intel", EntityCategory.Company, ["intel"]),
        ("Qualcomm", EntityCategory.Company, ["qualcomm"]),
        ("ASML", EntityCategory.Company, ["asml"]),
        ("Philips", EntityCategory.Company, ["philips"]),
        ("Shell", EntityCategory.Company, ["shell"]),
        ("Unilever", EntityCategory.Company, ["unilever"]),
        ("Oracle", EntityCategory.Company, ["oracle"]),
        ("NYSE", EntityCategory.Company, ["nyse", "new york stock exchange"]),
        ("Reuters", EntityCategory.Company, ["reuters"]),
    ];

    private static readonly (string Country, string[] Adjectives)[] CountryAdjectives =
    [
        ("United States", ["us", "u.s", "american", "amerikaanse", "amerikaans", "amerikanische", "amerikanischen", "americain", "americaine"]),
        ("China", ["chinese", "chinees", "chinesische", "chinesischen", "chinois", "chinoise"]),
        ("Netherlands", ["dutch", "nederlandse", "niederlandische", "neerlandais"]),
        ("Belgium", ["belgian", "belgische", "belge"]),
        ("Germany", ["german", "duitse", "deutsche", "allemand"]),
        ("France", ["french", "franse", "franzosische", "francais"]),
        ("United Kingdom", ["british", "uk", "britse", "britische", "britannique"]),
        ("Italy", ["italian", "italiaanse", "italienische", "italien"]),
        ("Sweden", ["swedish", "zweedse", "schwedische", "suedois"]),
        ("Poland", ["polish", "poolse", "polnische", "polonais"]),
        ("Portugal", ["portuguese", "portugese", "portugiesische", "portugais"]),
        ("Canada", ["canadian", "canadese", "kanadische", "canadien"]),
        ("Australia", ["australian", "australische", "australien"]),
        ("Japan", ["japanese", "japanse", "japanische", "japonais"]),
        ("India", ["indian", "indiase", "indische", "indien"]),
        ("Russia", ["russian", "russische", "russe"]),
        ("Estonia", ["estonian", "estse", "estnische"]),
        ("Austria", ["austrian", "oostenrijkse", "osterreichische", "autrichien"]),
        ("Denmark", ["danish", "deense", "danische", "danois"]),
        ("Finland", ["finnish", "finse", "finnische", "finlandais"]),
        ("Greece", ["greek", "griekse", "griechische", "grec"]),
        ("Brazil", ["brazilian", "braziliaanse", "brasilianische", "bresilien"]),
    ];

    private static readonly string[] GovernmentWords =
    [
        "government", "administration", "regering", "overheid", "kabinet", "regierung", "bundesregierung", "gouvernement", "executif",
    ];

    private static readonly HashSet<string> CompanySuffixes = new(StringComparer.Ordinal)
    {
        "Inc", "Corp", "Corporation", "Co", "Ltd", "Limited", "LLC", "NV", "N.V", "BV", "B.V", "AG", "SE", "SA", "GmbH", "plc", "PLC", "Group", "Holdings", "Technologies", "Technology", "Tech", "Semiconductor", "Telecom",
    };

    private readonly List<(int TermId, string Name, EntityCategory Category)> aliases = [];
    private readonly Dictionary<string, string> adjectiveCountry = new(StringComparer.Ordinal);
    private readonly HashSet<string> governmentWords = new(GovernmentWords, StringComparer.Ordinal);

    public EntityGazetteer(TermIndex index)
    {
        foreach (var (name, category, names) in Entries)
        {
            foreach (var alias in names)
            {
                var term = TermPattern.Parse(alias, out var error) ?? throw new InvalidOperationException($"Gazetteer alias '{alias}': {error}");
                aliases.Add((index.Add(term), name, category));
            }
        }

        foreach (var (country, adjectives) in CountryAdjectives)
        {
            foreach (var adjective in adjectives)
            {
                adjectiveCountry[adjective] = country;
            }
        }
    }

    /// <summary>Adds the entities the gazetteer and patterns find to <paramref name="article"/>.</summary>
    public void Recognize(AnalyzedArticle article)
    {
        foreach (var (termId, name, category) in aliases)
        {
            foreach (var start in article.PhraseStarts(termId))
            {
                if (IsName(article.Originals[start], category))
                {
                    article.AddEntity(new NamedEntity(name, category.ToString()), category, article.SentenceOf[start]);
                }
            }
        }

        var words = article.Words;
        for (var i = 0; i < words.Length; i++)
        {
            if (i + 1 < words.Length
                && article.SentenceOf[i + 1] == article.SentenceOf[i]
                && governmentWords.Contains(words[i + 1])
                && adjectiveCountry.TryGetValue(words[i], out var country))
            {
                article.AddEntity(new NamedEntity($"Government of {Article(country)}", nameof(EntityCategory.Government)), EntityCategory.Government, article.SentenceOf[i]);
            }

            if (CompanySuffixes.Contains(article.Originals[i]))
            {
                var start = i;
                while (start > 0 && i - start < 4 && article.SentenceOf[start - 1] == article.SentenceOf[i] && IsCapitalised(article.Originals[start - 1]))
                {
                    start--;
                }

                if (start < i)
                {
                    var name = string.Join(' ', article.Originals[start..(i + 1)]);
                    article.AddEntity(new NamedEntity(name, nameof(EntityCategory.Company)), EntityCategory.Company, article.SentenceOf[i]);
                }
            }
        }
    }

    private static string Article(string country) => country is "United States" or "Netherlands" or "United Kingdom" or "Czech Republic" ? "the " + country : country;

    // Company and country names, and short aliases that are also common words ("us", "vs", "eu",
    // "bis", "shell", "apple"), count only when written as a name: capitalised or in capitals.
    // Agencies and governments are often written in lower case ("het handelsdepartement").
    private static bool IsName(string original, EntityCategory category) =>
        char.IsUpper(original[0]) || (category is not (EntityCategory.Company or EntityCategory.Country) && original.Length > 3);

    private static bool IsCapitalised(string word) => word.Length > 0 && (char.IsUpper(word[0]) || char.IsDigit(word[0]));
}
