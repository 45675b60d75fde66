using System.Globalization;
using Watcher.Configuration;

namespace Watcher.Digests;

/// <summary>
/// When a subscriber's digest is due. Send times are local to the subscriber's time zone and are
/// turned into instants here, so a 08:00 Brussels digest goes out at 08:00 in summer and winter.
/// </summary>
public static class DigestPeriod
{
    /// <summary>
    /// The period whose send time is the latest one at or before <paramref name="now"/> (id e.g.
    /// <c>d20261122</c>), or null for instant subscribers, who have no periods. A period's digest
    /// is due from its send instant until it was sent.
    /// </summary>
    public static DuePeriod? Current(SubscriberOptions subscriber, DateTimeOffset now)
    {
        if (subscriber.Schedule == DeliverySchedule.Instant)
        {
            return null;
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(subscriber.TimeZone);
        var sendAt = TimeOnly.ParseExact(subscriber.SendAt, "HH:mm", CultureInfo.InvariantCulture);
        var localDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        for (var day = localDay; day >= localDay.AddDays(-8); day = day.AddDays(-1))
        {
            if (subscriber.Schedule == DeliverySchedule.Weekly && day.DayOfWeek != subscriber.Weekday)
            {
                continue;
            }

            var instant = SendInstant(day, sendAt, zone);
            if (instant <= now)
            {
                var prefix = subscriber.Schedule == DeliverySchedule.Weekly ? "w" : "d";
                return new DuePeriod(prefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture), instant);
            }
        }

        return null;
    }

    /// <summary>
    /// The instant a local send time falls on. A time skipped by a spring-forward change is sent
    /// at the first valid minute after it; a time that occurs twice in autumn is sent the first time.
    /// </summary>
    public static DateTimeOffset SendInstant(DateOnly day, TimeOnly sendAt, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(sendAt, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }
}

/// <summary>A digest period that has begun: its stable id and the instant its send time fell on.</summary>
public sealed record DuePeriod(string Id, DateTimeOffset SendInstant);
