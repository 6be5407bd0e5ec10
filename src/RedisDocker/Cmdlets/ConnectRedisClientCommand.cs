using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>
/// Connect-RedisClient: a StackExchange.Redis ConnectionMultiplexer for a cluster, a Sentinel group or a node,
/// configured for this host (endpoints, password, and a tunnel from container addresses to published endpoints).
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "RedisClient", DefaultParameterSetName = ParameterSets.Cluster)]
// By name: RedisDocker.dll must not reference StackExchange.Redis (it is loaded in the module's own context).
[OutputType("StackExchange.Redis.ConnectionMultiplexer")]
public sealed class ConnectRedisClientCommand : RedisDockerCmdlet
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

    /// <summary>Published ports, container addresses (Direct), or Direct where this host routes to them
    /// (Auto).</summary>
    [Parameter]
    public ConnectionRoute Route { get; set; } = ConnectionRoute.Published;

    protected override void ProcessRecord()
    {
        var (target, name) = ParameterSetName switch
        {
            ParameterSets.SentinelGroup => (ConnectionTarget.SentinelGroup, SentinelGroup),
            ParameterSets.Node => (ConnectionTarget.Node, Node),
            _ => (ConnectionTarget.Cluster, Cluster),
        };
        if (TryRun(name, (sink, ct) => CurrentSession.Workflows(sink)
            .Clients.ConnectAsObjectAsync(target, name, Route, ct), out var client))
            WriteObject(client);
    }
}
