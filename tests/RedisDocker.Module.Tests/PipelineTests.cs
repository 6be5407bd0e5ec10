using Xunit;

namespace RedisDocker.Module.Tests;

/// <summary>The documented pipelines compose: every '|' binds to the next cmdlet by value or by property name.</summary>
[Collection("module")]
public class PipelineTests
{
    private readonly ModuleMetadata _m;
    public PipelineTests(ModuleFixture f) => _m = f.Module;

    public static IEnumerable<object[]> DesignPipelines => new[]
    {
        new object[] { "New-RedisNetwork", "New-RedisNode", "Network" },
        new object[] { "New-RedisNode", "New-RedisCluster", "InputObject" },
        new object[] { "New-RedisCluster", "Get-RedisClusterNode", "Cluster" },
        new object[] { "Get-RedisClusterNode", "Invoke-RedisFailover", "InputObject" },
        new object[] { "New-RedisNode", "Set-RedisReplica", "Name" },
        new object[] { "New-RedisNode", "New-RedisSentinel", "Primary" },
        new object[] { "Get-RedisNode", "Remove-RedisNode", "InputObject" },
        new object[] { "Get-RedisNode", "Start-RedisNode", "InputObject" },
        new object[] { "Get-RedisNode", "Stop-RedisNode", "InputObject" },
        new object[] { "Get-RedisNode", "Restart-RedisNode", "InputObject" },
        new object[] { "Get-RedisNode", "Get-RedisReplication", "Name" },
        new object[] { "Get-RedisNode", "Move-RedisNode", "Name" },
        new object[] { "Get-RedisNetwork", "Remove-RedisNetwork", "InputObject" },
        new object[] { "Get-RedisCluster", "Test-RedisCluster", "Cluster" },
        new object[] { "Get-RedisCluster", "Get-RedisClusterNode", "Cluster" },
        new object[] { "Get-RedisNode", "Get-RedisClusterNode", "Cluster" },
        new object[] { "Get-RedisNode", "Invoke-RedisCommand", "InputObject" },
        new object[] { "Get-RedisNode", "Connect-RedisNetwork", "InputObject" },
        new object[] { "New-RedisNode", "Add-RedisClusterNode", "InputObject" },
        new object[] { "Get-RedisClusterNode", "Remove-RedisClusterNode", "Cluster" },
        new object[] { "New-RedisSentinel", "Get-RedisSentinel", "MasterName" },
        new object[] { "Get-RedisSentinel", "Invoke-RedisFailover", "SentinelGroup" },
        new object[] { "Get-RedisTopology", "Stop-RedisTopology", "Topology" },
        new object[] { "Get-RedisTopology", "Start-RedisTopology", "Topology" },
        new object[] { "Get-RedisTopology", "Remove-RedisTopology", "Topology" },
        new object[] { "Get-RedisTopology", "Export-RedisTopology", "Topology" },
        new object[] { "Export-RedisTopology", "Import-RedisTopology", "Json" },
        new object[] { "Get-RedisNode", "Get-RedisTopology", "Topology" },
        new object[] { "Get-RedisNode", "Get-RedisCluster", "Cluster" },
    };

    [Theory]
    [MemberData(nameof(DesignPipelines))]
    public void UpstreamOutputBindsToTheExpectedParameter(string upstream, string downstream, string parameter)
    {
        var up = _m.Get(upstream);
        var down = _m.Get(downstream);
        var bound = up.OutputTypes.SelectMany(t => PipelineBinding.BindingParameters(t, down)).ToList();
        Assert.Contains(bound, b => b.StartsWith(parameter + " ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Get-RedisNode", "Get-RedisTopology")]
    [InlineData("Get-RedisNode", "Remove-RedisTopology")]
    [InlineData("Get-RedisNode", "Get-RedisCluster")]
    [InlineData("Get-RedisNetwork", "Stop-RedisTopology")]
    public void APipedObjectBindsItsTopologyNotItsOwnName(string upstream, string downstream)
    {
        // PowerShell matches a property to the parameter's own name before its aliases: the parameter
        // must be named after the property that carries the topology (Topology or Cluster).
        var down = _m.Get(downstream);
        var output = _m.Get(upstream).OutputTypes.First(t => t.FullName!.StartsWith("RedisDocker.", StringComparison.Ordinal));
        var p = down.Parameters.First(x => x.ByPropertyName && x.Aliases.Prepend(x.Name).Any(n => output.GetProperty(n) is not null));
        Assert.True(p.Name is "Topology" or "Cluster", $"{downstream} binds {upstream}'s objects by -{p.Name}");
        Assert.NotNull(output.GetProperty(p.Name) ?? output.GetProperty(p.Aliases[0]));
        Assert.NotEqual("Name", p.Aliases.FirstOrDefault(a => output.GetProperty(a) is not null && output.GetProperty(p.Name) is null));
    }

    [Fact]
    public void NewRedisNodeDoesNotTakeTheNetworksNameAsItsOwn()
    {
        // A RedisNetwork has a Name; binding it to New-RedisNode -Name would name the node after the network.
        var name = _m.Get("New-RedisNode").FindParameter("Name")!;
        Assert.False(name.ByPropertyName);
        Assert.False(name.ByValue);
    }

    [Fact]
    public void CollectingCmdletsBindEveryNodeByValue()
    {
        var p = _m.Get("New-RedisCluster").FindParameter("InputObject")!;
        Assert.True(p.ByValue);
        Assert.True(p.Type.IsArray);
    }
}
