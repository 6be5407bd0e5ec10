using System.Text;
using System.Text.RegularExpressions;

namespace RedisDocker.HelpGen;

/// <summary>
/// Converts a PlatyPS about-topic markdown file (about_Name.md) into the plain text Get-Help shows
/// (about_Name.help.txt), laid out like PlatyPS' TextRenderer: "TOPIC" and the indented topic name,
/// upper-case section titles, body text indented by 4 and wrapped at 80 columns, code blocks indented
/// verbatim. Unlike PlatyPS it keeps blank lines between paragraphs and list items on their own lines,
/// and removes markdown emphasis and link syntax.
/// </summary>
public static class AboutTopic
{
    public const int MaxLineWidth = 80;
    private const string Indent = "    ";

    private static readonly Regex ListMarker = new(@"^\s{0,3}([-*+]|\d{1,3}[.)])\s+", RegexOptions.CultureInvariant);

    /// <summary>Renders the help text ("\n" line breaks, ending with one newline).</summary>
    /// <exception cref="FormatException">The markdown does not start with a '# title' heading.</exception>
    public static string ToHelpText(string markdown) => ToHelpText(markdown, "");

    /// <inheritdoc cref="ToHelpText(string)"/>
    public static string ToHelpText(string markdown, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        List<Block> blocks;
        try
        {
            var prepared = MarkdownBlocks.Prepare(markdown, out var skipped);
            var (_, body, bodyLine) = MarkdownBlocks.SplitFrontMatter(prepared, 1 + skipped);
            blocks = MarkdownBlocks.Scan(body, bodyLine);
        }
        catch (MarkdownException e)
        {
            throw new FormatException($"{sourceName}({e.Line}): {e.Message}", e);
        }

        if (blocks.Count == 0 || blocks[0] is not { Kind: BlockKind.Heading, Level: 1 })
        {
            var line = blocks.Count > 0 ? blocks[0].Line : 1;
            throw new FormatException($"{sourceName}({line}): an about topic must start with a '# about_Name' heading");
        }

        var lines = new List<string> { "TOPIC" };
        var first = 1;
        var topic = blocks[0].Text;
        if (blocks.Count > 1 && blocks[1] is { Kind: BlockKind.Heading, Level: 2 } second &&
            second.Text.StartsWith("about_", StringComparison.OrdinalIgnoreCase))
        {
            // PlatyPS template: "# Title" then "## about_Name".
            topic = second.Text;
            first = 2;
        }

        lines.Add(Indent + topic.Trim().ToLowerInvariant());
        lines.Add("");

        foreach (var block in blocks.Skip(first))
        {
            switch (block.Kind)
            {
                case BlockKind.Heading when block.Level == 1:
                    lines.Add(Plain(block.Text).ToUpperInvariant());
                    break;
                case BlockKind.Heading when block.Level == 2:
                    lines.Add(Plain(block.Text));
                    break;
                case BlockKind.Heading:
                    lines.Add(Indent + Plain(block.Text).ToUpperInvariant());
                    break;
                case BlockKind.Code:
                    foreach (var codeLine in block.Text.Split(MarkdownBlocks.NewLine))
                    {
                        lines.Add(codeLine.Length == 0 ? "" : Indent + codeLine.TrimEnd());
                    }

                    lines.Add("");
                    break;
                default:
                    AddText(lines, block.Text);
                    break;
            }
        }

        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return string.Join("\n", lines) + "\n";
    }

    private static void AddText(List<string> output, string raw)
    {
        foreach (var paragraph in Paragraphs(raw))
        {
            if (paragraph.All(l => l.TrimStart().StartsWith('|')))
            {
                // A table: keep the rows as written.
                output.AddRange(paragraph.Select(l => Indent + l.Trim()));
                output.Add("");
                continue;
            }

            foreach (var (marker, text) in LogicalLines(paragraph))
            {
                Wrap(output, marker, Plain(text));
            }

            output.Add("");
        }
    }

    private static IEnumerable<List<string>> Paragraphs(string raw)
    {
        var current = new List<string>();
        foreach (var line in raw.Split(MarkdownBlocks.NewLine))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                if (current.Count > 0)
                {
                    yield return current;
                    current = [];
                }

                continue;
            }

            current.Add(line);
        }

        if (current.Count > 0)
        {
            yield return current;
        }
    }

    /// <summary>Joins soft-wrapped lines; list items and hard breaks (two trailing spaces or '\') start new lines.</summary>
    private static IEnumerable<(string Marker, string Text)> LogicalLines(List<string> paragraph)
    {
        string? marker = null;
        var text = new StringBuilder();
        var breakPending = false;
        foreach (var line in paragraph)
        {
            var match = ListMarker.Match(line);
            if (match.Success || breakPending)
            {
                if (marker is not null)
                {
                    yield return (marker, text.ToString());
                }

                marker = match.Success ? match.Groups[1].Value + " " : "";
                text.Clear();
            }
            else if (marker is null)
            {
                marker = "";
            }

            var content = (match.Success ? line[match.Length..] : line).Trim();
            breakPending = line.EndsWith("  ", StringComparison.Ordinal) || line.EndsWith('\\');
            if (line.EndsWith('\\'))
            {
                content = content[..^1].TrimEnd();
            }

            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(content);
        }

        if (marker is not null)
        {
            yield return (marker, text.ToString());
        }
    }

    private static void Wrap(List<string> output, string marker, string text)
    {
        var width = MaxLineWidth - Indent.Length - marker.Length;
        var prefix = Indent + marker;
        var hanging = Indent + new string(' ', marker.Length);
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                output.Add(prefix + line);
                prefix = hanging;
                line.Clear();
            }

            if (line.Length > 0)
            {
                line.Append(' ');
            }

            line.Append(word);
        }

        output.Add((prefix + line).TrimEnd());
    }

    /// <summary>Removes emphasis markers and escapes; links become "text" or "text (absolute uri)".</summary>
    private static string Plain(string text) =>
        InlineText.StripMarkup(text, (linkText, uri) =>
            MamlWriter.MamlUri(uri).Length > 0 && uri != linkText ? $"{linkText} ({uri})" : linkText);
}
