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
public sealed class ConnectRedisClientCommand : ConnectionTargetCmdlet
{
    protected override void ProcessRecord()
    {
        var (target, name) = Target;
        if (TryRun(name, (sink, ct) => CurrentSession.Workflows(sink)
            .Clients.ConnectAsObjectAsync(target, name, Route, ct), out var client))
            WriteObject(client);
    }
}
