namespace Watcher.Feeds.Parsing;

/// <summary>
/// Maps C1 control characters (U+0080–U+009F) to the characters Windows-1252 puts at those
/// bytes: feeds that say ISO-8859-1 are almost always Windows-1252, and their curly quotes, dashes
/// and euro signs would otherwise come out as invisible control codes.
/// </summary>
internal static class Windows1252Punctuation
{
    private static readonly char[] Table =
    [
        '\u20AC', '\u0081', '\u201A', '\u0192', '\u201E', '\u2026', '\u2020', '\u2021',
        '\u02C6', '\u2030', '\u0160', '\u2039', '\u0152', '\u008D', '\u017D', '\u008F',
        '\u0090', '\u2018', '\u2019', '\u201C', '\u201D', '\u2022', '\u2013', '\u2014',
        '\u02DC', '\u2122', '\u0161', '\u203A', '\u0153', '\u009D', '\u017E', '\u0178',
    ];

    public static string Replace(string value)
    {
        if (value.AsSpan().IndexOfAnyInRange('\u0080', '\u009F') < 0)
        {
            return value;
        }

        return string.Create(value.Length, value, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c is >= '\u0080' and <= '\u009F' ? Table[c - 0x80] : c;
            }
        });
    }
}
