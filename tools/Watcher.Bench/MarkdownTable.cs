using System.Text;

namespace Watcher.Bench;

/// <summary>Prints figures as a Markdown table with padded columns, readable in a terminal and in docs/BENCHMARKS.md.</summary>
public static class MarkdownTable
{
    public static string Render(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var all = rows.ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, all.Count == 0 ? 0 : all.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        AppendRow(text, headers, widths);
        text.Append('|');
        foreach (var width in widths)
        {
            text.Append(' ').Append('-', width).Append(" |");
        }

        text.AppendLine();
        foreach (var row in all)
        {
            AppendRow(text, row, widths);
        }

        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        text.Append('|');
        for (var i = 0; i < widths.Length; i++)
        {
            text.Append(' ').Append(cells[i].PadRight(widths[i])).Append(" |");
        }

        text.AppendLine();
    }
}
