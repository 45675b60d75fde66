using System.Net;
using Microsoft.Extensions.Options;
using Watcher.Configuration;
using Watcher.Delivery;
using Watcher.Digests;
using Watcher.Local.Hosting;
using Watcher.Subscribers;
using Watcher.Tests.Support;

namespace Watcher.Tests.Delivery;

/// <summary>The preferences page and one-click unsubscribe over real HTTP, served by <c>watcher run</c>'s Kestrel server.</summary>
public sealed class PreferencesHttpTests(ServicesFixture services) : IClassFixture<ServicesFixture>
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_signed_link_opens_a_form_that_saves_topics_and_schedule()
    {
        var ann = DeliveryTestHost.Subscriber("ann", DeliverySchedule.Daily, "5g-ban", "blacklist");
        await using var setup = await SetUpAsync(ann);
        var url = setup.Url(setup.Host.Get<PreferenceTokens>().Create(ann.Email));

        var page = await setup.Http.GetAsync(url);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType?.ToString());
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("value=\"5g-ban\" checked", html);
        Assert.Contains("value=\"divestment\">", html);
        Assert.Contains("value=\"daily\" checked", html);
        Assert.DoesNotContain("<script", html);

        var saved = await setup.Http.PostAsync(url, Form(("topic", "divestment"), ("schedule", "weekly"), ("sendAt", "18:30"), ("weekday", "Friday"), ("timeZone", "America/New_York"), ("action", "save")));
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Contains("Your preferences are saved", await saved.Content.ReadAsStringAsync());

        var active = Assert.Single(await setup.Host.Get<SubscriberDirectory>().ActiveAsync(CancellationToken.None));
        Assert.Equal(["divestment"], active.Topics);
        Assert.Equal(DeliverySchedule.Weekly, active.Schedule);
        Assert.Equal("18:30", active.SendAt);
        Assert.Equal(DayOfWeek.Friday, active.Weekday);
        Assert.Equal("America/New_York", active.TimeZone);
    }

    [Theory]
    [InlineData(5 * 1024 * 1024, 1, HttpStatusCode.RequestEntityTooLarge, "Form too large")]
    [InlineData(1, 3000, HttpStatusCode.BadRequest, "Too many form fields")]
    public async Task An_oversized_form_is_refused_with_a_message_and_nothing_saved(int fieldLength, int fields, HttpStatusCode status, string title)
    {
        var ann = DeliveryTestHost.Subscriber("ann", DeliverySchedule.Daily, "5g-ban");
        await using var setup = await SetUpAsync(ann);
        var url = setup.Url(setup.Host.Get<PreferenceTokens>().Create(ann.Email));
        var body = string.Join('&', Enumerable.Repeat($"t={new string('x', fieldLength)}", fields)) + "&action=unsubscribe";

        var response = await setup.Http.PostAsync(url, new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(title, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Single(await setup.Host.Get<SubscriberDirectory>().ActiveAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Invalid_settings_are_refused_with_every_problem_named_and_nothing_saved()
    {
        var ann = DeliveryTestHost.Subscriber("ann", DeliverySchedule.Daily, "5g-ban");
        await using var setup = await SetUpAsync(ann);
        var url = setup.Url(setup.Host.Get<PreferenceTokens>().Create(ann.Email));

        var response = await setup.Http.PostAsync(url, Form(("topic", "astrology"), ("schedule", "hourly"), ("sendAt", "25:00"), ("timeZone", "Mars/Olympus"), ("action", "save")));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("&#39;astrology&#39; is not a topic", html);
        Assert.Contains("Choose instant, daily or weekly", html);
        Assert.Contains("&#39;25:00&#39; is not a time of day", html);
        Assert.Contains("&#39;Mars/Olympus&#39; is not a time zone", html);
        Assert.Equal(["5g-ban"], Assert.Single(await setup.Host.Get<SubscriberDirectory>().ActiveAsync(CancellationToken.None)).Topics);
    }

    [Fact]
    public async Task A_one_click_POST_unsubscribes_without_a_page_and_no_mail_follows()
    {
        var ben = DeliveryTestHost.Subscriber("ben", DeliverySchedule.Instant);
        await using var setup = await SetUpAsync(ben);
        var url = setup.Url(setup.Host.Get<PreferenceTokens>().Create(ben.Email));

        // Exactly what a mail client sends for RFC 8058.
        var response = await setup.Http.PostAsync(url, new StringContent("List-Unsubscribe=One-Click", System.Text.Encoding.ASCII, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("You are unsubscribed", await response.Content.ReadAsStringAsync());
        Assert.Empty(await setup.Host.Get<SubscriberDirectory>().ActiveAsync(CancellationToken.None));

        await setup.Host.DeliverAsync(await setup.Host.AddClassifiedArticleAsync(DeliveryTestHost.NewId(), "Huawei 5G ban", ["5g-ban"]));
        Assert.Empty(await services.Mail.SettledAsync(ben.Email));

        // The page still opens and offers to subscribe again.
        var page = await (await setup.Http.GetAsync(url)).Content.ReadAsStringAsync();
        Assert.Contains("You are unsubscribed", page);
        var again = await setup.Http.PostAsync(url, Form(("action", "resubscribe")));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Single(await setup.Host.Get<SubscriberDirectory>().ActiveAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_tampered_or_expired_link_is_refused_with_a_readable_403()
    {
        var cas = DeliveryTestHost.Subscriber("cas", DeliverySchedule.Daily);
        await using var setup = await SetUpAsync(cas);
        var token = setup.Host.Get<PreferenceTokens>().Create(cas.Email);

        // Another address in the payload with the original signature.
        var payload = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"mallory@example.org|{Start.AddDays(30).ToUnixTimeSeconds()}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var tampered = await setup.Http.PostAsync(setup.Url(payload + token[token.IndexOf('.', StringComparison.Ordinal)..]), new StringContent("List-Unsubscribe=One-Click", System.Text.Encoding.ASCII, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        Assert.Contains("signature does not match", await tampered.Content.ReadAsStringAsync());

        var oldClock = new ManualClock(Start.AddDays(-61));
        var expiredToken = new PreferenceTokens(setup.Host.Get<IOptions<WatcherOptions>>(), oldClock).Create(cas.Email);
        var expired = await setup.Http.GetAsync(setup.Url(expiredToken));
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Contains("The link has expired", await expired.Content.ReadAsStringAsync());

        var missing = await setup.Http.GetAsync(new Uri(setup.Server.BaseUrl, "api/preferences"));
        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);

        Assert.Single(await setup.Host.Get<SubscriberDirectory>().ActiveAsync(CancellationToken.None));
    }

    private async Task<Setup> SetUpAsync(SubscriberOptions subscriber)
    {
        var host = await DeliveryTestHost.CreateAsync(services, [subscriber], new ManualClock(Start));
        var server = await PreferencesServer.StartAsync(host.Get<PreferencesEndpoint>(), 0, CancellationToken.None);
        return new Setup(host, server);
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    private sealed class Setup(DeliveryTestHost host, PreferencesServer server) : IAsyncDisposable
    {
        public DeliveryTestHost Host { get; } = host;

        public PreferencesServer Server { get; } = server;

        public HttpClient Http { get; } = new();

        public Uri Url(string token) => new(Server.BaseUrl, $"api/preferences?token={token}");

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Server.DisposeAsync();
            Host.Dispose();
        }
    }
}
