using System.Xml.Linq;

namespace RedisDocker.HelpGen.Tests;

public class MamlWriterTests
{
    private static readonly XNamespace Maml = MamlWriter.Maml;
    private static readonly XNamespace Command = MamlWriter.Command;
    private static readonly XNamespace Dev = MamlWriter.Dev;

    private static HelpDocument Doc(string markdown, string name) => PlatyPsMarkdown.Parse(markdown, name + ".md");

    private static IReadOnlyList<HelpDocument> AllDocs() =>
    [
        Doc(Samples.NewRedisNode, "New-RedisNode"),
        Doc(Samples.NewRedisNetwork, "New-RedisNetwork"),
        Doc(Samples.GetRedisNode, "Get-RedisNode"),
    ];

    private static XElement CommandOf(XDocument xml, string name) =>
        xml.Root!.Elements(Command + "command").Single(c => c.Element(Command + "details")!.Element(Command + "name")!.Value == name);

    private static XElement Param(XElement parent, string name) =>
        parent.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == name);

    private static string[] Paras(XElement? element) => element!.Elements(Maml + "para").Select(p => p.Value).ToArray();

    [Fact]
    public void Output_is_well_formed_maml_with_platyps_namespaces()
    {
        var text = MamlWriter.Write(AllDocs());
        var xml = XDocument.Parse(text);

        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<helpItems schema=\"maml\" xmlns=\"http://msh\">\n", text, StringComparison.Ordinal);
        Assert.Equal(MamlWriter.Msh + "helpItems", xml.Root!.Name);
        Assert.Equal("maml", xml.Root.Attribute("schema")!.Value);
        var command = xml.Root.Elements().First();
        Assert.Equal(Command + "command", command.Name);
        Assert.Equal("http://schemas.microsoft.com/maml/2004/10", command.Attribute(XNamespace.Xmlns + "maml")!.Value);
        Assert.Equal("http://schemas.microsoft.com/maml/dev/command/2004/10", command.Attribute(XNamespace.Xmlns + "command")!.Value);
        Assert.Equal("http://schemas.microsoft.com/maml/dev/2004/10", command.Attribute(XNamespace.Xmlns + "dev")!.Value);
        Assert.Equal("http://msdn.microsoft.com/mshelp", command.Attribute(XNamespace.Xmlns + "MSHelp")!.Value);
        Assert.Equal(
            ["details", "description", "syntax", "parameters", "inputTypes", "returnValues", "alertSet", "examples", "relatedLinks"],
            command.Elements().Select(e => e.Name.LocalName));
    }

    [Fact]
    public void One_command_per_document_ordered_by_name_with_verb_and_noun()
    {
        var xml = XDocument.Parse(MamlWriter.Write(AllDocs()));

        var details = xml.Root!.Elements(Command + "command").Select(c => c.Element(Command + "details")!).ToList();
        Assert.Equal(["Get-RedisNode", "New-RedisNetwork", "New-RedisNode"], details.Select(d => d.Element(Command + "name")!.Value));
        Assert.Equal(["Get", "New", "New"], details.Select(d => d.Element(Command + "verb")!.Value));
        Assert.Equal(["RedisNode", "RedisNetwork", "RedisNode"], details.Select(d => d.Element(Command + "noun")!.Value));
        Assert.Equal(["Creates a Docker network for a Redis topology."], Paras(details[1].Element(Maml + "description")));
    }

    [Fact]
    public void Writes_description_paragraphs_notes_inputs_and_outputs()
    {
        var command = CommandOf(XDocument.Parse(MamlWriter.Write(AllDocs())), "New-RedisNetwork");

        Assert.Equal(2, Paras(command.Element(Maml + "description")).Length);
        Assert.Equal(["Requires a running Docker engine."], Paras(command.Element(Maml + "alertSet")!.Element(Maml + "alert")));
        var input = command.Element(Command + "inputTypes")!.Element(Command + "inputType")!;
        Assert.Equal("RedisDocker.RedisNetwork", input.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal(["A network definition whose name is used."], Paras(input.Element(Maml + "description")));
        var output = command.Element(Command + "returnValues")!.Element(Command + "returnValue")!;
        Assert.Equal("RedisDocker.RedisNetwork", output.Element(Dev + "type")!.Element(Maml + "name")!.Value);
    }

    [Fact]
    public void Writes_parameters_with_aliases_pipeline_input_and_position()
    {
        var command = CommandOf(XDocument.Parse(MamlWriter.Write(AllDocs())), "New-RedisNetwork");
        var parameters = command.Element(Command + "parameters")!;

        Assert.Equal(["Name", "Subnet", "WhatIf", "Confirm"], parameters.Elements().Select(p => p.Element(Maml + "name")!.Value));
        var name = Param(parameters, "Name");
        Assert.Equal("true", name.Attribute("required")!.Value);
        Assert.Equal("true", name.Attribute("variableLength")!.Value);
        Assert.Equal("false", name.Attribute("globbing")!.Value);
        Assert.Equal("True (ByPropertyName)", name.Attribute("pipelineInput")!.Value);
        Assert.Equal("0", name.Attribute("position")!.Value);
        Assert.Equal("NetworkName", name.Attribute("aliases")!.Value);
        Assert.Equal(["The name of the network."], Paras(name.Element(Maml + "description")));
        var value = name.Element(Command + "parameterValue")!;
        Assert.Equal("String", value.Value);
        Assert.Equal("true", value.Attribute("required")!.Value);
        Assert.Equal("false", value.Attribute("variableLength")!.Value);
        Assert.Equal("String", name.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("None", name.Element(Dev + "defaultValue")!.Value);

        var subnet = Param(parameters, "Subnet");
        Assert.Equal("named", subnet.Attribute("position")!.Value);
        Assert.Equal("none", subnet.Attribute("aliases")!.Value);
        Assert.Equal("False", subnet.Attribute("pipelineInput")!.Value);
    }

    [Fact]
    public void Switch_parameters_have_no_value_in_syntax_and_default_to_false()
    {
        var command = CommandOf(XDocument.Parse(MamlWriter.Write(AllDocs())), "New-RedisNetwork");

        var inParameters = Param(command.Element(Command + "parameters")!, "WhatIf");
        var value = inParameters.Element(Command + "parameterValue")!;
        Assert.Equal("SwitchParameter", value.Value);
        Assert.Equal("false", value.Attribute("required")!.Value);
        Assert.Equal("False", inParameters.Element(Dev + "defaultValue")!.Value);
        Assert.Equal("wi", inParameters.Attribute("aliases")!.Value);

        var inSyntax = Param(command.Element(Command + "syntax")!.Element(Command + "syntaxItem")!, "WhatIf");
        Assert.Null(inSyntax.Element(Command + "parameterValue"));
        Assert.Equal("SwitchParameter", inSyntax.Element(Dev + "type")!.Element(Maml + "name")!.Value);
        Assert.Equal("False", inSyntax.Element(Dev + "defaultValue")!.Value);
    }

    [Fact]
    public void Syntax_has_one_item_per_parameter_set_built_from_the_yaml_metadata()
    {
        var command = CommandOf(XDocument.Parse(MamlWriter.Write(AllDocs())), "New-RedisNode");
        var items = command.Element(Command + "syntax")!.Elements(Command + "syntaxItem").ToList();

        Assert.Equal(2, items.Count);
        Assert.All(items, i => Assert.Equal("New-RedisNode", i.Element(Maml + "name")!.Value));
        // Standalone: (All) parameters plus Standalone ones, ordered by position (stable).
        Assert.Equal(["Name", "Network", "Port", "Count", "Role", "PassThru"],
            items[0].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));
        // Replica uses the second yaml block of -Count (required, position 2).
        Assert.Equal(["Name", "Primary", "Count", "Network", "PassThru"],
            items[1].Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value));
        var count = Param(items[1], "Count");
        Assert.Equal("true", count.Attribute("required")!.Value);
        Assert.Equal("2", count.Attribute("position")!.Value);
        Assert.Equal("True (ByValue, ByPropertyName)", Param(items[1], "Primary").Attribute("pipelineInput")!.Value);

        // The parameters section uses the first yaml block.
        var countParameter = Param(command.Element(Command + "parameters")!, "Count");
        Assert.Equal("false", countParameter.Attribute("required")!.Value);
        Assert.Equal("named", countParameter.Attribute("position")!.Value);
        Assert.Equal("1", countParameter.Element(Dev + "defaultValue")!.Value);
        Assert.Equal("NodeName, N", Param(command.Element(Command + "parameters")!, "Name").Attribute("aliases")!.Value);
    }

    [Fact]
    public void Accepted_values_become_a_parameter_value_group_in_syntax()
    {
        var command = CommandOf(XDocument.Parse(MamlWriter.Write(AllDocs())), "New-RedisNode");
        var role = Param(command.Element(Command + "syntax")!.Elements(Command + "syntaxItem").First(), "Role");

        var values = role.Element(Command + "parameterValueGroup")!.Elements(Command + "parameterValue").ToList();
        Assert.Equal(["Primary", "Replica"], values.Select(v => v.Value));
        Assert.Equal("false", values[0].Attribute(Command + "variableLength")!.Value);
        Assert.Equal("true", role.Attribute("globbing")!.Value);
        Assert.Null(Param(command.Element(Command + "parameters")!, "Role").Element(Command + "parameterValueGroup"));
    }

    [Fact]
    public void ComputeSyntax_without_parameters_gives_one_empty_item()
    {
        var doc = Doc(Samples.GetRedisNode, "Get-RedisNode") with { Parameters = [] };

        var item = Assert.Single(MamlWriter.ComputeSyntax(doc));
        Assert.Empty(item.Parameters);
    }

    [Fact]
    public void Examples_have_padded_titles_code_and_remarks()
    {
        var command = CommandOf(XDocument.Parse(MamlWriter.Write(AllDocs())), "New-RedisNetwork");
        var examples = command.Element(Command + "examples")!.Elements(Command + "example").ToList();

        Assert.Equal(2, examples.Count);
        Assert.Equal("------- Example 1: Create a network with a custom subnet -------", examples[0].Element(Maml + "title")!.Value);
        Assert.Equal(@"PS C:\> New-RedisNetwork -Name redis -Subnet 172.28.0.0/16", examples[0].Element(Dev + "code")!.Value);
        Assert.Equal(["This command creates the network redis. Its containers get addresses from 172.28.0.0/16."],
            Paras(examples[0].Element(Dev + "remarks")));
        Assert.Equal("PS C:\\> New-RedisNetwork ha | New-RedisNode -Name primary\n\nName     Role     Port\n----     ----     ----\nprimary  Primary  6379",
            examples[1].Element(Dev + "code")!.Value);
    }

    [Theory]
    [InlineData("Example 1", "-------------------------- Example 1 --------------------------")]
    [InlineData("Example 2: With a long title", "----------------- Example 2: With a long title -----------------")]
    [InlineData("", "")]
    public void Pads_example_titles_like_platyps(string title, string expected)
    {
        Assert.Equal(expected, MamlWriter.PadExampleTitle(title));
    }

    [Fact]
    public void Long_example_titles_are_not_padded()
    {
        var title = new string('x', 62);

        Assert.Equal(title, MamlWriter.PadExampleTitle(title));
        Assert.Equal(63, MamlWriter.PadExampleTitle("Example 1").Length);
        Assert.Equal(64, MamlWriter.PadExampleTitle("Example 2: With a long title").Length);
    }

    [Fact]
    public void Related_links_keep_only_absolute_uris_and_get_the_online_version_first()
    {
        var xml = XDocument.Parse(MamlWriter.Write(AllDocs()));

        var links = CommandOf(xml, "New-RedisNetwork").Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink").ToList();
        Assert.Equal(["Get-RedisNode", "Docker networking"], links.Select(l => l.Element(Maml + "linkText")!.Value));
        Assert.Equal(["", "https://docs.docker.com/network/"], links.Select(l => l.Element(Maml + "uri")!.Value));

        var online = CommandOf(xml, "New-RedisNode").Element(Command + "relatedLinks")!.Elements(Maml + "navigationLink").Single();
        Assert.Equal("Online Version:", online.Element(Maml + "linkText")!.Value);
        Assert.Equal("https://example.org/redisdocker/New-RedisNode", online.Element(Maml + "uri")!.Value);
    }

    [Fact]
    public void Online_version_is_not_repeated_when_it_is_already_the_first_link()
    {
        var doc = Doc(Samples.NewRedisNode, "New-RedisNode");
        doc = doc with { Links = [new HelpLink("Online Version:", "https://example.org/redisdocker/New-RedisNode")] };

        Assert.Single(MamlWriter.EffectiveLinks(doc));
    }

    [Theory]
    [InlineData("https://example.org/x", "https://example.org/x")]
    [InlineData("Get-RedisNode.md", "")]
    [InlineData("/abs/path.md", "")]
    [InlineData("", "")]
    public void Maml_uri(string uri, string expected)
    {
        Assert.Equal(expected, MamlWriter.MamlUri(uri));
    }

    [Fact]
    public void Duplicate_commands_are_rejected()
    {
        var doc = Doc(Samples.GetRedisNode, "Get-RedisNode");

        Assert.Throws<ArgumentException>(() => MamlWriter.Write([doc, doc]));
    }

    [Fact]
    public void Special_characters_are_escaped()
    {
        var text = MamlWriter.Write([Doc(Samples.GetRedisNode, "Get-RedisNode")]);

        Assert.Contains("<maml:para>Lists the nodes &amp; their roles.</maml:para>", text, StringComparison.Ordinal);
        Assert.Contains(@"<dev:code>PS C:\&gt; Get-RedisNode -Name r*</dev:code>", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Writes_exactly_what_platyps_writes_for_a_small_page()
    {
        var expected =
            """
            <?xml version="1.0" encoding="utf-8"?>
            <helpItems schema="maml" xmlns="http://msh">
              <command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10" xmlns:MSHelp="http://msdn.microsoft.com/mshelp">
                <command:details>
                  <command:name>Get-RedisNode</command:name>
                  <command:verb>Get</command:verb>
                  <command:noun>RedisNode</command:noun>
                  <maml:description>
                    <maml:para>Gets Redis nodes.</maml:para>
                  </maml:description>
                </command:details>
                <maml:description>
                  <maml:para>Lists the nodes &amp; their roles.</maml:para>
                </maml:description>
                <command:syntax>
                  <command:syntaxItem>
                    <maml:name>Get-RedisNode</maml:name>
                    <command:parameter required="false" variableLength="true" globbing="true" pipelineInput="False" position="0" aliases="none">
                      <maml:name>Name</maml:name>
                      <maml:description>
                        <maml:para>Name filter.</maml:para>
                      </maml:description>
                      <command:parameterValue required="true" variableLength="false">String</command:parameterValue>
                      <dev:type>
                        <maml:name>String</maml:name>
                        <maml:uri />
                      </dev:type>
                      <dev:defaultValue>*</dev:defaultValue>
                    </command:parameter>
                    <command:parameter required="false" variableLength="true" globbing="false" pipelineInput="False" position="named" aliases="none">
                      <maml:name>Force</maml:name>
                      <maml:description>
                        <maml:para>Includes stopped nodes.</maml:para>
                      </maml:description>
                      <dev:type>
                        <maml:name>SwitchParameter</maml:name>
                        <maml:uri />
                      </dev:type>
                      <dev:defaultValue>False</dev:defaultValue>
                    </command:parameter>
                  </command:syntaxItem>
                </command:syntax>
                <command:parameters>
                  <command:parameter required="false" variableLength="true" globbing="false" pipelineInput="False" position="named" aliases="none">
                    <maml:name>Force</maml:name>
                    <maml:description>
                      <maml:para>Includes stopped nodes.</maml:para>
                    </maml:description>
                    <command:parameterValue required="false" variableLength="false">SwitchParameter</command:parameterValue>
                    <dev:type>
                      <maml:name>SwitchParameter</maml:name>
                      <maml:uri />
                    </dev:type>
                    <dev:defaultValue>False</dev:defaultValue>
                  </command:parameter>
                  <command:parameter required="false" variableLength="true" globbing="true" pipelineInput="False" position="0" aliases="none">
                    <maml:name>Name</maml:name>
                    <maml:description>
                      <maml:para>Name filter.</maml:para>
                    </maml:description>
                    <command:parameterValue required="true" variableLength="false">String</command:parameterValue>
                    <dev:type>
                      <maml:name>String</maml:name>
                      <maml:uri />
                    </dev:type>
                    <dev:defaultValue>*</dev:defaultValue>
                  </command:parameter>
                </command:parameters>
                <command:inputTypes>
                  <command:inputType>
                    <dev:type>
                      <maml:name>None</maml:name>
                    </dev:type>
                    <maml:description>
                      <maml:para></maml:para>
                    </maml:description>
                  </command:inputType>
                </command:inputTypes>
                <command:returnValues>
                  <command:returnValue>
                    <dev:type>
                      <maml:name>RedisDocker.RedisNode</maml:name>
                    </dev:type>
                    <maml:description>
                      <maml:para></maml:para>
                    </maml:description>
                  </command:returnValue>
                </command:returnValues>
                <maml:alertSet>
                  <maml:alert>
                    <maml:para></maml:para>
                  </maml:alert>
                </maml:alertSet>
                <command:examples>
                  <command:example>
                    <maml:title>-------------------------- Example 1 --------------------------</maml:title>
                    <dev:code>PS C:\&gt; Get-RedisNode -Name r*</dev:code>
                    <dev:remarks>
                      <maml:para>Gets the nodes whose name starts with r.</maml:para>
                    </dev:remarks>
                  </command:example>
                </command:examples>
                <command:relatedLinks>
                  <maml:navigationLink>
                    <maml:linkText>New-RedisNode</maml:linkText>
                    <maml:uri></maml:uri>
                  </maml:navigationLink>
                </command:relatedLinks>
              </command:command>
            </helpItems>

            """;

        // Parameters section keeps the markdown order: put -Force first to see it is not re-sorted.
        var markdown = Samples.GetRedisNode;
        var nameStart = markdown.IndexOf("### -Name", StringComparison.Ordinal);
        var forceStart = markdown.IndexOf("### -Force", StringComparison.Ordinal);
        var commonStart = markdown.IndexOf("### CommonParameters", StringComparison.Ordinal);
        markdown = markdown[..nameStart] + markdown[forceStart..commonStart] + markdown[nameStart..forceStart] + markdown[commonStart..];

        Assert.Equal(expected, MamlWriter.Write([Doc(markdown, "Get-RedisNode")]));
    }
}
