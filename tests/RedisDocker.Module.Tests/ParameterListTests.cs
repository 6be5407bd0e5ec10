using Xunit;

namespace RedisDocker.Module.Tests;

/// <summary>
/// Each command's exact parameter list (as dbatools does): renaming, adding or removing a
/// parameter is a deliberate change that updates this table.
/// </summary>
[Collection("module")]
public class ParameterListTests
{
    private readonly ModuleMetadata _m;
    public ParameterListTests(ModuleFixture f) => _m = f.Module;

    public static readonly Dictionary<string, string[]> Expected = new()
    {
        ["Add-RedisClusterNode"] = new[] { "Cluster", "InputObject", "Node", "Primary", "Session" },
        ["Connect-RedisDocker"] = new[] { "Add", "CertPath", "DockerHost", "NoDefault", "Route", "TlsVerify" },
        ["Connect-RedisNetwork"] = new[] { "IPAddress", "InputObject", "Network", "Node", "PassThru", "Session" },
        ["Disconnect-RedisNetwork"] = new[] { "Force", "InputObject", "Network", "Node", "PassThru", "Session" },
        ["Backup-RedisTopology"] = new[] { "Node", "Path", "Session", "Topology" },
        ["Restore-RedisTopology"] = new[] { "Force", "Name", "Password", "Path", "Session", "Subnet" },
        ["Import-RedisData"] = new[]
            { "BatchSize", "Cursor", "Destination", "MaxKeys", "Replace", "Session", "Source", "SourcePassword" },
        ["Export-RedisCertificate"] = new[] { "IncludeClientCertificate", "Path", "Session", "Topology", "ValidDays" },
        ["Update-RedisCertificate"] = new[] { "Session", "Topology" },
        ["New-RedisUser"] = new[] { "Disabled", "Name", "Password", "Permission", "Session", "Topology" },
        ["Get-RedisUser"] = new[] { "Name", "Session", "Topology" },
        ["Set-RedisUser"] = new[] { "Disabled", "Enabled", "Name", "Password", "Permission", "Session", "Topology" },
        ["Remove-RedisUser"] = new[] { "Name", "Session", "Topology" },
        ["Export-RedisTopology"] = new[] { "Format", "Path", "Session", "Topology" },
        ["Get-RedisTopology"] = new[] { "Session", "Topology" },
        ["Import-RedisTopology"] = new[] { "DockerHost", "Json", "Password", "Path", "Session" },
        ["Remove-RedisTopology"] = new[] { "KeepVolume", "Session", "Topology" },
        ["Start-RedisTopology"] = new[] { "PassThru", "Session", "Topology" },
        ["Stop-RedisTopology"] = new[] { "PassThru", "Session", "Topology" },
        ["Get-RedisCluster"] = new[] { "Cluster", "Session" },
        ["Get-RedisClusterNode"] = new[] { "Cluster", "Node", "Role", "Session" },
        ["Connect-RedisClient"] = new[] { "Cluster", "Node", "Route", "SentinelGroup", "Session" },
        ["Get-RedisConnectionString"] = new[] { "Cluster", "IncludePassword", "Node", "Route", "SentinelGroup", "Session" },
        ["Get-RedisCredential"] = new[] { "Session", "Topology" },
        ["Get-RedisNetwork"] = new[] { "Name", "Session", "Topology" },
        ["Get-RedisSwarmNode"] = new[] { "Name", "Session" },
        ["Move-RedisNode"] = new[] { "DockerHost", "HostAddress", "Name", "Session", "SwarmNode" },
        ["Get-RedisNode"] = new[] { "Kind", "Name", "Network", "Role", "Session", "Topology" },
        ["Get-RedisReplication"] = new[] { "Name", "Session", "Topology" },
        ["Get-RedisSentinel"] = new[] { "MasterName", "Session", "Topology" },
        ["Invoke-RedisCommand"] = new[] { "AllNodes", "Cluster", "Command", "InputObject", "Node", "Session" },
        ["Invoke-RedisFailover"] = new[] { "Force", "InputObject", "Node", "SentinelGroup", "Session", "Takeover", "TimeoutSeconds", "Topology", "Wait" },
        ["Move-RedisClusterSlot"] = new[] { "All", "Cluster", "Count", "Destination", "Session", "Slot", "Source" },
        ["New-RedisCluster"] = new[]
        {
            "ClusterNodeTimeout", "Count", "DockerHost", "Image", "InputObject", "Name", "Network", "Node", "Password",
            "ReplicasPerPrimary", "Session", "Subnet", "SwarmNodeLabel", "Tls", "TlsClientAuth",
        },
        ["New-RedisNetwork"] = new[]
        {
            "DockerHost", "Driver", "Gateway", "Internal", "Label", "Name", "Session", "Subnet", "Topology",
        },
        ["New-RedisNode"] = new[]
        {
            "AllowAllInterfaces", "AnnounceAddress", "AppendOnly", "BusPort", "ClusterEnabled", "ClusterNodeTimeout",
            "Config", "Count", "DockerHost", "HostAddress", "HostNetwork", "HostPort", "IPAddress", "Image", "Label",
            "MaxMemory", "MaxMemoryPolicy", "Name", "NamePrefix", "Network", "Password", "Port", "Session",
            "SwarmNodeLabel", "Tls", "TlsClientAuth", "Topology",
        },
        ["New-RedisSentinel"] = new[]
        {
            "AnnounceAddress", "Count", "DockerHost", "DownAfter", "FailoverTimeout", "Image", "MasterName",
            "MinReplicasMaxLag", "MinReplicasToWrite", "ParallelSyncs", "Port", "Primary", "Quorum", "Session",
            "SwarmNodeLabel", "Tls", "TlsClientAuth",
        },
        ["Optimize-RedisCluster"] = new[] { "Cluster", "Session", "Threshold", "Weight" },
        ["Remove-RedisClusterNode"] = new[] { "Cluster", "Node", "Session" },
        ["Remove-RedisNetwork"] = new[] { "Force", "InputObject", "Name", "Session" },
        ["Remove-RedisNode"] = new[] { "InputObject", "KeepVolume", "Name", "Session" },
        ["Repair-RedisCluster"] = new[] { "Cluster", "Session" },
        ["Restart-RedisNode"] = new[] { "InputObject", "Name", "PassThru", "Session", "Timeout" },
        ["Set-RedisCluster"] = new[] { "ClientEndpoint", "Cluster", "Session" },
        ["Set-RedisReplica"] = new[] { "Name", "None", "Primary", "Session" },
        ["Start-RedisNode"] = new[] { "InputObject", "Name", "PassThru", "Session" },
        ["Stop-RedisNode"] = new[] { "InputObject", "Kill", "Name", "PassThru", "Session", "Timeout" },
        ["Test-RedisCluster"] = new[] { "Cluster", "Quiet", "ReplicasPerPrimary", "Session" },
    };

    [Fact]
    public void EveryCmdletHasAnExpectedParameterList()
    {
        Assert.Equal(Expected.Keys.OrderBy(x => x, StringComparer.Ordinal), _m.Cmdlets.Select(c => c.Name).OrderBy(x => x, StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ParametersAreExactlyTheExpectedOnes(string cmdlet)
    {
        var actual = _m.Get(cmdlet).Parameters.Select(p => p.Name).OrderBy(x => x, StringComparer.Ordinal);
        Assert.Equal(Expected[cmdlet].OrderBy(x => x, StringComparer.Ordinal), actual);
    }

    public static IEnumerable<object[]> Names => Expected.Keys.Select(k => new object[] { k });
}
