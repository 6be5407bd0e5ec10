using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace RedisDocker.Module.Tests;

[Collection("module")]
public class ManifestTests
{
    private readonly ModuleMetadata _m;
    private readonly string _manifest;
    public ManifestTests(ModuleFixture f)
    {
        _m = f.Module;
        _manifest = File.ReadAllText(Path.Combine(_m.RepoRoot, "RedisDocker.psd1"));
    }

    private string Value(string key) => Regex.Match(_manifest, $@"^\s*{key}\s*=\s*'([^']*)'", RegexOptions.Multiline).Groups[1].Value;

    private IReadOnlyList<string> List(string key)
    {
        var m = Regex.Match(_manifest, $@"^\s*{key}\s*=\s*@\(([^)]*)\)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(m.Success, $"{key} missing");
        return Regex.Matches(m.Groups[1].Value, "'([^']*)'").Select(x => x.Groups[1].Value).ToArray();
    }

    [Fact]
    public void ExportsExactlyTheCmdletsTheAssemblyDefines()
    {
        var exported = List("CmdletsToExport");
        Assert.DoesNotContain(exported, e => e.Contains('*'));
        Assert.Equal(_m.Cmdlets.Select(c => c.Name).OrderBy(x => x, StringComparer.Ordinal), exported.OrderBy(x => x, StringComparer.Ordinal));
    }

    [Fact]
    public void RequiresPowerShell74CoreAndLoadsTheCmdletAssembly()
    {
        Assert.Equal("7.4", Value("PowerShellVersion"));
        Assert.Equal(new[] { "Core" }, List("CompatiblePSEditions"));
        Assert.Equal("RedisDocker.dll", Value("RootModule"));
        Assert.Equal(new[] { "RedisDocker.Format.ps1xml" }, List("FormatsToProcess"));
        Assert.Matches(@"^\d+\.\d+\.\d+$", Value("ModuleVersion"));
        Assert.Equal(_m.Assembly.GetName().Version!.ToString(3), Value("ModuleVersion"));
        Assert.Empty(List("FunctionsToExport"));
        Assert.Empty(List("AliasesToExport"));
    }

    [Fact]
    public void HasGalleryMetadata()
    {
        Assert.NotEmpty(List("Tags"));
        Assert.StartsWith("https://", Value("ProjectUri"));
        Assert.StartsWith("https://", Value("LicenseUri"));
        Assert.False(string.IsNullOrWhiteSpace(Value("ReleaseNotes")));
        Assert.Matches("^[0-9a-f-]{36}$", Value("GUID"));
        foreach (var key in new[] { "Description", "Author", "CompanyName", "Copyright" })
            Assert.False(string.IsNullOrWhiteSpace(Value(key)), $"{key} missing");
    }

    [Fact]
    public void TheVersionLivesOnlyInTheManifest()
    {
        // Directory.Build.props reads ModuleVersion from RedisDocker.psd1 rather than repeating a number.
        var props = File.ReadAllText(Path.Combine(_m.RepoRoot, "Directory.Build.props"));
        Assert.DoesNotMatch(@"<Version>\s*\d", props);
        Assert.Contains("RedisDocker.psd1", props);
        Assert.Equal(Value("ModuleVersion"), _m.CoreAssembly.GetName().Version!.ToString(3));
    }

    [Fact]
    public void FormatViewsNameRealTypesAndProperties()
    {
        var doc = XDocument.Load(Path.Combine(_m.RepoRoot, "src", "RedisDocker", "RedisDocker.Format.ps1xml"));
        var views = doc.Descendants("View").ToList();
        Assert.NotEmpty(views);
        foreach (var view in views)
        {
            var typeName = view.Element("ViewSelectedBy")!.Element("TypeName")!.Value;
            var type = _m.CoreAssembly.GetType(typeName) ?? _m.Assembly.GetType(typeName);
            Assert.True(type is not null, $"view {view.Element("Name")!.Value} names unknown type {typeName}");
            var headers = view.Descendants("TableColumnHeader").Count();
            var items = view.Descendants("TableColumnItem").ToList();
            Assert.Equal(headers, items.Count);
            foreach (var item in items)
            {
                var prop = item.Element("PropertyName")?.Value ?? Regex.Match(item.Element("ScriptBlock")!.Value, @"\$_\.(\w+)").Groups[1].Value;
                Assert.True(type!.GetProperty(prop) is not null, $"{typeName} has no property {prop}");
            }
        }
    }

    [Fact]
    public void EveryOutputTypeOfTheModuleHasAView()
    {
        var doc = XDocument.Load(Path.Combine(_m.RepoRoot, "src", "RedisDocker", "RedisDocker.Format.ps1xml"));
        var viewed = doc.Descendants("TypeName").Select(t => t.Value).ToHashSet();
        foreach (var t in _m.Cmdlets.SelectMany(c => c.OutputTypes).Where(t => t.FullName!.StartsWith("RedisDocker.", StringComparison.Ordinal)).Distinct())
            Assert.True(viewed.Contains(t.FullName!), $"no default view for {t.FullName}");
    }
}
