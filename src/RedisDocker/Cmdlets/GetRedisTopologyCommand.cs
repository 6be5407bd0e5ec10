using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Get-RedisTopology: every topology (networks, nodes, sentinels, cluster) with its health, from Docker
/// labels.</summary>
[Cmdlet(VerbsCommon.Get, "RedisTopology")]
[OutputType(typeof(RedisTopology))]
public sealed class GetRedisTopologyCommand : RedisDockerCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string? Topology { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryRun(Topology, (sink, ct) => CurrentSession.Workflows(sink).Topologies.GetAsync(Topology, ct),
            out var topologies)) return;
        if (topologies.Count == 0 && Topology is not null && !WildcardPattern.ContainsWildcardCharacters(Topology))
            WriteError(new ErrorRecord(new ItemNotFoundException($"No topology named '{Topology}'. List them with "
                + "Get-RedisTopology."), Core.ErrorIds.TopologyNotFound, ErrorCategory.ObjectNotFound, Topology));
        foreach (var t in topologies) WriteObject(t);
    }
}
