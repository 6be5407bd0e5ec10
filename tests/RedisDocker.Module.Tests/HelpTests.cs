using System.Text.RegularExpressions;
using System.Xml.Linq;
using RedisDocker.HelpGen;
using Xunit;

namespace RedisDocker.Module.Tests;

/// <summary>
/// The help is complete and true: MAML covers every cmdlet and parameter, and every example in the
/// help, the about topic and the README uses real commands, real parameters and pipelines that bind.
/// </summary>
[Collection("module")]
public class HelpTests
{
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";

    /// <summary>Standard commands examples may use besides the module's own.</summary>
    private static readonly HashSet<string> StandardCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "Where-Object", "Select-Object", "Format-Table", "Format-List", "ForEach-Object", "Sort-Object", "Measure-Object", "Group-Object",
        "Out-Null", "Out-String", "Write-Host", "Write-Output", "Get-Help", "Import-Module", "Get-Command", "ConvertTo-Json", "ConvertFrom-Json",
        "Get-Content", "Set-Content", "Read-Host", "ConvertTo-SecureString", "Get-Credential", "Start-Sleep", "Invoke-Pester", "Test-ModuleManifest",
        "docker", "redis-cli", "docker-compose", "bash", "./build.ps1", "Install-Module", "Get-Verb", "Get-Date", "Join-Path", "New-Object", "Tee-Object",
    };

    private readonly ModuleMetadata _m;
    public HelpTests(ModuleFixture f) => _m = f.Module;

    private IReadOnlyList<HelpDocument> Docs =>
        Directory.GetFiles(Path.Combine(_m.RepoRoot, "docs", "help"), "*-*.md")
            .Select(f => PlatyPsMarkdown.Parse(File.ReadAllText(f), f)).ToArray();

    [Fact]
    public void MamlIsWellFormedAndCoversEveryCmdletAndParameter()
    {
        var doc = XDocument.Load(Path.Combine(_m.RepoRoot, "en-US", "RedisDocker.dll-Help.xml"));
        var commands = doc.Descendants(Command + "command").ToDictionary(c => c.Element(Command + "details")!.Element(Command + "name")!.Value.Trim());
        Assert.Equal(_m.Cmdlets.Select(c => c.Name).OrderBy(x => x, StringComparer.Ordinal), commands.Keys.OrderBy(x => x, StringComparer.Ordinal));
        foreach (var c in _m.Cmdlets)
        {
            var cmd = commands[c.Name];
            Assert.False(string.IsNullOrWhiteSpace(cmd.Element(Command + "details")!.Element(Maml + "description")?.Value), $"{c.Name} has no synopsis");
            var documented = cmd.Element(Command + "parameters")!.Elements(Command + "parameter").Select(p => p.Element(Maml + "name")!.Value.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var p in c.Parameters) Assert.True(documented.Contains(p.Name), $"{c.Name} -{p.Name} is not documented");
            if (c.SupportsShouldProcess) Assert.True(documented.Contains("WhatIf") && documented.Contains("Confirm"), $"{c.Name}: -WhatIf/-Confirm not documented");
            foreach (var d in documented.Where(d => d is not ("WhatIf" or "Confirm")))
                Assert.True(c.FindParameter(d)?.Name.Equals(d, StringComparison.OrdinalIgnoreCase) == true, $"{c.Name} documents -{d}, which does not exist");
            Assert.True(cmd.Descendants(Command + "example").Count() >= 2, $"{c.Name} has fewer than two examples");
        }
    }

    [Fact]
    public void EveryCmdletHasAPageWithTwoExamplesAndEveryParameter()
    {
        var docs = Docs.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var c in _m.Cmdlets)
        {
            Assert.True(docs.TryGetValue(c.Name, out var d), $"docs/help/{c.Name}.md is missing");
            Assert.True(d!.Examples.Count >= 2, $"{c.Name}: {d.Examples.Count} example(s)");
            Assert.Equal("RedisDocker.dll-Help.xml", d.ExternalHelpFile);
            foreach (var p in c.Parameters) Assert.True(d.FindParameter(p.Name) is not null, $"{c.Name}.md does not document -{p.Name}");
            foreach (var hp in d.Parameters.Where(hp => hp.Name is not ("WhatIf" or "Confirm")))
            {
                var real = c.FindParameter(hp.Name);
                Assert.True(real is not null && real.Name == hp.Name, $"{c.Name}.md documents -{hp.Name}, which does not exist");
                Assert.Equal(real!.Aliases.OrderBy(x => x), hp.Aliases.Where(a => a != "None").OrderBy(x => x));
            }
        }
    }

    public static IEnumerable<object[]> ExampleSources()
    {
        var root = ModuleMetadata.FindRepoRoot();
        foreach (var f in Directory.GetFiles(Path.Combine(root, "docs", "help"), "*-*.md").OrderBy(x => x))
        {
            var doc = PlatyPsMarkdown.Parse(File.ReadAllText(f), f);
            for (var i = 0; i < doc.Examples.Count; i++)
                yield return new object[] { $"{doc.Name} example {i + 1}", doc.Examples[i].CommandText };
        }
        foreach (var f in new[] { Path.Combine(root, "docs", "help", "about_RedisDocker.md"), Path.Combine(root, "README.md") })
        {
            var i = 0;
            foreach (Match m in Regex.Matches(File.ReadAllText(f), "```powershell\\r?\\n(.*?)```", RegexOptions.Singleline))
                yield return new object[] { $"{Path.GetFileName(f)} block {++i}", PsExampleTokenizer.StripPrompts(m.Groups[1].Value) };
        }
    }

    [Theory]
    [MemberData(nameof(ExampleSources))]
    public void ExamplesUseRealCommandsAndParametersAndTheirPipelinesBind(string source, string code)
    {
        var uses = PsExampleTokenizer.Parse(code);
        Assert.NotEmpty(uses);
        var module = _m.Cmdlets.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var use in uses)
        {
            if (module.TryGetValue(use.Name, out var cmdlet))
            {
                foreach (var p in use.Parameters)
                    Assert.True(cmdlet.AcceptsParameter(p), $"{source}: {use.Name} has no parameter -{p}");
            }
            else Assert.True(StandardCommands.Contains(use.Name) || use.Name.StartsWith('$'), $"{source}: unknown command '{use.Name}'");
        }
        // Each '|' between two of the module's cmdlets binds by value or by property name.
        foreach (var pipeline in uses.GroupBy(u => u.PipelineIndex))
        {
            var ordered = pipeline.OrderBy(u => u.PipelinePosition).ToList();
            for (var i = 0; i + 1 < ordered.Count; i++)
            {
                if (ordered[i + 1].PipelinePosition != ordered[i].PipelinePosition + 1) continue;
                if (!module.TryGetValue(ordered[i].Name, out var up) || !module.TryGetValue(ordered[i + 1].Name, out var down)) continue;
                var given = ordered[i + 1].Parameters.Select(p => down.FindParameter(p)?.Name ?? p).ToHashSet(StringComparer.OrdinalIgnoreCase);
                var bound = up.OutputTypes.SelectMany(t => PipelineBinding.BindingParameters(t, down, given)).ToList();
                Assert.True(bound.Count > 0, $"{source}: the output of {up.Name} does not bind to {down.Name}");
            }
        }
    }

    [Fact]
    public void TheAboutTopicIsGenerated()
    {
        var about = File.ReadAllText(Path.Combine(_m.RepoRoot, "en-US", "about_RedisDocker.help.txt"));
        Assert.Contains("about_RedisDocker", about, StringComparison.OrdinalIgnoreCase);
        foreach (var concept in new[] { "topology", "label", "endpoint map", "password", "failover" })
            Assert.Contains(concept, about, StringComparison.OrdinalIgnoreCase);
    }
}
