using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>
/// Set-RedisCluster: which endpoints the cluster names to its clients in redirects and slot maps: Host (the
/// published endpoints, for clients on the host, Docker Desktop included: the default) or Container (the
/// container addresses, for clients inside the Docker network).
/// </summary>
[Cmdlet(VerbsCommon.Set, "RedisCluster", SupportsShouldProcess = true)]
[OutputType(typeof(RedisCluster))]
public sealed class SetRedisClusterCommand : ClusterCmdlet
{
    [Parameter(Mandatory = true)]
    public ClusterClientEndpoint ClientEndpoint { get; set; }

    protected override void ProcessRecord()
    {
        var what = ClientEndpoint == ClusterClientEndpoint.Host
            ? "Name the host endpoints to clients (clients inside the Docker network can no longer follow redirects)"
            : "Name the container addresses to clients (clients on the host follow redirects only where containers "
                + "route)";
        if (!ShouldProcess($"Redis Cluster '{Cluster}'", what)) return;
        if (TryRun(Cluster, (sink, ct) => CurrentSession.Workflows(sink)
            .Cluster.SetClientEndpointAsync(Cluster, ClientEndpoint, ct),
                out var cluster))
            WriteObject(cluster);
    }
}
