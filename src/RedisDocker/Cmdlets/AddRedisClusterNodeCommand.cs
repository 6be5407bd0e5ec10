using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Add-RedisClusterNode: adds empty cluster-enabled nodes as primaries without slots, or as replicas of
/// -Primary.</summary>
[Cmdlet(VerbsCommon.Add, "RedisClusterNode", SupportsShouldProcess = true,
    DefaultParameterSetName = ParameterSets.Name)]
[OutputType(typeof(RedisClusterNode))]
public sealed class AddRedisClusterNodeCommand : RedisDockerCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("Topology")]
    [ArgumentCompleter(typeof(Completers.ClusterCompleter))]
    public string Cluster { get; set; } = "";

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true,
        ParameterSetName = ParameterSets.Name)]
    [Alias("NodeName", "Name")]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string[] Node { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.InputObject)]
    public RedisNode[] InputObject { get; set; } = Array.Empty<RedisNode>();

    /// <summary>Attach as a replica of this primary (name or node id); as an empty primary when omitted.</summary>
    [Parameter]
    public string? Primary { get; set; }

    protected override void ProcessRecord()
    {
        var names = ParameterSetName == ParameterSets.InputObject ? InputObject.Select(n => n.Name) : Node;
        foreach (var name in names)
        {
            var action = Primary is null ? $"Add to cluster '{Cluster}' as a primary without slots"
                : $"Add to cluster '{Cluster}' as a replica of '{Primary}'";
            if (!ShouldProcess($"Node '{name}'", action)) continue;
            if (TryRun(name, (sink, ct) =>
                CurrentSession.Workflows(sink).Cluster.AddNodeAsync(Cluster, name, Primary, ct), out var added))
                WriteObject(added);
        }
    }
}
