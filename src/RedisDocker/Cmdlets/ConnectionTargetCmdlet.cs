using System.Management.Automation;

namespace RedisDocker.Cmdlets;

/// <summary>
/// What Get-RedisConnectionString and Connect-RedisClient connect to (a cluster, a Sentinel group or a node) and by
/// which path (-Route): the parameters both declare the same way.
/// </summary>
public abstract class ConnectionTargetCmdlet : RedisDockerCmdlet
{
    /// <summary>The cluster (its topology name).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Cluster,
        ValueFromPipelineByPropertyName = true)]
    [Alias("Topology")]
    [ArgumentCompleter(typeof(Completers.ClusterCompleter))]
    public string Cluster { get; set; } = "";

    /// <summary>The Sentinel group (its master name): its primary and replicas.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.SentinelGroup)]
    [Alias("MasterName")]
    [ArgumentCompleter(typeof(Completers.SentinelGroupCompleter))]
    public string SentinelGroup { get; set; } = "";

    /// <summary>One node.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Node)]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string Node { get; set; } = "";

    /// <summary>Published ports, container addresses (Direct), or Direct where this host routes to them (Auto).
    /// </summary>
    [Parameter]
    public ConnectionRoute Route { get; set; } = ConnectionRoute.Published;

    /// <summary>The target the parameter set names, and its name.</summary>
    protected (ConnectionTarget Target, string Name) Target => ParameterSetName switch
    {
        ParameterSets.SentinelGroup => (ConnectionTarget.SentinelGroup, SentinelGroup),
        ParameterSets.Node => (ConnectionTarget.Node, Node),
        _ => (ConnectionTarget.Cluster, Cluster),
    };
}
