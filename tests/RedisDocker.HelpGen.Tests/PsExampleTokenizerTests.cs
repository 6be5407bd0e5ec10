namespace RedisDocker.HelpGen.Tests;

public class PsExampleTokenizerTests
{
    /// <summary>Compact form "Name[Param,Param]@position#pipeline" of every command use.</summary>
    private static string[] Uses(string code) =>
        PsExampleTokenizer.Parse(code)
            .Select(u => $"{u.Name}[{string.Join(",", u.Parameters)}]@{u.PipelinePosition}#{u.PipelineIndex}")
            .ToArray();

    [Fact]
    public void Assignment_then_pipeline()
    {
        Assert.Equal(
            ["New-RedisNetwork[]@0#0", "New-RedisNode[Name]@1#0"],
            Uses("$p = New-RedisNetwork ha | New-RedisNode -Name primary"));
    }

    [Fact]
    public void Array_arguments_and_variables()
    {
        Assert.Equal(
            ["New-RedisNode[Network,Name]@0#0", "Set-RedisReplica[Primary]@1#0"],
            Uses("New-RedisNode -Network ha -Name r1, r2 | Set-RedisReplica -Primary $p"));
    }

    [Fact]
    public void Long_pipeline_with_colon_argument()
    {
        Assert.Equal(
            ["Get-RedisClusterNode[Cluster]@0#0", "Where-Object[eq]@1#0", "Select-Object[First]@2#0", "Invoke-RedisFailover[Confirm]@3#0"],
            Uses("Get-RedisClusterNode -Cluster redis | Where-Object Role -eq Replica | Select-Object -First 1 | Invoke-RedisFailover -Confirm:$false"));
    }

    [Fact]
    public void Semicolon_separates_pipelines()
    {
        Assert.Equal(
            ["Get-RedisNode[Topology]@0#0", "Remove-RedisNode[]@1#0", "Remove-RedisNetwork[]@0#1"],
            Uses("Get-RedisNode -Topology redis | Remove-RedisNode; Remove-RedisNetwork redis"));
    }

    [Fact]
    public void Comma_separated_values_are_not_parameters()
    {
        Assert.Equal(["Invoke-RedisCommand[Node,Command]@0#0"], Uses("Invoke-RedisCommand -Node n1 -Command SET, a, b"));
    }

    [Fact]
    public void Bare_words_after_a_command_are_arguments()
    {
        Assert.Equal(["Get-RedisNode[]@0#0", "Format-Table[]@1#0"], Uses("Get-RedisNode | Format-Table Name, Role"));
    }

    [Fact]
    public void Use_records_expose_parameters_without_dash()
    {
        var use = PsExampleTokenizer.Parse("Invoke-RedisFailover -Node r2 -Confirm:$false -Force").Single();

        Assert.Equal(new[] { "Node", "Confirm", "Force" }, use.Parameters);
        Assert.Equal("Invoke-RedisFailover", use.Name);
        Assert.Equal(0, use.PipelinePosition);
        Assert.Equal(0, use.PipelineIndex);
    }

    [Theory]
    [InlineData("Set-RedisConfig -Name maxmemory -Value -1", "Set-RedisConfig[Name,Value]@0#0")]
    [InlineData("Move-RedisSlot -Offset -1.5 -Count -0x10 -Delta -.5", "Move-RedisSlot[Offset,Count,Delta]@0#0")]
    [InlineData("Set-RedisConfig -Port:6380 -Name:'x y'", "Set-RedisConfig[Port,Name]@0#0")]
    [InlineData("Test-Thing -Value: -Other", "Test-Thing[Value]@0#0")]
    [InlineData("docker run --rm -d redis -- -NotAParameter", "docker[d]@0#0")]
    public void Values_that_look_like_parameters(string code, string expected)
    {
        Assert.Equal([expected], Uses(code));
    }

    [Theory]
    [InlineData("Invoke-RedisCommand -Node n1 -Command 'ECHO', 'a|b' | Out-Null")]
    [InlineData("Invoke-RedisCommand -Node n1 -Command \"ECHO\", \"a|b; c\" | Out-Null")]
    [InlineData("Invoke-RedisCommand -Node n1 -Command \"ECHO $(Get-Date | Out-String) `\"|`\"\" | Out-Null")]
    [InlineData("Invoke-RedisCommand -Node n1 -Command 'it''s | here' | Out-Null # | Remove-RedisNode -Force")]
    [InlineData("Invoke-RedisCommand -Node n1 <# -Force | #> -Command x | Out-Null")]
    public void Strings_and_comments_do_not_split_pipelines(string code)
    {
        Assert.Equal(["Invoke-RedisCommand[Node,Command]@0#0", "Out-Null[]@1#0"], Uses(code));
    }

    [Fact]
    public void Script_blocks_and_subexpressions_are_skipped()
    {
        Assert.Equal(
            ["Get-RedisNode[]@0#0", "ForEach-Object[]@1#0"],
            Uses("Get-RedisNode | ForEach-Object { Remove-RedisNode -Name $_.Name -Force; Write-Host done }"));
        Assert.Equal(
            ["Set-RedisReplica[Primary,Node]@0#0"],
            Uses("Set-RedisReplica -Primary (Get-RedisNode -Name p | Select-Object -First 1) -Node $(Get-RedisNode r1)"));
        Assert.Equal(["Write-Host[]@0#0"], Uses("Write-Host \"Primary: $(Get-RedisNode -Name p | Select-Object -Expand Name)\""));
    }

    [Fact]
    public void Hashtables_splatting_and_here_strings()
    {
        var code =
            """
            $params = @{ Name = 'r1'; Port = 6380 }
            New-RedisNode @params -Verbose
            $script = @'
            Get-Foo | Remove-Foo -Force
            '@
            Invoke-RedisScript -Script $script -Node @('r1', 'r2')
            """;

        Assert.Equal(["New-RedisNode[Verbose]@0#1", "Invoke-RedisScript[Script,Node]@0#3"], Uses(code));
    }

    [Fact]
    public void Statements_on_separate_lines_are_separate_pipelines()
    {
        var code =
            """
            $p = New-RedisNetwork ha | New-RedisNode -Name primary
            New-RedisNode -Network ha -Name r1, r2 | Set-RedisReplica -Primary $p

            $nodes = Get-RedisNode
            $nodes | Remove-RedisNode
            """;

        Assert.Equal(
            [
                "New-RedisNetwork[]@0#0", "New-RedisNode[Name]@1#0",
                "New-RedisNode[Network,Name]@0#1", "Set-RedisReplica[Primary]@1#1",
                "Get-RedisNode[]@0#2",
                "Remove-RedisNode[]@1#3",
            ],
            Uses(code));
    }

    [Fact]
    public void Line_continuations()
    {
        Assert.Equal(["New-RedisNode[Network,Name,Port]@0#0"], Uses("New-RedisNode -Network ha `\n    -Name r1 `  \n    -Port 6380"));
        Assert.Equal(["Get-RedisNode[]@0#0", "Remove-RedisNode[Force]@1#0"], Uses("Get-RedisNode |\n    Remove-RedisNode -Force"));
        Assert.Equal(["Get-RedisNode[]@0#0", "Remove-RedisNode[]@1#0"], Uses("Get-RedisNode\n    | Remove-RedisNode"));
        Assert.Equal(["New-RedisNode[Name,Port]@0#0"], Uses("New-RedisNode -Name r1,\n    r2 -Port 1"));
        Assert.Equal(["New-RedisNode[Name]@0#0"], Uses("$n =\n    New-RedisNode -Name r1"));
    }

    [Fact]
    public void Prompts_are_removed_and_output_is_ignored()
    {
        var code =
            """
            PS C:\> Get-RedisNode -Topology redis

            Name    Role     Port
            ----    ----     ----
            r1      Primary  6379
            r2      Replica  6380

            PS C:\> Remove-RedisNode -Name r1 -Force |
            >> Out-Null
            PS> Get-RedisNode -Name (
                'r2'
            ) -Detailed
            True
            """;

        Assert.Equal(
            ["Get-RedisNode[Topology]@0#0", "Remove-RedisNode[Name,Force]@0#1", "Out-Null[]@1#1", "Get-RedisNode[Name,Detailed]@0#2"],
            Uses(code));
        Assert.Equal(
            "Get-RedisNode -Topology redis\n\n\n\n\n\n\nRemove-RedisNode -Name r1 -Force |\nOut-Null\nGet-RedisNode -Name (\n    'r2'\n) -Detailed",
            PsExampleTokenizer.StripPrompts(code.Replace("\n", "\r\n")));
    }

    [Fact]
    public void Code_without_prompts_is_taken_whole()
    {
        Assert.False(PsExampleTokenizer.HasPrompt("Get-RedisNode"));
        Assert.True(PsExampleTokenizer.HasPrompt("x\nPS /home/me> Get-RedisNode"));
        Assert.Equal("Get-RedisNode\nRemove-RedisNode", PsExampleTokenizer.StripPrompts("Get-RedisNode\r\nRemove-RedisNode"));
    }

    [Fact]
    public void Control_statements_and_expressions_are_not_commands()
    {
        Assert.Empty(Uses("foreach ($n in Get-RedisNode) { Remove-RedisNode $n }"));
        Assert.Empty(Uses("if ($x -eq 1) { Get-RedisNode }\nelse { Remove-RedisNode }"));
        Assert.Empty(Uses("[int]$count = 5; 'text' -replace 'a', 'b'; (Get-RedisNode).Count"));
        Assert.Equal(["Remove-RedisNode[]@1#0"], Uses("'r1', 'r2' | Remove-RedisNode"));
        Assert.Equal(["%[]@1#0", "?[]@2#0"], Uses("$nodes | % { $_ } | ? Role -eq Primary").Select(u => u.Replace("[eq]", "[]")));
    }

    [Fact]
    public void Invocation_operators_chains_and_redirections()
    {
        Assert.Equal(["Get-RedisNode[Name]@0#0"], Uses("& 'Get-RedisNode' -Name x"));
        Assert.Equal([".\\setup.ps1[Force]@0#0"], Uses(". .\\setup.ps1 -Force"));
        Assert.Equal(["Remove-RedisNode[Name,Force]@0#0"], Uses("Remove-RedisNode -Name r1 2>$null -Force > out.txt 2>&1"));
        Assert.Equal(["Test-RedisNode[]@0#0", "Remove-RedisNode[]@0#1"], Uses("Test-RedisNode r1 && Remove-RedisNode r1"));
        Assert.Equal(["Get-RedisNode[]@0#0"], Uses("Get-RedisNode &"));
    }

    [Fact]
    public void Unterminated_input_does_not_throw()
    {
        Assert.Equal(["Get-RedisNode[Name]@0#0"], Uses("Get-RedisNode -Name 'open"));
        Assert.Equal(["Get-RedisNode[]@0#0", "ForEach-Object[]@1#0"], Uses("Get-RedisNode | ForEach-Object { "));
        Assert.Empty(Uses(""));
        Assert.Empty(Uses("# only a comment"));
    }
}
