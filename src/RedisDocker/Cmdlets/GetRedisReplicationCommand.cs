using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Get-RedisReplication: INFO replication per node: role, primary (container and published address), link,
/// offsets, lag, replicas.</summary>
[Cmdlet(VerbsCommon.Get, "RedisReplication", DefaultParameterSetName = ParameterSets.Name)]
[OutputType(typeof(RedisReplicationInfo))]
public sealed class GetRedisReplicationCommand : RedisDockerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true,
        ParameterSetName = ParameterSets.Name)]
    [Alias("NodeName")]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Every Redis node of a topology.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Topology)]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string Topology { get; set; } = "";

    protected override void ProcessRecord()
    {
        IEnumerable<string> names = Name;
        if (ParameterSetName == ParameterSets.Topology)
        {
            if (!TryRun(Topology, (sink, ct) =>
                CurrentSession.Workflows(sink).Nodes
                    .GetAsync(new NodeFilter { Topology = Topology, IncludeSentinels = false }, ct),
                out var nodes)) return;
            names = nodes.Where(n => n.HostEndpoint is not null).Select(n => n.Name);
        }
        foreach (var name in names)
            if (TryRun(name, (sink, ct) =>
                CurrentSession.Workflows(sink).Replication.GetAsync(name, ct), out var info))
                WriteObject(info);
    }
}
