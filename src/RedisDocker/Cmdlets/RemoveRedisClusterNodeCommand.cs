using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Remove-RedisClusterNode: makes every other member forget a node and resets it; refuses a primary that owns
/// slots.</summary>
[Cmdlet(VerbsCommon.Remove, "RedisClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveRedisClusterNodeCommand : ClusterCmdlet
{
    /// <summary>Members to remove: container names or node ids.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("NodeName")]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string[] Node { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        foreach (var name in Node)
        {
            if (!ShouldProcess($"Node '{name}' of cluster '{Cluster}'",
                "Remove from the cluster (its data is flushed; the container stays)")) continue;
            TryRun(name, (sink, ct) => CurrentSession.Workflows(sink).Cluster.RemoveNodeAsync(Cluster, name, ct));
        }
    }
}
