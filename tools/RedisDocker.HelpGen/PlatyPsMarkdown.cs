using System.Text.RegularExpressions;

namespace RedisDocker.HelpGen;

/// <summary>
/// Parser for PlatyPS cmdlet markdown, schema 2.0.0 (the format New-MarkdownHelp writes and
/// New-ExternalHelp reads). It follows the grammar and text handling of PlatyPS 0.14's
/// ModelTransformerVersion2 / MarkdownParser (ParserMode.Full), and is stricter where PlatyPS
/// would silently produce broken help: every error is a <see cref="FormatException"/> whose
/// message starts with "source(line): ".
/// </summary>
public static class PlatyPsMarkdown
{
    /// <summary>Sections every cmdlet page must have (New-MarkdownHelp writes all of them).</summary>
    public static readonly IReadOnlyList<string> RequiredSections =
    [
        "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS",
    ];

    /// <summary>Parses one cmdlet page.</summary>
    /// <param name="markdown">The file content.</param>
    /// <param name="sourceName">File name used in error messages.</param>
    /// <exception cref="FormatException">The markdown is not valid PlatyPS 2.0.0 cmdlet help.</exception>
    public static HelpDocument Parse(string markdown, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        sourceName ??= "";
        try
        {
            return new Parser(markdown, sourceName).Run();
        }
        catch (MarkdownException e)
        {
            var where = e.Line > 0 ? $"{sourceName}({e.Line})" : sourceName;
            throw new FormatException($"{where}: {e.Message}", e);
        }
    }

    /// <summary>Parses the "key: value" front matter of any PlatyPS markdown file (null if it has none).</summary>
    public static IReadOnlyDictionary<string, string>? ParseFrontMatter(string markdown, string sourceName = "")
    {
        try
        {
            var prepared = MarkdownBlocks.Prepare(markdown, out var skipped);
            var (frontMatter, _, _) = MarkdownBlocks.SplitFrontMatter(prepared, 1 + skipped);
            return frontMatter is null ? null : Parser.ParseFrontMatter(frontMatter);
        }
        catch (MarkdownException e)
        {
            var where = e.Line > 0 ? $"{sourceName}({e.Line})" : sourceName;
            throw new FormatException($"{where}: {e.Message}", e);
        }
    }

    private sealed class Parser(string markdown, string sourceName)
    {
        private static readonly HashSet<string> KnownYamlKeys = new(StringComparer.OrdinalIgnoreCase)
        {
            "Type", "Parameter Sets", "Aliases", "Accepted values", "Required", "Position", "Default value",
            "Accept pipeline input", "Accept wildcard characters", "Applicable",
        };

        private static readonly Regex CommandName = new(@"^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9_]+$", RegexOptions.CultureInvariant);
        private static readonly Regex Placeholder = new(@"\{\{[^{}\r\n]*\}\}", RegexOptions.CultureInvariant);
        private const string DefaultSetSuffix = " (Default)";

        private List<Block> _blocks = [];
        private int _next;
        private int _lastLine;

        private string _synopsis = "";
        private string _description = "";
        private string _notes = "";
        private bool _commonParameters;
        private readonly List<HelpSyntax> _syntax = [];
        private readonly List<HelpExample> _examples = [];
        private readonly List<HelpParameter> _parameters = [];
        private readonly List<HelpTypeItem> _inputs = [];
        private readonly List<HelpTypeItem> _outputs = [];
        private readonly List<HelpLink> _links = [];

        public HelpDocument Run()
        {
            var prepared = MarkdownBlocks.Prepare(markdown, out var skipped);
            var (frontMatterLines, body, bodyLine) = MarkdownBlocks.SplitFrontMatter(prepared, 1 + skipped);
            if (frontMatterLines is null)
            {
                throw new MarkdownException(1 + skipped,
                    "missing front matter: the file must start with a '---' block containing 'schema: 2.0.0'");
            }

            var frontMatter = ParseFrontMatter(frontMatterLines);
            CheckFrontMatter(frontMatter, 1 + skipped);

            _blocks = MarkdownBlocks.Scan(body, bodyLine);
            var title = Next();
            if (title is null || title.Kind != BlockKind.Heading || title.Level != 1)
            {
                throw new MarkdownException(title?.Line ?? bodyLine, "expected the command name as a '# Verb-Noun' heading");
            }

            var name = title.Text.Trim();
            if (!CommandName.IsMatch(name))
            {
                throw new MarkdownException(title.Line, $"'# {name}' is not a Verb-Noun command name");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (Next() is { } block)
            {
                if (block.Kind != BlockKind.Heading)
                {
                    throw new MarkdownException(block.Line, $"unexpected {Describe(block)}; expected a '## SECTION' heading");
                }

                if (block.Level == 1)
                {
                    throw new MarkdownException(block.Line, $"second '# {block.Text}' heading: only one command per file is supported");
                }

                if (block.Level != 2)
                {
                    throw new MarkdownException(block.Line, $"unexpected heading '{new string('#', block.Level)} {block.Text}'; expected a '## SECTION' heading");
                }

                var section = block.Text.Trim().ToUpperInvariant();
                if (!RequiredSections.Contains(section))
                {
                    throw new MarkdownException(block.Line, $"unknown section '## {block.Text}' (PlatyPS accepts {string.Join(", ", RequiredSections)})");
                }

                if (!seen.Add(section))
                {
                    throw new MarkdownException(block.Line, $"duplicate section '## {block.Text}'");
                }

                switch (section)
                {
                    case "SYNOPSIS":
                        _synopsis = SimpleText(section);
                        break;
                    case "DESCRIPTION":
                        _description = SimpleText(section);
                        break;
                    case "NOTES":
                        _notes = SimpleText(section);
                        break;
                    case "SYNTAX":
                        SyntaxSection();
                        break;
                    case "EXAMPLES":
                        ExamplesSection();
                        break;
                    case "PARAMETERS":
                        ParametersSection();
                        break;
                    case "INPUTS":
                        TypeSection(section, _inputs);
                        break;
                    case "OUTPUTS":
                        TypeSection(section, _outputs);
                        break;
                    case "RELATED LINKS":
                        LinksSection();
                        break;
                }
            }

            var missing = RequiredSections.FirstOrDefault(s => !seen.Contains(s));
            if (missing is not null)
            {
                throw new MarkdownException(_lastLine, $"missing '## {missing}' section");
            }

            if (string.IsNullOrWhiteSpace(_synopsis))
            {
                throw new MarkdownException(0, "the SYNOPSIS section is empty");
            }

            var document = new HelpDocument(
                name,
                InlineText.ToPublic(_synopsis),
                InlineText.ToPublic(_description),
                _syntax,
                _examples,
                _parameters,
                _inputs,
                _outputs,
                InlineText.ToPublic(_notes),
                _links,
                frontMatter)
            {
                SourceName = sourceName,
                SupportsCommonParameters = _commonParameters,
            };
            CheckPlaceholders(document);
            return document;
        }

        internal static Dictionary<string, string> ParseFrontMatter(List<(string Line, int LineNumber)> lines)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (raw, lineNumber) in lines)
            {
                var line = raw.Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                var colon = line.IndexOf(':');
                if (colon <= 0)
                {
                    throw new MarkdownException(lineNumber, $"front matter line '{line}' is not a 'key: value' pair");
                }

                result[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }

            return result;
        }

        private static void CheckFrontMatter(Dictionary<string, string> frontMatter, int line)
        {
            if (!frontMatter.TryGetValue("schema", out var schema) || schema.Length == 0)
            {
                throw new MarkdownException(line, "front matter has no 'schema' key; PlatyPS markdown schema 2.0.0 is required");
            }

            if (schema != "2.0.0")
            {
                throw new MarkdownException(line, $"unsupported markdown schema '{schema}'; only 2.0.0 is supported");
            }

            if (!frontMatter.TryGetValue("external help file", out var helpFile) || helpFile.Length == 0)
            {
                throw new MarkdownException(line, "front matter has no 'external help file' (e.g. RedisDocker.dll-Help.xml)");
            }

            if (helpFile.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || helpFile.Contains('/') || helpFile.Contains('\\'))
            {
                throw new MarkdownException(line, $"'external help file: {helpFile}' is not a plain file name");
            }
        }

        // ---- block cursor -------------------------------------------------------------------

        private Block? Peek() => _next < _blocks.Count ? _blocks[_next] : null;

        private Block? Next()
        {
            var block = Peek();
            if (block is not null)
            {
                _next++;
                _lastLine = block.Line;
            }

            return block;
        }

        private bool PeekIs(BlockKind kind) => Peek()?.Kind == kind;

        private bool PeekHeading(int level) => Peek() is { Kind: BlockKind.Heading } h && h.Level == level;

        /// <summary>True when the next block ends the current section (a heading of level 1 or 2, or the end).</summary>
        private bool AtSectionEnd() => Peek() is null or { Kind: BlockKind.Heading, Level: <= 2 };

        private static string Describe(Block block) => block.Kind switch
        {
            BlockKind.Code => "code block",
            BlockKind.Text => $"text '{Shorten(block.Text)}'",
            _ => $"heading '{new string('#', block.Level)} {block.Text}'",
        };

        private static string Shorten(string text)
        {
            var line = text.Trim().Split(MarkdownBlocks.NewLine)[0];
            return line.Length > 40 ? line[..40] + "..." : line;
        }

        private MarkdownException Unexpected(Block block, string context) =>
            new(block.Line, $"unexpected {Describe(block)} in {context}");

        // ---- sections -----------------------------------------------------------------------

        /// <summary>SYNOPSIS, DESCRIPTION, NOTES: a single text block (PlatyPS' SimpleTextSectionRule).</summary>
        private string SimpleText(string section)
        {
            var text = PeekIs(BlockKind.Text) ? InlineText.Render(Next()!.Text) : "";
            if (!AtSectionEnd())
            {
                var block = Peek()!;
                var why = block.Kind == BlockKind.Code
                    ? " (PlatyPS does not support code blocks here)"
                    : " (PlatyPS does not support subheadings here)";
                throw new MarkdownException(block.Line, $"unexpected {Describe(block)} in {section}{why}");
            }

            return text;
        }

        private void SyntaxSection()
        {
            while (!AtSectionEnd())
            {
                var block = Next()!;
                if (block.Kind == BlockKind.Code)
                {
                    _syntax.Add(new HelpSyntax("(All)", true, Code(block.Text)));
                    continue;
                }

                if (block.Kind != BlockKind.Heading || block.Level != 3)
                {
                    throw Unexpected(block, "SYNTAX (expected '### ParameterSetName' followed by a code block)");
                }

                var name = block.Text.Trim();
                var isDefault = name.EndsWith(DefaultSetSuffix, StringComparison.Ordinal);
                if (isDefault)
                {
                    name = name[..^DefaultSetSuffix.Length].Trim();
                }

                if (!PeekIs(BlockKind.Code))
                {
                    throw new MarkdownException(block.Line, $"syntax entry '### {block.Text}' has no code block");
                }

                _syntax.Add(new HelpSyntax(name, isDefault, Code(Next()!.Text)));
            }
        }

        private void ExamplesSection()
        {
            while (!AtSectionEnd())
            {
                var heading = Next()!;
                if (heading.Kind != BlockKind.Heading || heading.Level != 3)
                {
                    throw Unexpected(heading, "EXAMPLES (expected '### Example N: title')");
                }

                var title = heading.Text.Trim();
                var introduction = PeekIs(BlockKind.Text) ? InlineText.Render(Next()!.Text) : "";
                var blocks = new List<HelpCodeBlock>();
                while (PeekIs(BlockKind.Code))
                {
                    var code = Next()!;
                    blocks.Add(new HelpCodeBlock(code.Language, Code(code.Text)));
                }

                if (blocks.Count == 0)
                {
                    throw new MarkdownException(heading.Line, $"example '{title}' has no code block");
                }

                var remarks = PeekIs(BlockKind.Text) ? InlineText.Render(Next()!.Text) : "";
                if (!AtSectionEnd() && !PeekHeading(3))
                {
                    throw new MarkdownException(Peek()!.Line,
                        $"unexpected {Describe(Peek()!)} in example '{title}' (PlatyPS expects: introduction, code blocks, remarks)");
                }

                _examples.Add(new HelpExample(title, string.Join("\n\n", blocks.Select(b => b.Code)), InlineText.ToPublic(remarks))
                {
                    Introduction = InlineText.ToPublic(introduction),
                    CodeBlocks = blocks,
                });
            }
        }

        private void ParametersSection()
        {
            while (!AtSectionEnd())
            {
                var heading = Next()!;
                if (heading.Kind != BlockKind.Heading || heading.Level != 3)
                {
                    throw Unexpected(heading, "PARAMETERS (expected '### -ParameterName')");
                }

                var name = heading.Text.Trim();
                if (name.StartsWith('-'))
                {
                    name = name[1..];
                }

                // Description: text and non-yaml code blocks (PlatyPS' ParagraphOrCodeBlockNodeRule("yaml")).
                var parts = new List<string>();
                while (Peek() is { } part && (part.Kind == BlockKind.Text ||
                       (part.Kind == BlockKind.Code && !string.Equals(part.Language, "yaml", StringComparison.OrdinalIgnoreCase))))
                {
                    Next();
                    parts.Add(part.Kind == BlockKind.Text ? InlineText.Render(part.Text) : part.Text);
                }

                var description = InlineText.ToPublic(string.Join(MarkdownBlocks.NewLine + MarkdownBlocks.NewLine, parts));

                if (string.Equals(name, "CommonParameters", StringComparison.OrdinalIgnoreCase) ||
                    string.Equals(name, "WorkflowParameters", StringComparison.OrdinalIgnoreCase))
                {
                    _commonParameters |= string.Equals(name, "CommonParameters", StringComparison.OrdinalIgnoreCase);
                    if (!AtSectionEnd() && !PeekHeading(3))
                    {
                        throw Unexpected(Peek()!, $"'### {name}'");
                    }

                    continue;
                }

                if (name.Length == 0 || !name.All(c => MarkdownBlocks.IsWordChar(c)))
                {
                    throw new MarkdownException(heading.Line, $"'### {heading.Text}' is not a parameter name");
                }

                if (_parameters.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new MarkdownException(heading.Line, $"parameter -{name} is documented twice");
                }

                var yamlBlocks = new List<HelpParameter>();
                while (PeekIs(BlockKind.Code))
                {
                    var yaml = Next()!;
                    yamlBlocks.Add(ParameterFromYaml(name, description, yaml));
                }

                if (yamlBlocks.Count == 0)
                {
                    throw new MarkdownException(heading.Line, $"parameter -{name} has no ```yaml metadata block");
                }

                if (!AtSectionEnd() && !PeekHeading(3))
                {
                    throw new MarkdownException(Peek()!.Line,
                        $"unexpected {Describe(Peek()!)} after the yaml block of parameter -{name}");
                }

                _parameters.Add(yamlBlocks[0] with { AdditionalBlocks = yamlBlocks.Skip(1).ToList() });
            }
        }

        private static HelpParameter ParameterFromYaml(string name, string description, Block yaml)
        {
            var pairs = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (var raw in yaml.Text.Split(MarkdownBlocks.NewLine))
            {
                var line = raw.Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                var colon = line.IndexOf(':');
                if (colon <= 0)
                {
                    throw new MarkdownException(yaml.Line, $"parameter -{name}: invalid yaml line '{line}' (expected 'Key: value')");
                }

                var key = line[..colon].Trim();
                if (!KnownYamlKeys.Contains(key))
                {
                    throw new MarkdownException(yaml.Line, $"parameter -{name}: unknown yaml key '{key}'");
                }

                var value = line[(colon + 1)..].Trim();
                pairs[key] = value.Length == 0 ? null : value;
            }

            string? Value(string key) => pairs.TryGetValue(key, out var v) ? v : null;

            var type = Value("Type") ?? throw new MarkdownException(yaml.Line, $"parameter -{name}: the yaml block has no 'Type'");
            IReadOnlyList<string> sets = ["(All)"];
            if (pairs.ContainsKey("Parameter Sets"))
            {
                sets = SplitList(Value("Parameter Sets"));
                if (sets.Count == 0)
                {
                    throw new MarkdownException(yaml.Line, $"parameter -{name}: 'Parameter Sets' is empty (use '(All)')");
                }
            }

            return new HelpParameter(
                name,
                description,
                type,
                sets,
                SplitList(Value("Aliases")),
                string.Equals(Value("Required"), "true", StringComparison.OrdinalIgnoreCase),
                Value("Position") ?? "Named",
                Value("Default value") ?? "None",
                Value("Accept pipeline input") ?? "false",
                string.Equals(Value("Accept wildcard characters"), "true", StringComparison.OrdinalIgnoreCase))
            {
                AcceptedValues = SplitList(Value("Accepted values")),
            };
        }

        private static List<string> SplitList(string? value) =>
            value is null ? [] : value.Split(',').Select(x => x.Trim()).Where(x => x.Length > 0).ToList();

        private void TypeSection(string section, List<HelpTypeItem> items)
        {
            while (!AtSectionEnd())
            {
                var heading = Next()!;
                if (heading.Kind != BlockKind.Heading || heading.Level != 3)
                {
                    throw Unexpected(heading, $"{section} (expected '### TypeName')");
                }

                var description = PeekIs(BlockKind.Text) ? InlineText.Render(Next()!.Text) : "";
                if (!AtSectionEnd() && !PeekHeading(3))
                {
                    throw Unexpected(Peek()!, $"{section} entry '### {heading.Text}'");
                }

                items.Add(new HelpTypeItem(heading.Text.Trim(), InlineText.ToPublic(description)));
            }
        }

        private void LinksSection()
        {
            if (PeekIs(BlockKind.Text))
            {
                var block = Next()!;
                foreach (var span in InlineText.Spans(block.Text))
                {
                    if (span.Kind != SpanKind.Link)
                    {
                        var what = span.Kind == SpanKind.HardBreak ? "a line ending with two spaces" : $"'{span.Text}'";
                        throw new MarkdownException(block.Line, $"RELATED LINKS may only contain [text](uri) links, found {what}");
                    }

                    _links.Add(new HelpLink(span.Text, span.Uri));
                }
            }

            if (!AtSectionEnd())
            {
                throw Unexpected(Peek()!, "RELATED LINKS");
            }
        }

        private static string Code(string crlfText) => crlfText.Replace(MarkdownBlocks.NewLine, "\n");

        private void CheckPlaceholders(HelpDocument document)
        {
            void Check(string what, string text)
            {
                var match = Placeholder.Match(text);
                if (match.Success)
                {
                    throw new MarkdownException(0, $"{what} still contains the PlatyPS placeholder '{match.Value}'");
                }
            }

            Check("SYNOPSIS", document.Synopsis);
            Check("DESCRIPTION", document.Description);
            Check("NOTES", document.Notes);
            foreach (var example in document.Examples)
            {
                Check($"example '{example.Title}'", example.Title + "\n" + example.Introduction + "\n" + example.Remarks);
                if (example.Code.Contains("{{ Add example code here }}", StringComparison.OrdinalIgnoreCase))
                {
                    Check($"example '{example.Title}'", example.Code);
                }
            }

            foreach (var parameter in document.Parameters)
            {
                Check($"parameter -{parameter.Name}", parameter.Description);
            }

            foreach (var item in document.Inputs.Concat(document.Outputs))
            {
                Check($"type '{item.TypeName}'", item.TypeName + "\n" + item.Description);
            }
        }
    }
}

/// <summary>Markdown structure error at a line (0 = no particular line).</summary>
internal sealed class MarkdownException(int line, string message) : Exception(message)
{
    public int Line { get; } = line;
}
