using System.Xml.Linq;

namespace RedisDocker.HelpGen.Tests;

public sealed class CliTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "helpgen-tests-" + Guid.NewGuid().ToString("N"));
    private readonly string _docs;
    private readonly string _out;

    public CliTests()
    {
        _docs = Path.Combine(_root, "docs", "help");
        _out = Path.Combine(_root, "en-US");
        Directory.CreateDirectory(_docs);
        File.WriteAllText(Path.Combine(_docs, "New-RedisNetwork.md"), Samples.NewRedisNetwork);
        File.WriteAllText(Path.Combine(_docs, "New-RedisNode.md"), Samples.NewRedisNode);
        File.WriteAllText(Path.Combine(_docs, "Get-RedisNode.md"), Samples.GetRedisNode);
        File.WriteAllText(Path.Combine(_docs, "about_RedisDocker.md"), Samples.About);
        File.WriteAllText(Path.Combine(_docs, "README.md"), "Not a help page.");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private (int ExitCode, string Out, string Error) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = HelpGenCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string MamlPath => Path.Combine(_out, "RedisDocker.dll-Help.xml");

    private string AboutPath => Path.Combine(_out, "about_RedisDocker.help.txt");

    [Fact]
    public void Writes_maml_and_about_files()
    {
        var (code, stdout, stderr) = Run("--docs", _docs, "--out", _out);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains(MamlPath, stdout, StringComparison.Ordinal);
        Assert.Equal(["RedisDocker.dll-Help.xml", "about_RedisDocker.help.txt"],
            Directory.GetFiles(_out).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var bytes = File.ReadAllBytes(MamlPath);
        Assert.NotEqual(0xEF, bytes[0]); // no BOM
        var xml = XDocument.Load(MamlPath);
        Assert.Equal(3, xml.Root!.Elements(MamlWriter.Command + "command").Count());
        Assert.StartsWith("TOPIC\n    about_redisdocker\n", File.ReadAllText(AboutPath), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_passes_after_generating_and_ignores_line_endings()
    {
        Assert.Equal(0, Run("--docs", _docs, "--out", _out).ExitCode);
        File.WriteAllText(MamlPath, File.ReadAllText(MamlPath).Replace("\n", "\r\n"));

        var (code, stdout, stderr) = Run("--docs", _docs, "--out", _out, "--check");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains("up to date", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_fails_naming_the_file_when_markdown_changed()
    {
        Assert.Equal(0, Run("--docs", _docs, "--out", _out).ExitCode);
        var page = Path.Combine(_docs, "Get-RedisNode.md");
        File.WriteAllText(page, File.ReadAllText(page).Replace("Gets Redis nodes.", "Gets the Redis nodes."));
        var before = File.ReadAllText(MamlPath);

        var (code, _, stderr) = Run("--docs", _docs, "--out", _out, "--check");

        Assert.Equal(1, code);
        Assert.Contains($"{MamlPath} is out of date", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("about_RedisDocker", stderr, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(MamlPath)); // --check writes nothing

        Assert.Equal(0, Run("--docs", _docs, "--out", _out).ExitCode);
        Assert.Equal(0, Run("--docs", _docs, "--out", _out, "--check").ExitCode);
    }

    [Fact]
    public void Check_fails_when_a_file_is_missing()
    {
        Assert.Equal(0, Run("--docs", _docs, "--out", _out).ExitCode);
        File.Delete(AboutPath);

        var (code, _, stderr) = Run("--docs", _docs, "--out", _out, "--check");

        Assert.Equal(1, code);
        Assert.Contains($"{AboutPath} is missing", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_markdown_is_reported_with_the_file_name()
    {
        var page = Path.Combine(_docs, "Get-RedisNode.md");
        File.WriteAllText(page, File.ReadAllText(page).Replace("## SYNOPSIS", "## SUMMARY"));

        var (code, _, stderr) = Run("--docs", _docs, "--out", _out);

        Assert.Equal(2, code);
        Assert.Contains(page, stderr, StringComparison.Ordinal);
        Assert.Contains("unknown section '## SUMMARY'", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_out));
    }

    [Fact]
    public void Page_name_must_match_file_name()
    {
        File.Move(Path.Combine(_docs, "Get-RedisNode.md"), Path.Combine(_docs, "Get-RedisNodes.md"));

        var (code, _, stderr) = Run("--docs", _docs, "--out", _out, "--check");

        Assert.Equal(2, code);
        Assert.Contains("documents 'Get-RedisNode' but the file is named Get-RedisNodes.md", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData]
    [InlineData("--docs")]
    [InlineData("--out", "x")]
    [InlineData("--docs", "x", "--out", "y", "--bogus")]
    public void Bad_arguments(params string[] args)
    {
        var (code, _, stderr) = Run(args);

        Assert.Equal(2, code);
        Assert.Contains("Usage:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_docs_folder()
    {
        var (code, _, stderr) = Run("--docs", Path.Combine(_root, "nope"), "--out", _out);

        Assert.Equal(2, code);
        Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_option()
    {
        var (code, stdout, _) = Run("--help");

        Assert.Equal(0, code);
        Assert.Contains("--check", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Generator_groups_pages_by_external_help_file()
    {
        File.WriteAllText(Path.Combine(_docs, "Get-RedisNode.md"),
            Samples.GetRedisNode.Replace("external help file: RedisDocker.dll-Help.xml", "external help file: Other.dll-Help.xml"));

        var files = HelpGenerator.Generate(_docs);

        Assert.Equal(["Other.dll-Help.xml", "RedisDocker.dll-Help.xml", "about_RedisDocker.help.txt"], files.Select(f => f.FileName));
        Assert.Single(XDocument.Parse(files[0].Content).Root!.Elements());
        Assert.Equal(2, XDocument.Parse(files[1].Content).Root!.Elements().Count());
    }
}
