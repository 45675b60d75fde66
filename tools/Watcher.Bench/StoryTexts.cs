namespace Watcher.Bench;

/// <summary>
/// News-like text for the benchmark corpus, written the way the seed articles are: a headline and
/// three to five paragraphs, with the names, places and amounts varied per story so the classifier
/// and the summarizer work on text that differs from item to item.
/// </summary>
internal static class StoryTexts
{
    private static readonly string[] CountriesNl = ["Italië", "België", "Duitsland", "Zweden", "Polen", "Portugal", "Estland", "Frankrijk", "Nederland", "Denemarken"];
    private static readonly string[] CountriesEn = ["Italy", "Belgium", "Germany", "Sweden", "Poland", "Portugal", "Estonia", "France", "the Netherlands", "Denmark"];
    private static readonly string[] Vendors = ["Huawei", "ZTE"];
    private static readonly string[] Operators = ["KPN", "Proximus", "Vodafone", "Telecom Italia", "Orange", "Telia", "Deutsche Telekom", "Odido"];
    private static readonly string[] ListedCompanies = ["Xiaomi", "DJI", "SMIC", "Hikvision", "Inspur", "China Mobile", "Luokung", "Comac"];
    private static readonly string[] Apps = ["TikTok", "WeChat", "Grindr", "Nexperia", "StayNTouch", "CapCut"];
    private static readonly string[] Buyers = ["Oracle", "Microsoft", "Walmart", "een Amerikaans consortium", "Nexperia's Britse dochter"];
    private static readonly string[] BuyersEn = ["Oracle", "Microsoft", "Walmart", "a US consortium", "a group of American investors"];
    private static readonly string[] TechSubjectsNl = ["een nieuwe smartphone", "een opvouwbare laptop", "een update van het besturingssysteem", "een chip voor AI-toepassingen", "een slimme thermostaat", "een elektrische deelscooter", "een abonnement op cloudopslag", "een spelcomputer"];
    private static readonly string[] TechSubjectsEn = ["a new smartphone", "a foldable laptop", "an operating system update", "a chip for AI workloads", "a smart thermostat", "an electric e-scooter", "a cloud storage plan", "a games console"];
    private static readonly string[] Makers = ["Samsung", "Apple", "Google", "Fairphone", "Philips", "ASML", "Nvidia", "Sony", "Lenovo", "Bol"];
    private static readonly string[] AuthorsNl = ["Sanne de Vries", "Joris Peeters", "Fleur Jansen", "Pieter Claes", "Lotte Bakker"];
    private static readonly string[] AuthorsEn = ["Emma Clarke", "James Whitfield", "Priya Nair", "Tom Becker", "Grace Liu"];

    public static string Author(Random random, bool dutch) => Pick(random, dutch ? AuthorsNl : AuthorsEn);

    public static (string Title, IReadOnlyList<string> Paragraphs) Write(StoryKind kind, bool dutch, Random random) => (kind, dutch) switch
    {
        (StoryKind.FiveGBan, true) => FiveGDutch(random),
        (StoryKind.FiveGBan, false) => FiveGEnglish(random),
        (StoryKind.Blacklist, true) => BlacklistDutch(random),
        (StoryKind.Blacklist, false) => BlacklistEnglish(random),
        (StoryKind.Divestment, true) => DivestmentDutch(random),
        (StoryKind.Divestment, false) => DivestmentEnglish(random),
        (_, true) => UnrelatedDutch(random),
        _ => UnrelatedEnglish(random),
    };

    private static (string, IReadOnlyList<string>) FiveGDutch(Random r)
    {
        var country = Pick(r, CountriesNl);
        var vendor = Pick(r, Vendors);
        var op = Pick(r, Operators);
        return (
            $"{country} weert {vendor} uit kern van 5G-netwerk",
            [
                $"De regering van {country} heeft besloten dat apparatuur van {vendor} niet langer in de kern van het 5G-netwerk mag worden gebruikt. Dat meldt het ministerie van Economische Zaken na een veiligheidsanalyse van de telecominfrastructuur.",
                $"Operator {op} moet de bestaande antennes en kernsystemen binnen {r.Next(2, 6)} jaar vervangen. De kosten worden geschat op {r.Next(80, 900)} miljoen euro.",
                $"Volgens de inlichtingendiensten is het risico op spionage of sabotage door een leverancier die onder Chinese wetgeving valt te groot voor kritieke infrastructuur. {vendor} noemt het besluit politiek gemotiveerd en zegt alle Europese regels na te leven.",
                $"Eerder namen ook andere Europese landen vergelijkbare maatregelen tegen Huawei en ZTE in hun mobiele netwerken.",
            ]);
    }

    private static (string, IReadOnlyList<string>) FiveGEnglish(Random r)
    {
        var country = Pick(r, CountriesEn);
        var vendor = Pick(r, Vendors);
        var op = Pick(r, Operators);
        return (
            $"{Capitalize(country)} bans {vendor} from core of 5G networks",
            [
                $"The government of {country} said on {Weekday(r)} that equipment from {vendor} may no longer be used in the core of 5G mobile networks, after a security review of the country's telecom infrastructure.",
                $"Operator {op} has {r.Next(2, 6)} years to replace existing gear, at an estimated cost of {r.Next(80, 900)} million euros.",
                $"Officials cited the risk that a vendor subject to Chinese law could be compelled to spy on or disrupt critical infrastructure. {vendor} called the decision politically motivated and said it complies with all European rules.",
                "Several other European countries have restricted Huawei and ZTE in their mobile networks since the EU's 5G toolbox was published.",
            ]);
    }

    private static (string, IReadOnlyList<string>) BlacklistDutch(Random r)
    {
        var company = Pick(r, ListedCompanies);
        return (
            $"Pentagon zet {company} op zwarte lijst van Chinese militaire bedrijven",
            [
                $"Het Amerikaanse ministerie van Defensie heeft {company} toegevoegd aan de lijst van bedrijven met banden met het Chinese leger. Het aandeel van {company} daalde in Hongkong met {r.Next(3, 15)} procent.",
                $"Amerikaanse beleggers mogen daardoor vanaf {Month(r, true)} geen nieuwe aandelen meer kopen. Ook de Entity List van het ministerie van Handel wordt uitgebreid met {r.Next(5, 40)} Chinese ondernemingen.",
                $"{company} ontkent elke band met het Volksbevrijdingsleger en zegt juridische stappen te overwegen tegen de plaatsing op de zwarte lijst.",
            ]);
    }

    private static (string, IReadOnlyList<string>) BlacklistEnglish(Random r)
    {
        var company = Pick(r, ListedCompanies);
        return (
            $"US adds {company} to Entity List in new export crackdown",
            [
                $"The US Commerce Department added {company} and {r.Next(5, 40)} other Chinese companies to the Entity List on {Weekday(r)}, barring American suppliers from selling to them without a licence.",
                $"The Pentagon separately named {company} on its list of Chinese military companies, which bars US investors from buying its shares from {Month(r, false)}. Its stock fell {r.Next(3, 15)} percent in Hong Kong.",
                $"{company} denied any link to the People's Liberation Army and said it would challenge the blacklisting.",
            ]);
    }

    private static (string, IReadOnlyList<string>) DivestmentDutch(Random r)
    {
        var app = Pick(r, Apps);
        var buyer = Pick(r, Buyers);
        return (
            $"Washington eist gedwongen verkoop van {app}",
            [
                $"De Amerikaanse regering geeft het Chinese moederbedrijf van {app} {r.Next(90, 271)} dagen om de Amerikaanse activiteiten te verkopen. Gebeurt dat niet, dan volgt een verbod.",
                $"Volgens ingewijden is {buyer} in gesprek over een overname. De waarde van de gedwongen verkoop wordt geschat op {r.Next(10, 60)} miljard dollar.",
                $"Peking laat weten liever te zien dat {app} in de Verenigde Staten stopt dan dat het bedrijf onder dwang wordt verkocht aan een Amerikaans bedrijf. De investeringscommissie CFIUS moet de verkoop goedkeuren.",
            ]);
    }

    private static (string, IReadOnlyList<string>) DivestmentEnglish(Random r)
    {
        var app = Pick(r, Apps);
        var buyer = Pick(r, BuyersEn);
        return (
            $"{app} owner ordered to sell US business or face a ban",
            [
                $"The US government gave the Chinese owner of {app} {r.Next(90, 271)} days to divest its American operations, in a forced sale overseen by CFIUS.",
                $"People familiar with the talks said {buyer} is among the bidders, valuing the business at {r.Next(10, 60)} billion dollars.",
                $"Beijing has signalled it would rather see {app} shut down in the United States than accept a forced sale to an American company.",
            ]);
    }

    private static (string, IReadOnlyList<string>) UnrelatedDutch(Random r)
    {
        var maker = Pick(r, Makers);
        var subject = Pick(r, TechSubjectsNl);
        return (
            $"{maker} presenteert {subject}",
            [
                $"{maker} heeft {Weekday(r, true)} {subject} gepresenteerd. Het product is vanaf {Month(r, true)} te koop voor {r.Next(49, 1500)} euro.",
                $"Volgens het bedrijf is de accuduur {r.Next(10, 60)} procent beter dan bij de vorige generatie en is het toestel makkelijker te repareren.",
                $"Analisten verwachten dat {maker} dit jaar {r.Next(2, 30)} procent meer omzet haalt, vooral dankzij de verkoop in Europa.",
                "Reviewers zijn te spreken over het scherm, maar vinden de prijs aan de hoge kant.",
            ]);
    }

    private static (string, IReadOnlyList<string>) UnrelatedEnglish(Random r)
    {
        var maker = Pick(r, Makers);
        var subject = Pick(r, TechSubjectsEn);
        return (
            $"{maker} unveils {subject}",
            [
                $"{maker} unveiled {subject} on {Weekday(r)}. It goes on sale in {Month(r, false)} for {r.Next(49, 1500)} dollars.",
                $"The company says battery life is {r.Next(10, 60)} percent better than the previous generation and that the device is easier to repair.",
                $"Analysts expect {maker}'s revenue to grow {r.Next(2, 30)} percent this year, driven by sales in Europe and Asia.",
                "Early reviews praise the display but call the price steep.",
            ]);
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    private static string Weekday(Random random, bool dutch = false) =>
        dutch ? Pick(random, ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"]) : Pick(random, ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]);

    private static string Month(Random random, bool dutch) =>
        dutch ? Pick(random, ["januari", "maart", "mei", "juli", "september", "november"]) : Pick(random, ["January", "March", "May", "July", "September", "November"]);

    private static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
