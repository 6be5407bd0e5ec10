using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

// Bugs found by review, kept as regression tests.
public class RegressionTests
{
    [Fact]
    public void ValidateName_RefusesTrailingNewline()
    {
        Assert.Throws<RedisDockerException>(() => NetworkOperations.ValidateName("shop\n", "master"));
    }

    [Fact]
    public void ReadDirective_DecodesHexEscapesWrittenByConfigRewrite()
    {
        // CONFIG REWRITE writes requirepass with sdscatrepr: non-printable bytes (incl. UTF-8 of 'ä') as \xHH.
        Assert.Equal("päss", RedisConfigRenderer.ReadDirective("requirepass \"p\\xc3\\xa4ss\"\n", "requirepass"));
    }

    [Fact]
    public void Render_PasswordWithNewline_StaysOnOneLine()
    {
        var text = RedisConfigRenderer.Render(new RedisServerConfig { Password = "line1\nline2" });
        Assert.Equal("line1\nline2", RedisConfigRenderer.ReadDirective(text, "requirepass"));
        Assert.DoesNotContain("\nline2", text);
    }

    [Fact]
    public void Describe_MasksConfigSetMasterauth()
    {
        Assert.DoesNotContain("s3cret", CommandOperations.Describe(new object[] { "CONFIG", "SET", "masterauth", "s3cret" }));
    }

    [Fact]
    public void Describe_MasksMultiPairConfigSet()
    {
        Assert.DoesNotContain("s3cret", CommandOperations.Describe(new object[] { "CONFIG", "SET", "maxmemory", "1gb", "requirepass", "s3cret" }));
    }

    [Fact]
    public void Describe_MasksSentinelSetAuthPass()
    {
        Assert.DoesNotContain("s3cret", CommandOperations.Describe(new object[] { "SENTINEL", "SET", "shop", "auth-pass", "s3cret" }));
    }

    [Fact]
    public void Plan_ThreeDomains_TwoReplicas_AllOffDomain()
    {
        var nodes = new List<(string Name, string Domain)>();
        foreach (var d in new[] { "x", "y", "z" })
            for (var i = 1; i <= 3; i++) nodes.Add(($"{d}{i}", d));
        var domain = nodes.ToDictionary(n => n.Name, n => n.Domain);
        var plan = ClusterPlanner.Plan(nodes, 2);
        var layout = string.Join("; ", plan.Primaries.Select(p => $"{p.Name} <- {string.Join(",", p.Replicas)}"));
        Assert.True(plan.AntiAffinityHeld, layout);
        foreach (var p in plan.Primaries)
            Assert.All(p.Replicas, r => Assert.NotEqual(domain[p.Name], domain[r]));
    }

    [Fact]
    public void AddressesWithLeadingZerosAreRefused()
    {
        Assert.False(IPv4Cidr.TryParseAddress("172.28.0.010", out _));
        Assert.True(IPv4Cidr.TryParseAddress("172.28.0.10", out var a));
        Assert.Equal("172.28.0.10", IPv4Cidr.Format(a));
    }
}
