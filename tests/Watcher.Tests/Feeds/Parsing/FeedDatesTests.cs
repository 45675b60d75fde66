using Watcher.Feeds.Parsing;

namespace Watcher.Tests.Feeds.Parsing;

public class FeedDatesTests
{
    [Theory]
    [InlineData("Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z")]
    [InlineData("Thu, 1 Jan 2004 19:48:21 +0100", "2004-01-01T18:48:21Z")]
    [InlineData("Thu,01 Jan 2004 19:48:21 -05:00", "2004-01-02T00:48:21Z")]
    [InlineData("01 Jan 2004 19:48 GMT", "2004-01-01T19:48:00Z")]
    [InlineData("Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21Z")]
    [InlineData("Thu, 01 January 2004 19:48:21 UT", "2004-01-01T19:48:21Z")]
    [InlineData("Thursday, 01-Jan-2004 19:48:21 UTC", "2004-01-01T19:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 19:48:21 EST", "2004-01-02T00:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 19:48:21 PDT", "2004-01-02T02:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 19:48:21 CET", "2004-01-01T18:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 19:48:21 CEST", "2004-01-01T17:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 19:48:21 Z", "2004-01-01T19:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 19:48:21 A", "2004-01-01T20:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 19:48:21 N", "2004-01-01T18:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 19:48:21 GMT+2", "2004-01-01T17:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 19:48:21", "2004-01-01T19:48:21Z")]
    [InlineData("Thu, 01 Jan 2004 19:48:21 XYZ", "2004-01-01T19:48:21Z")]
    [InlineData("Tue, 12 mrt 2019 09:30:00 +0100", "2019-03-12T08:30:00Z")]
    [InlineData("Jan 1, 2004 19:48:21 GMT", "2004-01-01T19:48:21Z")]
    [InlineData("Sun Jan  4 16:29:06 2004", "2004-01-04T16:29:06Z")]
    [InlineData("Sun Jan  4 16:29:06 PST 2004", "2004-01-05T00:29:06Z")]
    [InlineData("2003-12-31T10:14:55Z", "2003-12-31T10:14:55Z")]
    [InlineData("2003-12-31T10:14:55.987-08:00", "2003-12-31T18:14:55Z")]
    [InlineData("2003-12-31T10:14:55+0530", "2003-12-31T04:44:55Z")]
    [InlineData("2003-12-31T10:14Z", "2003-12-31T10:14:00Z")]
    [InlineData("2003-12-31 10:14:55", "2003-12-31T10:14:55Z")]
    [InlineData("2003-12-31t10:14:55z", "2003-12-31T10:14:55Z")]
    [InlineData("20031231T101455Z", "2003-12-31T10:14:55Z")]
    [InlineData("2003-12-31", "2003-12-31T00:00:00Z")]
    [InlineData("2003-12", "2003-12-01T00:00:00Z")]
    [InlineData("2003", "2003-01-01T00:00:00Z")]
    [InlineData("2003-365", "2003-12-31T00:00:00Z")]
    [InlineData("2003-12-31T24:00:00Z", "2004-01-01T00:00:00Z")]
    public void Real_world_date_variants_are_read_as_utc(string text, string expected)
    {
        var parsed = FeedDates.Parse(text);

        Assert.NotNull(parsed);
        Assert.Equal(TimeSpan.Zero, parsed.Value.Offset);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), parsed.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("yesterday")]
    [InlineData("Thu, 32 Jan 2004 19:48:21 GMT")]
    [InlineData("2004-13-01")]
    [InlineData("2004-02-30T10:00:00Z")]
    [InlineData("Thu, 01 Foo 2004 19:48:21 GMT")]
    [InlineData("2004-01-01T25:61:00Z")]
    public void Text_that_is_not_a_date_gives_null(string text) => Assert.Null(FeedDates.Parse(text));
}
