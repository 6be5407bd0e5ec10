using System.Text;
using System.Text.RegularExpressions;

namespace RedisDocker.HelpGen;

internal enum BlockKind
{
    Heading,
    Code,
    Text,
}

/// <summary>
/// A block of a markdown document, split the way PlatyPS' MarkdownParser splits it: headings,
/// fenced code blocks, and "text" = everything in between. PlatyPS never splits text on blank
/// lines (its paragraph patterns cannot match), so one Text block holds all prose between two
/// headings/code blocks; blank lines are turned into paragraph breaks by <see cref="InlineText"/>.
/// </summary>
/// <param name="Text">Heading text, code (trimmed) or raw text (CRLF newlines).</param>
/// <param name="Line">1-based line number in the original file.</param>
internal sealed record Block(BlockKind Kind, int Level, string Text, string Language, int Line);

internal static class MarkdownBlocks
{
    internal const string NewLine = "\r\n";

    /// <summary>
    /// PlatyPS' document preparation: trims leading whitespace, replaces en dashes and normalizes
    /// line breaks to CRLF (all further processing is defined in terms of CRLF).
    /// </summary>
    public static string Prepare(string markdown, out int skippedLines)
    {
        var normalized = Regex.Replace(markdown, "\r\n?|\n", NewLine);
        if (normalized.Length > 0 && normalized[0] == '\uFEFF')
        {
            normalized = normalized[1..];
        }

        var trimmed = normalized.TrimStart();
        skippedLines = CountLines(normalized, normalized.Length - trimmed.Length);
        return trimmed.Replace('\u2013', '-');
    }

    /// <summary>Splits the front matter off (the "---" delimited block at the very start).</summary>
    /// <returns>The front matter lines (null when the document has none) and the body.</returns>
    public static (List<(string Line, int LineNumber)>? FrontMatter, string Body, int BodyFirstLine) SplitFrontMatter(
        string prepared, int firstLine)
    {
        if (!prepared.StartsWith("---" + NewLine, StringComparison.Ordinal))
        {
            return (null, prepared, firstLine);
        }

        // The closing delimiter is a line of exactly "---" (PlatyPS accepts any line starting with "---").
        var end = 3;
        while ((end = prepared.IndexOf(NewLine + "---", end, StringComparison.Ordinal)) >= 0)
        {
            var lineEnd = prepared.IndexOf(NewLine, end + 5, StringComparison.Ordinal);
            if (string.IsNullOrWhiteSpace(prepared[(end + 5)..(lineEnd < 0 ? prepared.Length : lineEnd)]))
            {
                break;
            }

            end += 5;
        }

        if (end < 0)
        {
            throw new MarkdownException(firstLine, "front matter starting with '---' is not closed by a '---' line");
        }

        var lines = new List<(string, int)>();
        if (end > 5)
        {
            var lineNumber = firstLine + 1;
            foreach (var line in prepared[5..end].Split(NewLine))
            {
                lines.Add((line, lineNumber++));
            }
        }

        // PlatyPS skips "\r\n---" and then trims the remainder.
        var rest = prepared[(end + 5)..];
        var body = rest.TrimStart();
        var bodyFirstLine = firstLine + CountLines(prepared, end + 5) + CountLines(rest, rest.Length - body.Length);
        return (lines, body, bodyFirstLine);
    }

    /// <summary>Splits a document body (CRLF) into headings, code blocks and text.</summary>
    public static List<Block> Scan(string body, int firstLine)
    {
        var blocks = new List<Block>();
        var lines = SplitLines(body);
        var textStart = -1; // offset where the pending text starts
        var textLine = 0;

        void FlushText(int endOffset)
        {
            if (textStart >= 0 && endOffset > textStart)
            {
                var raw = body[textStart..endOffset];
                if (!string.IsNullOrWhiteSpace(raw))
                {
                    blocks.Add(new Block(BlockKind.Text, 0, raw, "", firstLine + textLine));
                }
            }

            textStart = -1;
        }

        var i = 0;
        while (i < lines.Count)
        {
            var (start, length) = lines[i];
            var line = body.Substring(start, length);
            var trimmedStart = line.TrimStart(' ', '\t');

            if (line.StartsWith('#'))
            {
                FlushText(start);
                var (level, text) = ParseHashHeading(line);
                blocks.Add(new Block(BlockKind.Heading, level, text, "", firstLine + i));
                i++;
                continue;
            }

            if (trimmedStart.StartsWith("```", StringComparison.Ordinal))
            {
                FlushText(start);
                var fenceOffset = start + (line.Length - trimmedStart.Length);
                var languageLength = 0;
                while (fenceOffset + 3 + languageLength < body.Length && IsWordChar(body[fenceOffset + 3 + languageLength]))
                {
                    languageLength++;
                }

                var language = body.Substring(fenceOffset + 3, languageLength);
                var contentStart = fenceOffset + 3 + languageLength;
                var close = body.IndexOf("```", contentStart, StringComparison.Ordinal);
                if (close < 0)
                {
                    throw new MarkdownException(firstLine + i, "code block opened with ``` is never closed");
                }

                blocks.Add(new Block(BlockKind.Code, 0, body[contentStart..close].Trim(), language, firstLine + i));

                // Continue after the closing fence; text left on its line starts a new text block.
                var afterClose = close + 3;
                var closeLine = LineIndexOf(lines, close);
                var (closeStart, closeLength) = lines[closeLine];
                var remainder = body[afterClose..(closeStart + closeLength)];
                i = closeLine + 1;
                if (!string.IsNullOrWhiteSpace(remainder))
                {
                    textStart = afterClose;
                    textLine = closeLine;
                }

                continue;
            }

            // "Text\r\n---\r\n": PlatyPS' underline heading (the underline must end with a line break).
            if (!string.IsNullOrWhiteSpace(line) && i + 2 < lines.Count)
            {
                var next = body.Substring(lines[i + 1].Start, lines[i + 1].Length);
                if (UnderlineRegex.IsMatch(next))
                {
                    FlushText(start);
                    blocks.Add(new Block(BlockKind.Heading, next[0] == '=' ? 1 : 2, line.TrimEnd(' '), "", firstLine + i));
                    i += 2;
                    continue;
                }
            }

            if (textStart < 0)
            {
                textStart = start;
                textLine = i;
            }

            i++;
        }

        FlushText(body.Length);
        return blocks;
    }

    private static readonly Regex UnderlineRegex = new("^(==+|--+)[ ]*$", RegexOptions.CultureInvariant);

    /// <summary>PlatyPS' "(#+)[ ]*(.+?)[ ]*#*" heading pattern.</summary>
    private static (int Level, string Text) ParseHashHeading(string line)
    {
        var level = 0;
        while (level < line.Length && line[level] == '#')
        {
            level++;
        }

        var text = line[level..].TrimStart(' ');
        if (text.Length == 0 && level > 1)
        {
            // "###" alone: the lazy text group takes the last '#'.
            return (level - 1, "#");
        }

        var withoutHashes = text.TrimEnd('#');
        text = (withoutHashes.Length == 0 ? text : withoutHashes).TrimEnd(' ');
        return (level, text);
    }

    internal static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static List<(int Start, int Length)> SplitLines(string text)
    {
        var result = new List<(int, int)>();
        var start = 0;
        while (true)
        {
            var end = text.IndexOf(NewLine, start, StringComparison.Ordinal);
            if (end < 0)
            {
                result.Add((start, text.Length - start));
                return result;
            }

            result.Add((start, end - start));
            start = end + NewLine.Length;
        }
    }

    private static int LineIndexOf(List<(int Start, int Length)> lines, int offset)
    {
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            if (lines[i].Start <= offset)
            {
                return i;
            }
        }

        return 0;
    }

    internal static int CountLines(string text, int length)
    {
        var count = 0;
        for (var i = 0; i < length && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                count++;
            }
        }

        return count;
    }
}

internal enum SpanKind
{
    Text,
    Emphasis,
    Link,
    HardBreak,
}

/// <param name="Start">Start of the span in the raw text (text spans include surrounding whitespace).</param>
/// <param name="End">End (exclusive) of the span in the raw text.</param>
internal sealed record Span(SpanKind Kind, string Text, string Uri, int Start, int End);

/// <summary>
/// Turns a raw text block into the single string PlatyPS (ParserMode.Full) produces for it.
/// The result uses CRLF between MAML paragraphs, exactly like PlatyPS' model; callers convert
/// with <see cref="ToPublic"/>.
/// </summary>
/// <remarks>
/// Deviations from PlatyPS 0.14 kept on purpose, all in cases where PlatyPS mangles text:
/// emphasis markers must be flanking (no whitespace inside the markers), '_' emphasis does not
/// start after '$' (so "$_" survives), escaped markers are not emphasis, nothing is parsed inside
/// `code spans`, a link's target stops at the first ')', and a space is put between a link or
/// emphasis and the neighbouring text only where the markdown has whitespace (PlatyPS always adds
/// one before and after emphasis, giving "Name ." for "**Name**.", and never after a link with a
/// target, giving "(https://x)docs").
/// </remarks>
internal static class InlineText
{
    private static readonly Regex HardBreak = new(@"[ ]{2}\r\n", RegexOptions.CultureInvariant);
    private static readonly Regex Link = new(@"\[([^\]\r\n]+)\]\(([^)\r\n]*)\)", RegexOptions.CultureInvariant);
    private static readonly Regex Bold = new(@"(?<!\\)\*\*(?=\S)(.+?)(?<=[^\s\\])\*\*", RegexOptions.CultureInvariant);
    private static readonly Regex Italic = new(@"(?<!\\)\*(?=\S)(.+?)(?<=[^\s\\])\*", RegexOptions.CultureInvariant);
    private static readonly Regex Bold2 = new(@"(?<![a-zA-Z0-9$\\])__(?=\S)(.+?)(?<=[^\s$\\])__(?![a-zA-Z0-9])", RegexOptions.CultureInvariant);
    private static readonly Regex Italic2 = new(@"(?<![a-zA-Z0-9$\\])_(?=\S)(.+?)(?<=[^\s$\\])_(?![a-zA-Z0-9])", RegexOptions.CultureInvariant);

    // Order matters when two patterns match at the same offset (PlatyPS' pattern order).
    private static readonly (Regex Regex, SpanKind Kind)[] Patterns =
    [
        (HardBreak, SpanKind.HardBreak),
        (Link, SpanKind.Link),
        (Bold, SpanKind.Emphasis),
        (Italic, SpanKind.Emphasis),
        (Bold2, SpanKind.Emphasis),
        (Italic2, SpanKind.Emphasis),
    ];

    /// <summary>Splits raw text into spans like PlatyPS' Full-mode parser.</summary>
    public static List<Span> Spans(string raw)
    {
        var spans = new List<Span>();
        var codeSpans = CodeSpans(raw);
        var position = 0;
        while (position < raw.Length)
        {
            Match? best = null;
            var bestKind = SpanKind.Text;
            foreach (var (regex, kind) in Patterns)
            {
                var match = FirstValidMatch(regex, raw, position, codeSpans);
                if (match is not null && (best is null || match.Index < best.Index))
                {
                    best = match;
                    bestKind = kind;
                }
            }

            var textEnd = best?.Index ?? raw.Length;
            if (textEnd > position)
            {
                var text = raw[position..textEnd];
                if (!string.IsNullOrWhiteSpace(text))
                {
                    spans.Add(new Span(SpanKind.Text, Unwind(text.Trim()), "", position, textEnd));
                }
            }

            if (best is null)
            {
                break;
            }

            var end = best.Index + best.Length;
            spans.Add(bestKind switch
            {
                SpanKind.HardBreak => new Span(SpanKind.HardBreak, "\n", "", best.Index, end),
                SpanKind.Link => new Span(SpanKind.Link, best.Groups[1].Value, best.Groups[2].Value.Trim(), best.Index, end),
                _ => new Span(SpanKind.Emphasis, Unwind(best.Groups[1].Value.Trim()), "", best.Index, end),
            });
            position = best.Index + best.Length;
        }

        return spans;
    }

    /// <summary>
    /// PlatyPS' GetTextFromParagraphSpans: span texts concatenated, links as "text (uri)"; a space separates
    /// spans where the raw text has whitespace between them (hard breaks are never padded).
    /// </summary>
    public static string Join(IReadOnlyList<Span> spans, string raw)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < spans.Count; i++)
        {
            var span = spans[i];
            if (i > 0 && span.Kind != SpanKind.HardBreak && spans[i - 1].Kind != SpanKind.HardBreak)
            {
                var previous = spans[i - 1];
                var from = Math.Max(0, previous.End - 1);
                var boundary = raw.AsSpan(from, Math.Min(raw.Length, span.Start + 1) - from);
                if (boundary.ContainsAny(" \t\r\n"))
                {
                    sb.Append(' ');
                }
            }

            sb.Append(span.Text);
            if (span.Kind == SpanKind.Link && !string.IsNullOrWhiteSpace(span.Uri))
            {
                sb.Append(" (").Append(span.Uri).Append(')');
            }
        }

        return sb.ToString();
    }

    /// <summary>Raw text block to PlatyPS model text (CRLF between paragraphs).</summary>
    public static string Render(string raw) => Join(Spans(raw), raw);

    /// <summary>PlatyPS model text (CRLF = paragraph break) to the public form ("\n\n").</summary>
    public static string ToPublic(string modelText) => modelText.Replace(MarkdownBlocks.NewLine, "\n\n");

    /// <summary>
    /// PlatyPS' UnwindMarkdownCharsEscaping: removes markdown escapes, joins the lines of a paragraph
    /// with spaces, turns blank lines into paragraph breaks and keeps bullet list items on their own lines.
    /// </summary>
    internal static string Unwind(string text)
    {
        text = Unescape(text);

        var lines = text.Split(MarkdownBlocks.NewLine).ToList();
        if (lines[^1].Length > 0)
        {
            lines.Add(""); // the regex PlatyPS uses also matches the empty string at the end
        }

        var sb = new StringBuilder();
        var previous = "foo";
        var inList = false;
        foreach (var line in lines)
        {
            var before = previous;
            previous = line;
            if (string.IsNullOrWhiteSpace(line))
            {
                sb.Append(MarkdownBlocks.NewLine);
                continue;
            }

            if (HasListPrefix(before) && HasListPrefix(line))
            {
                inList = true;
                sb.Append(MarkdownBlocks.NewLine).Append(line);
                continue;
            }

            if (inList)
            {
                inList = false;
                sb.Append(MarkdownBlocks.NewLine);
            }

            sb.Append(line).Append(' ');
        }

        return sb.ToString().Replace(" " + MarkdownBlocks.NewLine, MarkdownBlocks.NewLine).Trim();
    }

    /// <summary>Removes the markdown escapes PlatyPS' renderer adds.</summary>
    internal static string Unescape(string text) => text
        .Replace(@"\[", "[")
        .Replace(@"\]", "]")
        .Replace(@"\(", "(")
        .Replace(@"\)", ")")
        .Replace(@"\`", "`")
        .Replace(@"\<", "<")
        .Replace(@"\>", ">")
        .Replace(@"\_", "_")
        .Replace(@"\*", "*")
        .Replace(@"\\", @"\");

    /// <summary>
    /// Plain-text rendering of one line of markdown for about topics: emphasis markers and escapes removed,
    /// links formatted by <paramref name="formatLink"/>, everything else (spacing, `code`) kept as written.
    /// </summary>
    internal static string StripMarkup(string text, Func<string, string, string> formatLink)
    {
        var codeSpans = CodeSpans(text);
        var sb = new StringBuilder();
        var position = 0;
        while (position < text.Length)
        {
            Match? best = null;
            var bestKind = SpanKind.Text;
            foreach (var (regex, kind) in Patterns.Where(p => p.Kind != SpanKind.HardBreak))
            {
                var match = FirstValidMatch(regex, text, position, codeSpans);
                if (match is not null && (best is null || match.Index < best.Index))
                {
                    best = match;
                    bestKind = kind;
                }
            }

            var end = best?.Index ?? text.Length;
            sb.Append(Unescape(text[position..end]));
            if (best is null)
            {
                break;
            }

            sb.Append(bestKind == SpanKind.Link
                ? formatLink(best.Groups[1].Value, best.Groups[2].Value.Trim())
                : Unescape(best.Groups[1].Value));
            position = best.Index + best.Length;
        }

        return sb.ToString();
    }

    internal static bool HasListPrefix(string s) =>
        s.Length >= 2 && ((s[0] == '-' && (s[1] == '-' || s[1] == ' ')) || (s[0] == '*' && s[1] == ' '));

    private static Match? FirstValidMatch(Regex regex, string text, int start, List<(int Start, int End)> codeSpans)
    {
        var from = start;
        while (from < text.Length)
        {
            var match = regex.Match(text, from);
            if (!match.Success)
            {
                return null;
            }

            var end = match.Index + match.Length;
            // A match may contain whole code spans, but must not start in one or cut one.
            var clashes = codeSpans.Any(c =>
                match.Index < c.End && end > c.Start && !(match.Index <= c.Start && end >= c.End));
            if (!clashes)
            {
                return match;
            }

            from = match.Index + 1;
        }

        return null;
    }

    /// <summary>Ranges of `code spans` (CommonMark backtick runs), where no inline markup is parsed.</summary>
    private static List<(int Start, int End)> CodeSpans(string text)
    {
        var result = new List<(int, int)>();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                i += 2;
                continue;
            }

            if (text[i] != '`')
            {
                i++;
                continue;
            }

            var runLength = 0;
            while (i + runLength < text.Length && text[i + runLength] == '`')
            {
                runLength++;
            }

            var search = i + runLength;
            var closed = false;
            while (search < text.Length)
            {
                var next = text.IndexOf('`', search);
                if (next < 0)
                {
                    break;
                }

                var closeLength = 0;
                while (next + closeLength < text.Length && text[next + closeLength] == '`')
                {
                    closeLength++;
                }

                if (closeLength == runLength)
                {
                    result.Add((i, next + closeLength));
                    i = next + closeLength;
                    closed = true;
                    break;
                }

                search = next + closeLength;
            }

            if (!closed)
            {
                i += runLength;
            }
        }

        return result;
    }
}
