namespace RedisDocker.HelpGen.Tests;

public class PlatyPsMarkdownErrorTests
{
    private const string Source = "docs/help/New-RedisNetwork.md";

    private static FormatException ParseFails(string markdown)
    {
        var error = Assert.Throws<FormatException>(() => PlatyPsMarkdown.Parse(markdown, Source));
        Assert.StartsWith(Source, error.Message, StringComparison.Ordinal);
        return error;
    }

    private static string Without(string text, string part) => text.ReplaceOnce(part, "");

    [Fact]
    public void Missing_synopsis_section()
    {
        var error = ParseFails(Without(Samples.NewRedisNetwork, "## SYNOPSIS\nCreates a Docker network for a Redis topology.\n"));

        Assert.Contains("missing '## SYNOPSIS' section", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("## DESCRIPTION")]
    [InlineData("## EXAMPLES")]
    [InlineData("## PARAMETERS")]
    [InlineData("## INPUTS")]
    [InlineData("## OUTPUTS")]
    [InlineData("## NOTES")]
    [InlineData("## RELATED LINKS")]
    public void Missing_section(string heading)
    {
        var markdown = Samples.NewRedisNetwork.ReplaceOnce(heading + "\n", "");
        var error = Assert.Throws<FormatException>(() => PlatyPsMarkdown.Parse(markdown, Source));

        Assert.StartsWith(Source, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_synopsis()
    {
        var error = ParseFails(Without(Samples.NewRedisNetwork, "Creates a Docker network for a Redis topology.\n"));

        Assert.Contains("SYNOPSIS section is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parameter_without_yaml_block_reports_its_line()
    {
        var markdown = Samples.NewRedisNetwork.ReplaceOnce(
            "```yaml\nType: String\nParameter Sets: (All)\nAliases:\n\nRequired: False\nPosition: Named\nDefault value: None\nAccept pipeline input: False\nAccept wildcard characters: False\n```\n",
            "");
        var error = ParseFails(markdown);

        var line = Samples.NewRedisNetwork.Split('\n').ToList().IndexOf("### -Subnet") + 1;
        Assert.Equal($"{Source}({line}): parameter -Subnet has no ```yaml metadata block", error.Message);
    }

    [Fact]
    public void Missing_front_matter()
    {
        var markdown = Samples.NewRedisNetwork[Samples.NewRedisNetwork.IndexOf("# New-RedisNetwork", StringComparison.Ordinal)..];

        Assert.Contains("missing front matter", ParseFails(markdown).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unclosed_front_matter()
    {
        var markdown = Samples.NewRedisNetwork.ReplaceOnce("schema: 2.0.0\n---", "schema: 2.0.0\n");

        Assert.Contains("not closed", ParseFails(markdown).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_front_matter_line()
    {
        var error = ParseFails(Samples.NewRedisNetwork.ReplaceOnce("Module Name: RedisDocker", "Module Name RedisDocker"));

        Assert.Equal($"{Source}(3): front matter line 'Module Name RedisDocker' is not a 'key: value' pair", error.Message);
    }

    [Fact]
    public void Missing_schema()
    {
        var error = ParseFails(Without(Samples.NewRedisNetwork, "schema: 2.0.0\n"));

        Assert.Contains("schema 2.0.0 is required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_schema()
    {
        var error = ParseFails(Samples.NewRedisNetwork.ReplaceOnce("schema: 2.0.0", "schema: 1.0.0"));

        Assert.Contains("unsupported markdown schema '1.0.0'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_external_help_file()
    {
        var error = ParseFails(Without(Samples.NewRedisNetwork, "external help file: RedisDocker.dll-Help.xml\n"));

        Assert.Contains("external help file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_command_heading()
    {
        var error = ParseFails(Without(Samples.NewRedisNetwork, "# New-RedisNetwork\n"));

        Assert.Contains("'# Verb-Noun' heading", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_commands_in_one_file()
    {
        var error = ParseFails(Samples.NewRedisNetwork + "\n# Get-RedisNode\n");

        Assert.Contains("only one command per file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_section()
    {
        var error = ParseFails(Samples.NewRedisNetwork.ReplaceOnce("## NOTES", "## REMARKS"));

        Assert.Contains("unknown section '## REMARKS'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_section()
    {
        var error = ParseFails(Samples.NewRedisNetwork + "\n## NOTES\nAgain.\n");

        Assert.Contains("duplicate section '## NOTES'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Code_block_in_description()
    {
        var error = ParseFails(Samples.NewRedisNetwork.ReplaceOnce("## EXAMPLES", "```\ncode\n```\n\n## EXAMPLES"));

        Assert.Contains("code block in DESCRIPTION", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Subheading_in_description()
    {
        var error = ParseFails(Samples.NewRedisNetwork.ReplaceOnce("## EXAMPLES", "### Details\nMore.\n\n## EXAMPLES"));

        Assert.Contains("heading '### Details' in DESCRIPTION", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Example_without_code_block()
    {
        var markdown = Samples.NewRedisNetwork.ReplaceOnce(
            "```powershell\nPS C:\\> New-RedisNetwork -Name redis -Subnet 172.28.0.0/16\n```\n", "");

        Assert.Contains("example 'Example 1: Create a network with a custom subnet' has no code block", ParseFails(markdown).Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Example_with_text_between_code_blocks()
    {
        var markdown = Samples.NewRedisNetwork.ReplaceOnce(
            "Its containers get addresses from 172.28.0.0/16.\n",
            "Its containers get addresses from 172.28.0.0/16.\n\n```\nmore code\n```\n");

        Assert.Contains("in example 'Example 1", ParseFails(markdown).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_yaml_key()
    {
        var error = ParseFails(Samples.NewRedisNetwork.ReplaceOnce("Aliases: NetworkName", "Alias: NetworkName"));

        Assert.Contains("parameter -Name: unknown yaml key 'Alias'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_yaml_line()
    {
        var error = ParseFails(Samples.NewRedisNetwork.ReplaceOnce("Aliases: NetworkName", "Aliases NetworkName"));

        Assert.Contains("invalid yaml line 'Aliases NetworkName'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_without_type()
    {
        var error = ParseFails(Samples.NewRedisNetwork.ReplaceOnce("Type: String\nParameter Sets: (All)\nAliases: NetworkName",
            "Parameter Sets: (All)\nAliases: NetworkName"));

        Assert.Contains("parameter -Name: the yaml block has no 'Type'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_after_yaml_block()
    {
        var error = ParseFails(Samples.NewRedisNetwork.ReplaceOnce("### -Subnet", "Stray text.\n\n### -Subnet"));

        Assert.Contains("after the yaml block of parameter -Name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parameter_documented_twice()
    {
        var error = ParseFails(Samples.NewRedisNetwork.ReplaceOnce("### -Subnet", "### -name\nAgain.\n\n```yaml\nType: String\n```\n\n### -Subnet"));

        Assert.Contains("parameter -name is documented twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Related_links_must_be_links()
    {
        var error = ParseFails(Samples.NewRedisNetwork.ReplaceOnce("[Get-RedisNode](Get-RedisNode.md)", "- [Get-RedisNode](Get-RedisNode.md)"));

        Assert.Contains("RELATED LINKS may only contain [text](uri) links", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unclosed_code_block()
    {
        var error = ParseFails(Samples.NewRedisNetwork + "\n```\nnever closed\n");

        Assert.Contains("never closed", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Creates a Docker network for a Redis topology.", "{{ Fill in the Synopsis }}", "SYNOPSIS")]
    [InlineData("The name of the network.", "{{ Fill Name Description }}", "parameter -Name")]
    [InlineData("This command creates the network redis.", "{{ Add example description here }}", "example 'Example 1")]
    public void Placeholders_left_by_new_markdownhelp_are_rejected(string text, string placeholder, string where)
    {
        var error = ParseFails(Samples.NewRedisNetwork.ReplaceOnce(text, placeholder));

        Assert.Contains(where, error.Message, StringComparison.Ordinal);
        Assert.Contains(placeholder, error.Message, StringComparison.Ordinal);
    }
}
