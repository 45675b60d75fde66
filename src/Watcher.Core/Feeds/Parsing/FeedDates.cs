using System.Collections.Frozen;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Watcher.Feeds.Parsing;

/// <summary>
/// Reads the dates real feeds write: RFC 822/1123 in all its sloppy variants (missing or
/// misspelled weekday, full month names, two-digit years, missing seconds, named, military or
/// numeric zones, "GMT+2"), W3C-DTF / ISO 8601 (reduced precision, basic format, fractions,
/// ordinal dates, a space instead of "T") and asctime. The result is always UTC; a value without
/// a zone is taken as UTC. Written by hand because .NET's parsers accept only the strict forms.
/// </summary>
public static partial class FeedDates
{
    private static readonly FrozenDictionary<string, int> Months = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
    {
        ["jan"] = 1, ["feb"] = 2, ["mar"] = 3, ["apr"] = 4, ["may"] = 5, ["jun"] = 6,
        ["jul"] = 7, ["aug"] = 8, ["sep"] = 9, ["sept"] = 9, ["oct"] = 10, ["nov"] = 11, ["dec"] = 12,
        ["january"] = 1, ["february"] = 2, ["march"] = 3, ["april"] = 4, ["june"] = 6, ["july"] = 7,
        ["august"] = 8, ["september"] = 9, ["october"] = 10, ["november"] = 11, ["december"] = 12,
        // Dutch month names and abbreviations turn up in hand-made Dutch feeds.
        ["mrt"] = 3, ["mei"] = 5, ["okt"] = 10, ["januari"] = 1, ["februari"] = 2, ["maart"] = 3,
        ["juni"] = 6, ["juli"] = 7, ["augustus"] = 8, ["oktober"] = 10,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Zone names in minutes east of UTC. Military letters follow RFC 822 (A = -1 … M = -12, N = +1 … Y = +12).</summary>
    private static readonly FrozenDictionary<string, int> Zones = BuildZones();

    /// <summary>The instant a feed date names, in UTC; null when the text is not a date.</summary>
    public static DateTimeOffset? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = value.Trim();
        try
        {
            return ParseW3c(text) ?? ParseRfc822(text) ?? ParseAsctime(text);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static DateTimeOffset? ParseW3c(string text)
    {
        var match = W3c().Match(text);
        if (!match.Success)
        {
            return null;
        }

        var year = int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture);
        DateTime date;
        if (match.Groups["ordinal"].Success)
        {
            var day = int.Parse(match.Groups["ordinal"].Value, CultureInfo.InvariantCulture);
            if (day < 1 || day > (DateTime.IsLeapYear(year) ? 366 : 365))
            {
                return null;
            }

            date = new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Unspecified).AddDays(day - 1);
        }
        else
        {
            var month = match.Groups["month"].Success ? int.Parse(match.Groups["month"].Value, CultureInfo.InvariantCulture) : 1;
            var day = match.Groups["day"].Success ? int.Parse(match.Groups["day"].Value, CultureInfo.InvariantCulture) : 1;
            if (!IsValidDate(year, month, day))
            {
                return null;
            }

            date = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified);
        }

        return Compose(date, match.Groups["hour"], match.Groups["minute"], match.Groups["second"], match.Groups["zone"].Value);
    }

    private static DateTimeOffset? ParseRfc822(string text)
    {
        var match = Rfc822().Match(text);
        if (!match.Success)
        {
            match = MonthFirst().Match(text);
            if (!match.Success)
            {
                return null;
            }
        }

        if (!Months.TryGetValue(match.Groups["month"].Value, out var month))
        {
            return null;
        }

        var year = int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture);
        if (match.Groups["year"].Value.Length <= 2)
        {
            year += year < 90 ? 2000 : 1900;
        }

        var day = int.Parse(match.Groups["day"].Value, CultureInfo.InvariantCulture);
        if (!IsValidDate(year, month, day))
        {
            return null;
        }

        var date = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified);
        return Compose(date, match.Groups["hour"], match.Groups["minute"], match.Groups["second"], match.Groups["zone"].Value);
    }

    private static DateTimeOffset? ParseAsctime(string text)
    {
        var match = Asctime().Match(text);
        if (!match.Success || !Months.TryGetValue(match.Groups["month"].Value, out var month))
        {
            return null;
        }

        var year = int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture);
        var day = int.Parse(match.Groups["day"].Value, CultureInfo.InvariantCulture);
        if (!IsValidDate(year, month, day))
        {
            return null;
        }

        var date = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified);
        return Compose(date, match.Groups["hour"], match.Groups["minute"], match.Groups["second"], match.Groups["zone"].Value);
    }

    private static DateTimeOffset? Compose(DateTime date, Group hour, Group minute, Group second, string zone)
    {
        var h = hour.Success ? int.Parse(hour.Value, CultureInfo.InvariantCulture) : 0;
        var m = minute.Success ? int.Parse(minute.Value, CultureInfo.InvariantCulture) : 0;
        var s = second.Success ? int.Parse(second.Value, CultureInfo.InvariantCulture) : 0;
        if (h > 24 || m > 59 || s > 61)
        {
            return null;
        }

        var offset = ZoneOffset(zone);
        if (offset is null)
        {
            return null;
        }

        // 24:00 and leap seconds roll over instead of failing, as lenient readers do; fractions of a
        // second are dropped, as every feed reader's whole-second timestamps do.
        var local = date.AddHours(h).AddMinutes(m).AddSeconds(s);

        return new DateTimeOffset(local, TimeSpan.Zero).AddMinutes(-offset.Value);
    }

    /// <summary>Minutes east of UTC; null when the zone text is not a zone at all.</summary>
    private static int? ZoneOffset(string zone)
    {
        zone = zone.Trim();
        if (zone.Length == 0)
        {
            return 0;
        }

        var numeric = NumericZone().Match(zone);
        if (numeric.Success)
        {
            var baseOffset = 0;
            if (numeric.Groups["name"].Success && !Zones.TryGetValue(numeric.Groups["name"].Value, out baseOffset))
            {
                return null;
            }

            if (!numeric.Groups["hours"].Success)
            {
                return baseOffset;
            }

            var digits = numeric.Groups["hours"].Value + numeric.Groups["minutes"].Value;
            int hours, minutes;
            if (digits.Length <= 2)
            {
                hours = int.Parse(digits, CultureInfo.InvariantCulture);
                minutes = 0;
            }
            else
            {
                var number = digits.PadLeft(4, '0');
                hours = int.Parse(number[..^2], CultureInfo.InvariantCulture);
                minutes = int.Parse(number[^2..], CultureInfo.InvariantCulture);
            }

            if (hours > 14 || minutes > 59)
            {
                return null;
            }

            var sign = numeric.Groups["sign"].Value == "-" ? -1 : 1;
            return baseOffset + (sign * ((hours * 60) + minutes));
        }

        // An unknown zone name is read as UTC rather than losing the date altogether.
        return ZoneName().IsMatch(zone) ? Zones.GetValueOrDefault(zone.TrimEnd('.'), 0) : null;
    }

    private static bool IsValidDate(int year, int month, int day) =>
        year is >= 1 and <= 9999 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);

    private static FrozenDictionary<string, int> BuildZones()
    {
        var zones = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
        {
            ["UT"] = 0, ["UTC"] = 0, ["GMT"] = 0, ["Z"] = 0, ["WET"] = 0,
            ["EST"] = -300, ["EDT"] = -240, ["ET"] = -300, ["CST"] = -360, ["CDT"] = -300, ["CT"] = -360,
            ["MST"] = -420, ["MDT"] = -360, ["MT"] = -420, ["PST"] = -480, ["PDT"] = -420, ["PT"] = -480,
            ["AST"] = -240, ["ADT"] = -180, ["AT"] = -240, ["AKST"] = -540, ["AKDT"] = -480, ["HST"] = -600, ["NST"] = -210,
            ["BST"] = 60, ["IST"] = 60, ["WEST"] = 60, ["CET"] = 60, ["MET"] = 60, ["MEZ"] = 60,
            ["CEST"] = 120, ["MEST"] = 120, ["MESZ"] = 120, ["EET"] = 120, ["EEST"] = 180, ["MSK"] = 180,
            ["JST"] = 540, ["KST"] = 540, ["HKT"] = 480, ["SGT"] = 480, ["AWST"] = 480,
            ["ACST"] = 570, ["AEST"] = 600, ["AEDT"] = 660, ["NZST"] = 720, ["NZDT"] = 780,
        };
        for (var letter = 'A'; letter <= 'Y'; letter++)
        {
            var hours = letter switch
            {
                'J' => (int?)null,
                <= 'I' => -(letter - 'A' + 1),
                <= 'M' => -(letter - 'A'),
                _ => letter - 'N' + 1,
            };
            if (hours is not null)
            {
                zones[letter.ToString()] = hours.Value * 60;
            }
        }

        return zones.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"^(?<year>\d{4})(?:-?(?:(?<ordinal>\d{3})|(?<month>\d{2})(?:-?(?<day>\d{2}))?))?(?:(?:T|t|\s+)(?<hour>\d{2}):?(?<minute>\d{2})(?::?(?<second>\d{2})(?:[.,]\d+)?)?)?\s*(?<zone>[Zz]|[+-]\d{1,2}(?::?\d{2})?|[A-Za-z]{1,5})?$")]
    private static partial Regex W3c();

    [GeneratedRegex(@"^(?:[A-Za-z]{2,}\.?(?:,\s*|\s+))?(?<day>\d{1,2})(?:st|nd|rd|th)?[\s\-/]*(?<month>[A-Za-z]+)\.?[\s\-/,]*(?<year>\d{4}|\d{2})(?:[\sT]+(?<hour>\d{1,2}):(?<minute>\d{1,2})(?::(?<second>\d{1,2}))?(?:\.\d+)?)?\s*(?<zone>.*)$")]
    private static partial Regex Rfc822();

    [GeneratedRegex(@"^(?:[A-Za-z]{2,}\.?(?:,\s*|\s+))?(?<month>[A-Za-z]{3,})\.?\s+(?<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?<year>\d{4})(?:[\sT,]+(?<hour>\d{1,2}):(?<minute>\d{1,2})(?::(?<second>\d{1,2}))?)?\s*(?<zone>.*)$")]
    private static partial Regex MonthFirst();

    [GeneratedRegex(@"^[A-Za-z]{3}\s+(?<month>[A-Za-z]{3})\s+(?<day>\d{1,2})\s+(?<hour>\d{1,2}):(?<minute>\d{2}):(?<second>\d{2})\s+(?:(?<zone>[A-Za-z]{1,5}|[+-]\d{4})\s+)?(?<year>\d{4})$")]
    private static partial Regex Asctime();

    [GeneratedRegex(@"^(?:(?<name>UTC|GMT|UT)\s*)?(?:(?<sign>[+-])\s*(?<hours>\d{1,2}):?(?<minutes>\d{2})?)?$|^(?<sign>[+-])(?<hours>\d{3,4})$", RegexOptions.IgnoreCase)]
    private static partial Regex NumericZone();

    [GeneratedRegex(@"^\(?[A-Za-z]{1,5}\.?\)?$")]
    private static partial Regex ZoneName();
}
