using System.Text.RegularExpressions;
using Xunit;

namespace RedisDocker.Module.Tests;

/// <summary>Parameter-set names are spelt once, in src/RedisDocker/ParameterSets.cs.</summary>
public partial class ParameterSetNameTests
{
    [GeneratedRegex(@"ParameterSetName\s*(=|==|!=|is)\s*""|ParameterSetName\s+switch[^;]*?""\w+""\s*=>")]
    private static partial Regex Literal();

    [Fact]
    public void NoParameterSetNameIsAStringLiteral()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RedisDocker.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var cmdlets = Path.Combine(dir.FullName, "src", "RedisDocker");
        var offenders = Directory.EnumerateFiles(cmdlets, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal)
                && !f.Contains("/bin/", StringComparison.Ordinal))
            .Where(f => Literal().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(dir.FullName, f))
            .ToList();
        Assert.True(offenders.Count == 0, "Use the constants of ParameterSets in: " + string.Join(", ", offenders));
    }
}
