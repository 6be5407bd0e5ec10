namespace RedisDocker.HelpGen;

// Text conventions used by every record below:
//  * Prose (synopsis, descriptions, remarks, notes) is the text PlatyPS would put in MAML:
//    soft line breaks are joined with a space, emphasis markers and escapes are removed,
//    and each MAML <maml:para> is separated from the next by a blank line ("\n\n").
//    Bullet lists keep one item per paragraph.
//  * Code (syntax lines, example code) keeps its line breaks as "\n".

/// <summary>One cmdlet help page parsed from PlatyPS markdown (schema 2.0.0).</summary>
public sealed record HelpDocument(
    string Name,
    string Synopsis,
    string Description,
    IReadOnlyList<HelpSyntax> Syntax,
    IReadOnlyList<HelpExample> Examples,
    IReadOnlyList<HelpParameter> Parameters,
    IReadOnlyList<HelpTypeItem> Inputs,
    IReadOnlyList<HelpTypeItem> Outputs,
    string Notes,
    IReadOnlyList<HelpLink> Links,
    IReadOnlyDictionary<string, string> FrontMatter)
{
    /// <summary>File name or label given to <see cref="PlatyPsMarkdown.Parse"/>.</summary>
    public string SourceName { get; init; } = "";

    /// <summary>True when the PARAMETERS section has a "### CommonParameters" entry.</summary>
    public bool SupportsCommonParameters { get; init; }

    /// <summary>The verb part of <see cref="Name"/> (text before the first '-').</summary>
    public string Verb => Name.Split('-')[0];

    /// <summary>The noun part of <see cref="Name"/> (text after the first '-').</summary>
    public string Noun => Name[Math.Min(Verb.Length + 1, Name.Length)..];

    /// <summary>The "external help file" front matter value, e.g. RedisDocker.dll-Help.xml.</summary>
    public string ExternalHelpFile => FrontMatter.TryGetValue("external help file", out var value) ? value : "";

    /// <summary>Looks a parameter up by name (case-insensitive, with or without a leading '-').</summary>
    public HelpParameter? FindParameter(string name)
    {
        var bare = name.TrimStart('-');
        return Parameters.FirstOrDefault(p => string.Equals(p.Name, bare, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>One "### SetName" + code block entry of the SYNTAX section, as written in the markdown.</summary>
/// <param name="ParameterSetName">Set name without the " (Default)" suffix; "(All)" for a code block without heading.</param>
/// <param name="IsDefault">True when the heading ends with " (Default)" (or the block has no heading).</param>
/// <param name="SyntaxLine">The code block text, e.g. "New-RedisNetwork [-Name] &lt;String&gt; [&lt;CommonParameters&gt;]".</param>
public sealed record HelpSyntax(string ParameterSetName, bool IsDefault, string SyntaxLine);

/// <summary>A fenced code block of an example.</summary>
public sealed record HelpCodeBlock(string Language, string Code);

/// <summary>One "### Example" entry.</summary>
/// <param name="Title">The heading text as written (the MAML title is this text padded with dashes).</param>
/// <param name="Code">Raw code, prompts included; several code blocks are joined by a blank line, as PlatyPS does.</param>
/// <param name="Remarks">The paragraph after the code block(s).</param>
public sealed record HelpExample(string Title, string Code, string Remarks)
{
    /// <summary>Text between the heading and the first code block (PlatyPS drops it from MAML).</summary>
    public string Introduction { get; init; } = "";

    /// <summary>The individual code blocks with their info string (powershell, output, ...).</summary>
    public IReadOnlyList<HelpCodeBlock> CodeBlocks { get; init; } = [];

    /// <summary>
    /// The PowerShell commands of the example: prompts ("PS C:\&gt; ", "PS&gt; ") removed and output lines dropped.
    /// When no line has a prompt, the blocks tagged powershell/pwsh/ps1 (or else the first block) are taken whole.
    /// </summary>
    public string CommandText
    {
        get
        {
            var blocks = CodeBlocks.Count > 0 ? CodeBlocks : [new HelpCodeBlock("", Code)];
            if (blocks.Any(b => PsExampleTokenizer.HasPrompt(b.Code)))
            {
                return PsExampleTokenizer.StripPrompts(string.Join("\n\n", blocks.Select(b => b.Code)));
            }

            var code = blocks.Where(b => PsExampleTokenizer.IsPowerShellLanguage(b.Language)).ToList();
            if (code.Count == 0)
            {
                code = [blocks[0]];
            }

            return string.Join("\n\n", code.Select(b => b.Code));
        }
    }

    /// <summary>The commands used by <see cref="CommandText"/>, see <see cref="PsExampleTokenizer"/>.</summary>
    public IReadOnlyList<PsCommandUse> GetCommandUses() => PsExampleTokenizer.Parse(CommandText);
}

/// <summary>
/// One "### -Name" entry of the PARAMETERS section. The positional members describe the first
/// ```yaml block; a parameter whose metadata differs between parameter sets has further blocks in
/// <see cref="AdditionalBlocks"/>.
/// </summary>
/// <param name="Name">Parameter name without the leading '-'.</param>
/// <param name="Type">Type as written ("String", "SwitchParameter", "RedisNode[]").</param>
/// <param name="ParameterSets">"(All)" or the set names.</param>
/// <param name="Position">"0", "1", ... or "Named" (the yaml value as written; "Named" when absent).</param>
/// <param name="DefaultValue">As written; "None" when absent.</param>
/// <param name="PipelineInput">As written, e.g. "True (ByPropertyName)"; "false" when absent (PlatyPS' default).</param>
public sealed record HelpParameter(
    string Name,
    string Description,
    string Type,
    IReadOnlyList<string> ParameterSets,
    IReadOnlyList<string> Aliases,
    bool Required,
    string Position,
    string DefaultValue,
    string PipelineInput,
    bool AcceptWildcard)
{
    /// <summary>"Accepted values:" (ValidateSet) entries; rendered as command:parameterValueGroup in syntax.</summary>
    public IReadOnlyList<string> AcceptedValues { get; init; } = [];

    /// <summary>Second and later ```yaml blocks of the same parameter (other parameter sets).</summary>
    public IReadOnlyList<HelpParameter> AdditionalBlocks { get; init; } = [];

    /// <summary>This block followed by <see cref="AdditionalBlocks"/>.</summary>
    public IEnumerable<HelpParameter> AllBlocks => new[] { this }.Concat(AdditionalBlocks);

    /// <summary>True for "SwitchParameter" or "switch" (any case), like PlatyPS.</summary>
    public bool IsSwitch =>
        string.Equals(Type, "SwitchParameter", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(Type, "switch", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when Position is "Named" (or empty).</summary>
    public bool IsNamed =>
        string.IsNullOrWhiteSpace(Position) || string.Equals(Position, "Named", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the pipeline input text starts with "True".</summary>
    public bool AcceptsPipelineInput => PipelineInput.TrimStart().StartsWith("true", StringComparison.OrdinalIgnoreCase);

    public bool AcceptsPipelineInputByValue =>
        AcceptsPipelineInput && PipelineInput.Contains("ByValue", StringComparison.OrdinalIgnoreCase);

    public bool AcceptsPipelineInputByPropertyName =>
        AcceptsPipelineInput && PipelineInput.Contains("ByPropertyName", StringComparison.OrdinalIgnoreCase);
}

/// <summary>An INPUTS or OUTPUTS entry ("### TypeName" + description).</summary>
public sealed record HelpTypeItem(string TypeName, string Description);

/// <summary>A RELATED LINKS entry, "[Text](Uri)".</summary>
public sealed record HelpLink(string Text, string Uri);
