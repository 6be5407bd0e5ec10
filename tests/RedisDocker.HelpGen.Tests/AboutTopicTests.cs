namespace RedisDocker.HelpGen.Tests;

public class AboutTopicTests
{
    [Fact]
    public void Converts_the_platyps_about_template_to_help_text()
    {
        var expected =
            """
            TOPIC
                about_redisdocker

            SHORT DESCRIPTION
                Runs Redis topologies in Docker containers from PowerShell.

            LONG DESCRIPTION
                RedisDocker creates networks, nodes, replicas and clusters of Redis running
                in Docker containers. It talks to the Docker engine directly.

                The usual steps:

                - Create a network with New-RedisNetwork.
                - Start nodes with New-RedisNode, then link replicas to a primary with
                  Set-RedisReplica and check them.

            Requirements
                A Docker engine.

                New-RedisNetwork ha | New-RedisNode -Name primary

            SEE ALSO
                - Docker (https://www.docker.com/)
                - New-RedisNetwork

            """;

        Assert.Equal(expected, AboutTopic.ToHelpText(Samples.About));
    }

    [Fact]
    public void Lines_are_at_most_80_columns_except_unbreakable_words()
    {
        var words = string.Join(" ", Enumerable.Range(0, 200).Select(i => "word" + i));
        var markdown = $"# about_Long\n\n## Long description\n\n{words}\n\n{new string('x', 100)}\n";

        var lines = AboutTopic.ToHelpText(markdown).Split('\n');

        Assert.All(lines.Where(l => !l.Contains("xxxx", StringComparison.Ordinal)), l => Assert.True(l.Length <= 80, l));
        Assert.Contains("    " + new string('x', 100), lines);
        Assert.Equal("TOPIC", lines[0]);
        Assert.Equal("    about_long", lines[1]);
        Assert.Equal("Long description", lines[3]);
    }

    [Fact]
    public void Keeps_code_tables_and_hard_breaks()
    {
        var markdown =
            "# about_X\n\n# EXAMPLES\nFirst line  \nsecond line\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n```\n  indented\n\nafter blank\n```\n\n### Sub topic\n1. one\n2. two\n";

        var text = AboutTopic.ToHelpText(markdown.Replace("\n", "\r\n"));

        Assert.Equal(
            "TOPIC\n    about_x\n\nEXAMPLES\n    First line\n    second line\n\n    | A | B |\n    |---|---|\n    | 1 | 2 |\n\n"
            + "    indented\n\n    after blank\n\n    SUB TOPIC\n    1. one\n    2. two\n",
            text);
    }

    [Fact]
    public void Requires_a_title_heading()
    {
        var error = Assert.Throws<FormatException>(() => AboutTopic.ToHelpText("Just text.", "about_X.md"));

        Assert.StartsWith("about_X.md(1):", error.Message, StringComparison.Ordinal);
    }
}
