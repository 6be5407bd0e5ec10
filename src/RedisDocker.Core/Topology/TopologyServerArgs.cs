using System.Globalization;

namespace RedisDocker.Core.Topology;

/// <summary>The parts of a node's redis-server command that the Compose export (one file per Docker host, container
/// addresses) and the stack file (an overlay, service names) share. Each file adds its own addressing (announce
/// addresses or hostnames, replicaof's target) and TLS between them.</summary>
public sealed partial class TopologyOperations
{
    /// <summary>Cluster mode with its nodes.conf in the data volume and the node timeout.</summary>
    private static string[] ClusterArgs(NodeSpecDto n) => new[] { "--cluster-enabled", "yes",
        "--cluster-config-file", "/data/nodes.conf", "--cluster-node-timeout", Num(n.ClusterNodeTimeoutMs ?? 5000) };

    /// <summary>cluster-port for a cluster node that listens above 55535 (a host port number): its bus port is below
    /// its port, as the module's node has it.</summary>
    private static string[] BusPortArgs(NodeSpecDto n) => n.ClusterEnabled && HostEndpoints.HasBusBelow(n.Port)
        ? new[] { "--cluster-port", Num(HostEndpoints.BusPortOf(n.Port)) }
        : Array.Empty<string>();

    /// <summary>maxmemory and its policy, where the node has them.</summary>
    private static List<string> MemoryArgs(NodeSpecDto n)
    {
        var args = new List<string>();
        if (n.MaxMemory is not null) args.AddRange(new[] { "--maxmemory", n.MaxMemory });
        if (n.MaxMemoryPolicy is not null) args.AddRange(new[] { "--maxmemory-policy", n.MaxMemoryPolicy });
        return args;
    }

    /// <summary>The node's own settings (-Config), each as --name value...</summary>
    private static IEnumerable<string> ConfigArgs(NodeSpecDto n) =>
        (n.Config ?? new Dictionary<string, string>()).SelectMany(kv => new[] { "--" + kv.Key }
            .Concat(RedisConfigRenderer.SplitArgs(kv.Value) ?? Array.Empty<string>()));

    /// <summary>Last, so the password lines come from the secret (a redis.conf fragment), not from the command
    /// line.</summary>
    private static string[] IncludeSecretArgs() => new[] { "--include", "/run/secrets/" + ComposeNodeSecret };

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);
}
