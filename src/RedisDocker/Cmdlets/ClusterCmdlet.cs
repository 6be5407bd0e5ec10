using System.Management.Automation;

namespace RedisDocker.Cmdlets;

/// <summary>Base of cmdlets that act on one cluster, named by its topology (bound by property name from clusters,
/// cluster nodes and nodes).</summary>
public abstract class ClusterCmdlet : RedisDockerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Topology")]
    [ArgumentCompleter(typeof(Completers.ClusterCompleter))]
    public string Cluster { get; set; } = "";
}
