namespace RedisDocker.HelpGen.Tests;

public class PlatyPsMarkdownTests
{
    private static HelpDocument ParseNetwork() => PlatyPsMarkdown.Parse(Samples.NewRedisNetwork, "New-RedisNetwork.md");

    [Fact]
    public void Parses_front_matter_and_name()
    {
        var doc = ParseNetwork();

        Assert.Equal("New-RedisNetwork", doc.Name);
        Assert.Equal("New", doc.Verb);
        Assert.Equal("RedisNetwork", doc.Noun);
        Assert.Equal("New-RedisNetwork.md", doc.SourceName);
        Assert.Equal("RedisDocker.dll-Help.xml", doc.FrontMatter["external help file"]);
        Assert.Equal("RedisDocker", doc.FrontMatter["Module Name"]);
        Assert.Equal("", doc.FrontMatter["online version"]);
        Assert.Equal("2.0.0", doc.FrontMatter["schema"]);
        Assert.Equal("RedisDocker.dll-Help.xml", doc.ExternalHelpFile);
        Assert.True(doc.SupportsCommonParameters);
    }

    [Fact]
    public void Parses_synopsis_description_and_notes_like_platyps()
    {
        var doc = ParseNetwork();

        Assert.Equal("Creates a Docker network for a Redis topology.", doc.Synopsis);
        // Soft line breaks are joined, bold markers dropped, links become "text (uri)",
        // a blank line separates MAML paragraphs.
        Assert.Equal(
            "The New-RedisNetwork cmdlet creates a user-defined bridge network that the Redis containers of a topology join."
            + "\n\n"
            + "Use `-Subnet` to choose the address range; see about_RedisDocker (about_RedisDocker.md).",
            doc.Description);
        Assert.Equal("Requires a running Docker engine.", doc.Notes);
    }

    [Fact]
    public void Parses_syntax_section()
    {
        var syntax = Assert.Single(ParseNetwork().Syntax);

        Assert.Equal("Default", syntax.ParameterSetName);
        Assert.True(syntax.IsDefault);
        Assert.Equal("New-RedisNetwork [-Name] <String> [-Subnet <String>] [-WhatIf] [-Confirm] [<CommonParameters>]", syntax.SyntaxLine);
    }

    [Fact]
    public void Parses_examples()
    {
        var doc = ParseNetwork();

        Assert.Equal(2, doc.Examples.Count);
        var first = doc.Examples[0];
        Assert.Equal("Example 1: Create a network with a custom subnet", first.Title);
        Assert.Equal(@"PS C:\> New-RedisNetwork -Name redis -Subnet 172.28.0.0/16", first.Code);
        Assert.Equal("This command creates the network redis. Its containers get addresses from 172.28.0.0/16.", first.Remarks);
        Assert.Equal("", first.Introduction);
        Assert.Equal("powershell", Assert.Single(first.CodeBlocks).Language);
        Assert.Equal("New-RedisNetwork -Name redis -Subnet 172.28.0.0/16", first.CommandText);

        var second = doc.Examples[1];
        Assert.Equal(2, second.CodeBlocks.Count);
        Assert.Equal("output", second.CodeBlocks[1].Language);
        Assert.Equal(
            "PS C:\\> New-RedisNetwork ha | New-RedisNode -Name primary\n\nName     Role     Port\n----     ----     ----\nprimary  Primary  6379",
            second.Code);
        Assert.Equal("New-RedisNetwork ha | New-RedisNode -Name primary", second.CommandText);
        Assert.Equal("The network object is piped to New-RedisNode.", second.Remarks);
        Assert.Equal(["New-RedisNetwork", "New-RedisNode"], second.GetCommandUses().Select(u => u.Name));
    }

    [Fact]
    public void Parses_every_parameter_field()
    {
        var doc = ParseNetwork();

        Assert.Equal(["Name", "Subnet", "WhatIf", "Confirm"], doc.Parameters.Select(p => p.Name));
        var name = doc.Parameters[0];
        Assert.Equal("The name of the network.", name.Description);
        Assert.Equal("String", name.Type);
        Assert.Equal(["(All)"], name.ParameterSets);
        Assert.Equal(["NetworkName"], name.Aliases);
        Assert.True(name.Required);
        Assert.Equal("0", name.Position);
        Assert.False(name.IsNamed);
        Assert.Equal("None", name.DefaultValue);
        Assert.Equal("True (ByPropertyName)", name.PipelineInput);
        Assert.True(name.AcceptsPipelineInput);
        Assert.True(name.AcceptsPipelineInputByPropertyName);
        Assert.False(name.AcceptsPipelineInputByValue);
        Assert.False(name.AcceptWildcard);
        Assert.False(name.IsSwitch);
        Assert.Empty(name.AdditionalBlocks);

        var subnet = doc.FindParameter("-subnet")!;
        Assert.Empty(subnet.Aliases);
        Assert.False(subnet.Required);
        Assert.Equal("Named", subnet.Position);
        Assert.True(subnet.IsNamed);
        Assert.Equal("False", subnet.PipelineInput);
        Assert.False(subnet.AcceptsPipelineInput);
    }

    [Fact]
    public void Parses_switch_parameters()
    {
        var whatIf = ParseNetwork().FindParameter("WhatIf")!;

        Assert.Equal("SwitchParameter", whatIf.Type);
        Assert.True(whatIf.IsSwitch);
        Assert.Equal(["wi"], whatIf.Aliases);
        Assert.Equal("Shows what would happen if the cmdlet runs. The cmdlet is not run.", whatIf.Description);
    }

    [Fact]
    public void Parses_inputs_outputs_and_links()
    {
        var doc = ParseNetwork();

        var input = Assert.Single(doc.Inputs);
        Assert.Equal(new HelpTypeItem("RedisDocker.RedisNetwork", "A network definition whose name is used."), input);
        Assert.Equal(new HelpTypeItem("RedisDocker.RedisNetwork", "The created network."), Assert.Single(doc.Outputs));
        Assert.Equal(
            [new HelpLink("Get-RedisNode", "Get-RedisNode.md"), new HelpLink("Docker networking", "https://docs.docker.com/network/")],
            doc.Links);
    }

    [Fact]
    public void Parses_several_parameter_sets_accepted_values_and_multiple_yaml_blocks()
    {
        var doc = PlatyPsMarkdown.Parse(Samples.NewRedisNode, "New-RedisNode.md");

        Assert.Equal(2, doc.Syntax.Count);
        Assert.Equal(new HelpSyntax("Standalone", true, doc.Syntax[0].SyntaxLine), doc.Syntax[0]);
        Assert.Equal("Replica", doc.Syntax[1].ParameterSetName);
        Assert.False(doc.Syntax[1].IsDefault);
        Assert.Contains("\n [-PassThru]", doc.Syntax[0].SyntaxLine, StringComparison.Ordinal);

        Assert.Equal(["NodeName", "N"], doc.FindParameter("Name")!.Aliases);
        Assert.Equal(["Replica"], doc.FindParameter("Primary")!.ParameterSets);
        Assert.Equal("True (ByValue, ByPropertyName)", doc.FindParameter("Primary")!.PipelineInput);

        var role = doc.FindParameter("Role")!;
        Assert.Equal(["Primary", "Replica"], role.AcceptedValues);
        Assert.True(role.AcceptWildcard);

        var count = doc.FindParameter("Count")!;
        Assert.Equal(["Standalone"], count.ParameterSets);
        Assert.False(count.Required);
        Assert.Equal("1", count.DefaultValue);
        var replicaBlock = Assert.Single(count.AdditionalBlocks);
        Assert.Equal(["Replica"], replicaBlock.ParameterSets);
        Assert.True(replicaBlock.Required);
        Assert.Equal("2", replicaBlock.Position);
        Assert.Equal("How many nodes to start.", replicaBlock.Description);
        Assert.Equal(2, count.AllBlocks.Count());

        Assert.Equal(2, doc.Inputs.Count);
        Assert.Equal("", doc.Inputs[0].Description);
        Assert.Equal("", doc.Notes);
        Assert.Empty(doc.Links);
    }

    [Fact]
    public void Syntax_code_block_without_heading_is_the_default_all_set()
    {
        var doc = PlatyPsMarkdown.Parse(Samples.GetRedisNode, "Get-RedisNode.md");

        Assert.Equal(new HelpSyntax("(All)", true, "Get-RedisNode [[-Name] <String>] [-Force] [<CommonParameters>]"), Assert.Single(doc.Syntax));
    }

    [Fact]
    public void Accepts_crlf_line_endings_and_a_bom()
    {
        var doc = PlatyPsMarkdown.Parse("\uFEFF" + Samples.NewRedisNetwork.Replace("\n", "\r\n"), "x.md");

        Assert.Equal(ParseNetwork() with { SourceName = "x.md" }, doc, new DocumentComparer());
    }

    [Theory]
    [InlineData("A *short* note.", "A short note.")]
    [InlineData("Use __this__ one.", "Use this one.")]
    [InlineData("Keep `$_.Name` and $_ as is.", "Keep `$_.Name` and $_ as is.")]
    [InlineData("Pass $_ and $_.Name through.", "Pass $_ and $_.Name through.")]
    [InlineData("Matches Get-* and *.txt.", "Matches Get-* and *.txt.")]
    [InlineData("Escaped \\[brackets\\] and \\*stars\\*.", "Escaped [brackets] and *stars*.")]
    [InlineData("A `**literal**` code span.", "A `**literal**` code span.")]
    [InlineData("See [Docker](https://docker.com) docs.", "See Docker (https://docker.com) docs.")]
    [InlineData("See [Get-RedisNode]() too.", "See Get-RedisNode too.")]
    [InlineData("The **-Name** parameter.", "The -Name parameter.")]
    [InlineData("Set **Name**, then (**Port**).", "Set Name, then (Port).")]
    [InlineData("**Bold** start.", "Bold start.")]
    [InlineData("Line one\nline two.", "Line one line two.")]
    [InlineData("First.\n\nSecond.", "First.\n\nSecond.")]
    [InlineData("First.\n\n\nSecond.", "First.\n\n\n\nSecond.")]
    [InlineData("Hard  \nbreak.", "Hard\nbreak.")]
    // PlatyPS keeps list items on their own paragraphs and leaves an empty paragraph after a list.
    [InlineData("Roles:\n\n- Primary\n- Replica\n\nDone.", "Roles:\n\n- Primary\n\n- Replica\n\n\n\nDone.")]
    [InlineData("Roles:\n- Primary\n- Replica", "Roles: - Primary\n\n- Replica")]
    [InlineData("Dash \u2013 en dash.", "Dash - en dash.")]
    public void Converts_text_like_platyps(string markdown, string expected)
    {
        var doc = PlatyPsMarkdown.Parse(Samples.NewRedisNetwork.ReplaceOnce("Requires a running Docker engine.", markdown), "x.md");

        Assert.Equal(expected, doc.Notes);
    }

    [Fact]
    public void Parameter_description_may_contain_code_blocks()
    {
        var markdown = Samples.NewRedisNetwork.ReplaceOnce(
            "The subnet in CIDR notation, for example 172.28.0.0/16.",
            "The subnet.\n\n```\n172.28.0.0/16\n10.1.0.0/16\n```\n\nMust not overlap.");

        var subnet = PlatyPsMarkdown.Parse(markdown, "x.md").FindParameter("Subnet")!;

        Assert.Equal("The subnet.\n\n\n\n172.28.0.0/16\n\n10.1.0.0/16\n\n\n\nMust not overlap.", subnet.Description);
    }

    [Fact]
    public void Example_introduction_is_kept_separately()
    {
        var markdown = Samples.NewRedisNetwork.ReplaceOnce(
            "### Example 1: Create a network with a custom subnet\n",
            "### Example 1: Create a network with a custom subnet\nFirst create it.\n\n");

        var example = PlatyPsMarkdown.Parse(markdown, "x.md").Examples[0];

        Assert.Equal("First create it.", example.Introduction);
        Assert.Equal("This command creates the network redis. Its containers get addresses from 172.28.0.0/16.", example.Remarks);
    }

    [Fact]
    public void Online_version_and_other_front_matter_values_are_kept()
    {
        var doc = PlatyPsMarkdown.Parse(Samples.NewRedisNode, "New-RedisNode.md");

        Assert.Equal("https://example.org/redisdocker/New-RedisNode", doc.FrontMatter["online version"]);
        Assert.Equal("https://example.org/redisdocker/New-RedisNode", doc.FrontMatter["ONLINE VERSION"]);
    }

    private sealed class DocumentComparer : IEqualityComparer<HelpDocument>
    {
        public bool Equals(HelpDocument? x, HelpDocument? y) =>
            x is not null && y is not null &&
            x.Name == y.Name && x.Synopsis == y.Synopsis && x.Description == y.Description && x.Notes == y.Notes &&
            x.Syntax.SequenceEqual(y.Syntax) &&
            x.Examples.Select(e => (e.Title, e.Code, e.Remarks)).SequenceEqual(y.Examples.Select(e => (e.Title, e.Code, e.Remarks))) &&
            x.Parameters.Select(Key).SequenceEqual(y.Parameters.Select(Key)) &&
            x.Inputs.SequenceEqual(y.Inputs) && x.Outputs.SequenceEqual(y.Outputs) && x.Links.SequenceEqual(y.Links) &&
            x.FrontMatter.OrderBy(p => p.Key).SequenceEqual(y.FrontMatter.OrderBy(p => p.Key));

        public int GetHashCode(HelpDocument obj) => obj.Name.GetHashCode(StringComparison.Ordinal);

        private static string Key(HelpParameter p) =>
            string.Join("|", p.Name, p.Description, p.Type, string.Join(",", p.ParameterSets), string.Join(",", p.Aliases),
                p.Required, p.Position, p.DefaultValue, p.PipelineInput, p.AcceptWildcard);
    }
}
