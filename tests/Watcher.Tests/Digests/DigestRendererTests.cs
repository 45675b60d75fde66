using Microsoft.Extensions.Options;
using Watcher.Configuration;
using Watcher.Digests;

namespace Watcher.Tests.Digests;

public sealed class DigestRendererTests
{
    private static readonly Uri Preferences = new("https://watcher.example.org/api/preferences?token=abc.def");

    private static readonly SubscriberOptions Subscriber = new()
    {
        Email = "ann@example.org",
        Name = "Ann",
        Topics = ["5g-ban", "blacklist", "divestment"],
        TimeZone = "Europe/Brussels",
    };

    private readonly DigestRenderer renderer = new(Options.Create(new WatcherOptions
    {
        Topics = new(StringComparer.OrdinalIgnoreCase)
        {
            ["5g-ban"] = new TopicOptions { Name = "5G bans" },
            ["blacklist"] = new TopicOptions { Name = "Blacklists" },
            ["divestment"] = new TopicOptions { Name = "Divestment" },
        },
    }));

    [Fact]
    public void Subject_counts_stories_per_topic_and_groups_them_in_topic_order()
    {
        var digest = renderer.Render(Subscriber, [Item("d1", "divestment"), Item("b1", "blacklist"), Item("g1", "5g-ban")], Preferences);

        Assert.Equal("Watcher: 3 new — 5G bans 1, Blacklists 1, Divestment 1", digest.Subject);
        var html = digest.Html;
        Assert.True(html.IndexOf(">5G bans", StringComparison.Ordinal) < html.IndexOf(">Blacklists", StringComparison.Ordinal));
        Assert.True(html.IndexOf(">Blacklists", StringComparison.Ordinal) < html.IndexOf(">Divestment", StringComparison.Ordinal));
        Assert.Contains("== 5G bans (1) ==", digest.Text);
    }

    [Fact]
    public void A_scheduled_digest_says_in_its_subject_whether_it_is_daily_or_weekly_and_for_which_day()
    {
        var sendAt = new DuePeriod("d20261025", new DateTimeOffset(2026, 10, 25, 6, 0, 0, TimeSpan.Zero));
        var daily = new SubscriberOptions { Email = "d@example.org", Topics = ["5g-ban"], Schedule = DeliverySchedule.Daily, TimeZone = "Europe/Brussels" };
        var weekly = new SubscriberOptions { Email = "w@example.org", Topics = ["5g-ban"], Schedule = DeliverySchedule.Weekly, TimeZone = "Europe/Brussels" };

        Assert.Equal("Watcher daily digest, Sun 25 Oct 2026: 1 new — 5G bans 1", renderer.Render(daily, [Item("g1", "5g-ban")], Preferences, period: sendAt).Subject);
        Assert.Equal("Watcher weekly digest, week to Sun 25 Oct 2026: 1 new — 5G bans 1", renderer.Render(weekly, [Item("g1", "5g-ban")], Preferences, period: sendAt).Subject);

        // Sent early (MaxItems) or instant: no period, no digest name.
        Assert.Equal("Watcher: 1 new — 5G bans 1", renderer.Render(daily, [Item("g1", "5g-ban")], Preferences).Subject);
    }

    [Fact]
    public void The_why_line_never_repeats_a_sentence_the_summary_shows()
    {
        var repeated = Item("r1", "5g-ban") with { Summary = "The cabinet bars Huawei from the 5G core.  Operators have five years." };
        repeated = repeated with { Topics = [new DigestItemTopic("5g-ban", "5G bans", 0.9, "The cabinet bars Huawei from the 5G core.")] };
        var distinct = Item("d1", "5g-ban");

        var digest = renderer.Render(Subscriber, [repeated, distinct], Preferences);

        Assert.Equal(1, Occurrences(digest.Text, "The cabinet bars Huawei from the 5G core."));
        Assert.Contains("Why: \"Evidence for 5g-ban in d1.\"", digest.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void When_the_summary_shows_every_deciding_sentence_the_why_line_says_who_the_article_names()
    {
        var item = Item("r1", "5g-ban") with
        {
            Summary = "The cabinet bars Huawei from the 5G core.",
            Topics = [new DigestItemTopic("5g-ban", "5G bans", 0.9, "The cabinet bars Huawei from the 5G core.")],
            Named = ["Huawei", "Netherlands"],
        };

        var digest = renderer.Render(Subscriber, [item], Preferences);

        Assert.Equal(1, Occurrences(digest.Text, "The cabinet bars Huawei from the 5G core."));
        Assert.Contains("Why: names Huawei, Netherlands", digest.Text, StringComparison.Ordinal);
        Assert.Contains("<b>Why:</b> names Huawei, Netherlands</p>", digest.Html, StringComparison.Ordinal);

        // A sentence to quote wins over the names.
        var quoted = renderer.Render(Subscriber, [Item("d1", "5g-ban") with { Named = ["Huawei"] }], Preferences);
        Assert.DoesNotContain("names Huawei", quoted.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_item_in_another_language_than_the_mail_carries_its_own_lang()
    {
        var dutch = Item("nl1", "5g-ban") with { Language = "nl" };
        var english = Item("en1", "5g-ban");

        var html = renderer.Render(Subscriber, [dutch, english], Preferences).Html;

        Assert.Contains("<html lang=\"en\">", html, StringComparison.Ordinal);
        Assert.Equal(1, Occurrences(html, "lang=\"nl\""));
        Assert.True(html.IndexOf("lang=\"nl\"", StringComparison.Ordinal) < html.IndexOf("Title nl1", StringComparison.Ordinal));
        Assert.True(html.IndexOf("lang=\"nl\"", StringComparison.Ordinal) > html.IndexOf("</h1>", StringComparison.Ordinal));
    }

    [Fact]
    public void An_article_in_two_topics_appears_once_with_both_tags()
    {
        var both = Item("x1", "5g-ban", "blacklist");
        var digest = renderer.Render(Subscriber, [both], Preferences);

        Assert.Equal(1, Occurrences(digest.Html, "Title x1"));
        Assert.Equal("Watcher: 1 new — 5G bans 1", digest.Subject);
        Assert.Contains(">Blacklists</span>", digest.Html);
        Assert.Contains(">5G bans</span>", digest.Html);
        Assert.Contains("Topics: 5G bans, Blacklists", digest.Text);
    }

    [Fact]
    public void One_story_from_several_sites_appears_once_with_also_reported_by()
    {
        var first = Item("s1", "5g-ban") with { Source = "Techblad NL", Published = new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero), AlsoReportedBy = ["Beurs en Beleid"] };
        var second = Item("s2", "blacklist") with { Source = "Wire Tech EN", Published = new DateTimeOffset(2026, 11, 22, 7, 0, 0, TimeSpan.Zero), SameStoryAs = ["s1"] };
        var other = Item("o1", "divestment");

        var digest = renderer.Render(Subscriber, [second, other, first], Preferences);

        Assert.Equal(2, digest.StoryCount);
        Assert.Contains("Title s1", digest.Html);
        Assert.DoesNotContain("Title s2", digest.Html);
        Assert.Contains("Also reported by Beurs en Beleid, Wire Tech EN", digest.Html);
        Assert.Contains("Also reported by Beurs en Beleid, Wire Tech EN", digest.Text);
        Assert.Contains(">Blacklists</span>", digest.Html);
    }

    [Fact]
    public void The_lead_of_a_story_is_the_earliest_published_then_the_first_configured_feed_whatever_the_arrival_order()
    {
        var at = new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero);
        var original = Item("zz-original", "5g-ban") with { Source = "Reuters", FeedOrder = 0, Published = at };
        var copy = Item("aa-copy", "5g-ban") with { Title = "Copied story", Source = "Copycat", FeedOrder = 3, Published = at, SameStoryAs = ["zz-original"] };
        var earlierCopy = copy with { Published = at.AddMinutes(-5) };

        foreach (var order in new[] { new[] { copy, original }, [original, copy] })
        {
            var story = Assert.Single(DigestStory.Group(order));
            Assert.Equal("zz-original", story.Lead.ArticleId);
            Assert.Equal(["Copycat"], story.AlsoReportedBy);
        }

        Assert.Equal("aa-copy", Assert.Single(DigestStory.Group([original, earlierCopy])).Lead.ArticleId);
    }

    [Fact]
    public void Feed_text_is_escaped_and_unsafe_links_are_dropped()
    {
        var hostile = Item("h1", "5g-ban") with
        {
            Title = "Huawei <script>alert(1)</script><img src=\"https://tracker.example/p.gif\">",
            Summary = "<iframe src=x></iframe> & more",
            Url = "javascript:alert(1)",
            Source = "Feed <b>bold</b>",
        };

        var digest = renderer.Render(Subscriber, [hostile], Preferences);

        foreach (var part in new[] { digest.Html, digest.Text })
        {
            Assert.DoesNotContain("script", part, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img", part, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("tracker.example", part, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("iframe", part, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("javascript:", part, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<b>bold", part, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains(">Huawei</div>", digest.Html);
        Assert.Contains("&amp; more", digest.Html);
        Assert.Contains("Feed bold", digest.Text);
    }

    [Fact]
    public void The_mail_is_one_600px_column_with_dark_mode_and_no_remote_resources()
    {
        var digest = renderer.Render(Subscriber, [Item("a1", "5g-ban")], Preferences);

        Assert.Contains("max-width:600px", digest.Html);
        Assert.Contains("<meta name=\"color-scheme\" content=\"light dark\">", digest.Html);
        Assert.Contains("@media (prefers-color-scheme: dark)", digest.Html);
        Assert.DoesNotContain("src=", digest.Html);
        Assert.DoesNotContain("<link", digest.Html);
        Assert.Contains(Preferences.AbsoluteUri, digest.Html);
        Assert.Contains(Preferences.AbsoluteUri, digest.Text);
    }

    [Fact]
    public void Each_item_shows_source_local_date_language_summary_and_why_in_both_parts()
    {
        var item = Item("a1", "5g-ban") with { Published = new DateTimeOffset(2026, 7, 1, 6, 15, 0, TimeSpan.Zero), Language = "nl" };
        var digest = renderer.Render(Subscriber, [item], Preferences);

        // 06:15 UTC is 08:15 in Brussels summer time.
        foreach (var part in new[] { digest.Html, digest.Text })
        {
            Assert.Contains("Wed 1 Jul 2026 08:15", part);
            Assert.Contains("Wire Tech EN", part);
            Assert.Contains("NL", part);
            Assert.Contains("Summary of a1.", part);
            Assert.Contains("Evidence for 5g-ban in a1.", part);
        }

        Assert.Contains("href=\"https://news.example.org/a1\"", digest.Html);
        Assert.Contains("https://news.example.org/a1", digest.Text);
    }

    private static int Occurrences(string text, string value) => (text.Length - text.Replace(value, "", StringComparison.Ordinal).Length) / value.Length;

    internal static DigestItem Item(string id, params string[] topics) => new()
    {
        ArticleId = id,
        Title = $"Title {id}",
        Url = $"https://news.example.org/{id}",
        Source = "Wire Tech EN",
        Published = new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero),
        Language = "en",
        Summary = $"Summary of {id}.",
        Topics = topics.Select((t, n) => new DigestItemTopic(t, t, 0.9 - (n * 0.1), $"Evidence for {t} in {id}.")).ToList(),
        AddedAt = new DateTimeOffset(2026, 11, 22, 6, 0, 0, TimeSpan.Zero),
    };
}
