using Watcher.Configuration;
using Watcher.Digests;

namespace Watcher.Tests.Digests;

/// <summary>
/// Daylight-saving edges: an hourly UTC timer must send each period exactly once, at the first
/// tick at or after the local send time, in Europe/Brussels and America/New_York.
/// </summary>
public sealed class DigestPeriodTests
{
    [Theory]
    // Brussels spring forward, 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 does not exist, sent at 03:00 CEST.
    [InlineData("Europe/Brussels", "02:30", "2026-03-28", "2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z")]
    // Brussels fall back, 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 happens twice, sent the first time.
    [InlineData("Europe/Brussels", "02:30", "2026-10-24", "2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z")]
    // 08:00 stays 08:00 local on both sides of each change.
    [InlineData("Europe/Brussels", "08:00", "2026-03-28", "2026-03-28T07:00:00Z", "2026-03-29T06:00:00Z", "2026-03-30T06:00:00Z")]
    [InlineData("Europe/Brussels", "08:00", "2026-10-24", "2026-10-24T06:00:00Z", "2026-10-25T07:00:00Z", "2026-10-26T07:00:00Z")]
    // New York spring forward, 2026-03-08 02:00 EST -> 03:00 EDT.
    [InlineData("America/New_York", "02:30", "2026-03-07", "2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z")]
    // New York fall back, 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 happens twice.
    [InlineData("America/New_York", "01:30", "2026-10-31", "2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z")]
    [InlineData("America/New_York", "07:00", "2026-10-31", "2026-10-31T11:00:00Z", "2026-11-01T12:00:00Z", "2026-11-02T12:00:00Z")]
    public void Daily_send_instants_follow_local_time_across_the_change(string zone, string sendAt, string firstDay, string first, string second, string third)
    {
        var subscriber = new SubscriberOptions { Email = "a@example.org", Schedule = DeliverySchedule.Daily, TimeZone = zone, SendAt = sendAt };
        var day = DateOnly.Parse(firstDay, System.Globalization.CultureInfo.InvariantCulture);
        var expected = new[] { first, second, third }.Select(s => DateTimeOffset.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList();

        var instants = Enumerable.Range(0, 3)
            .Select(d => DigestPeriod.SendInstant(day.AddDays(d), TimeOnly.Parse(sendAt, System.Globalization.CultureInfo.InvariantCulture), TimeZoneInfo.FindSystemTimeZoneById(zone)))
            .ToList();

        Assert.Equal(expected, instants);
    }

    [Theory]
    [InlineData("Europe/Brussels", "02:30", "2026-03-27T12:00:00Z")]
    [InlineData("Europe/Brussels", "02:30", "2026-10-23T12:00:00Z")]
    [InlineData("America/New_York", "02:30", "2026-03-06T12:00:00Z")]
    [InlineData("America/New_York", "01:30", "2026-10-30T12:00:00Z")]
    public void An_hourly_timer_starts_each_period_once_and_on_time(string zone, string sendAt, string start)
    {
        var subscriber = new SubscriberOptions { Email = "a@example.org", Schedule = DeliverySchedule.Daily, TimeZone = zone, SendAt = sendAt };
        var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
        var firstTick = DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture);

        // Every period id seen by the hourly ticks over four days, with the tick that first saw it.
        var firstSeen = new Dictionary<string, DateTimeOffset>();
        for (var tick = firstTick; tick < firstTick.AddDays(4); tick = tick.AddHours(1))
        {
            if (DigestPeriod.Current(subscriber, tick) is { } period)
            {
                Assert.True(period.SendInstant <= tick);
                firstSeen.TryAdd(period.Id, tick);
            }
        }

        Assert.Equal(5, firstSeen.Count);
        foreach (var (id, tick) in firstSeen.Skip(1))
        {
            var day = DateOnly.ParseExact(id[1..], "yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
            var instant = DigestPeriod.SendInstant(day, TimeOnly.Parse(sendAt, System.Globalization.CultureInfo.InvariantCulture), tz);

            // Seen at the first whole-hour tick at or after the send instant, never an hour late or early.
            Assert.True(tick >= instant && tick - instant < TimeSpan.FromHours(1), $"{id}: send instant {instant:u}, first tick {tick:u}");
        }
    }

    [Fact]
    public void Weekly_periods_fall_on_the_weekday_in_local_time()
    {
        var subscriber = new SubscriberOptions
        {
            Email = "a@example.org",
            Schedule = DeliverySchedule.Weekly,
            Weekday = DayOfWeek.Sunday,
            TimeZone = "America/New_York",
            SendAt = "23:30",
        };

        // Sunday 2026-11-01 23:30 EST is Monday 04:30 UTC.
        Assert.Equal("w20261025", DigestPeriod.Current(subscriber, DateTimeOffset.Parse("2026-11-02T04:00:00Z", System.Globalization.CultureInfo.InvariantCulture))!.Id);
        var period = DigestPeriod.Current(subscriber, DateTimeOffset.Parse("2026-11-02T05:00:00Z", System.Globalization.CultureInfo.InvariantCulture))!;
        Assert.Equal("w20261101", period.Id);
        Assert.Equal(DateTimeOffset.Parse("2026-11-02T04:30:00Z", System.Globalization.CultureInfo.InvariantCulture), period.SendInstant);
    }

    [Fact]
    public void Instant_subscribers_have_no_period()
    {
        var subscriber = new SubscriberOptions { Email = "a@example.org", Schedule = DeliverySchedule.Instant };
        Assert.Null(DigestPeriod.Current(subscriber, DateTimeOffset.UtcNow));
    }
}
