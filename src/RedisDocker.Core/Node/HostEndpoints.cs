using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>
/// Host endpoints for cluster nodes: why a node listens on its host port number and what it announces.
/// Redis >= 7.0 sends cluster-announce-hostname in client-facing replies (MOVED, ASK, CLUSTER SLOTS/SHARDS)
/// when cluster-preferred-endpoint-type is hostname, while the cluster bus, replication and CLUSTER NODES
/// keep the container IP. A redirect names hostname:port with the port the node listens on, so the node
/// listens inside its container on the same number it is published on: host clients reach
/// hostaddress:port through the published port, nodes and in-network clients reach containerip:port.
/// </summary>
public static class HostEndpoints
{
    /// <summary>The port every spec has unless the user chose one (-Port).</summary>
    public const int DefaultPort = 6379;

    /// <summary>True when the node listens on its host port number and announces its host address.</summary>
    public static bool Applies(NodeSpec s) =>
        s.ClusterEnabled && s.AnnounceHostEndpoint && !s.HostNetwork && s.Sentinel is null;

    /// <summary>The highest port whose cluster bus port (port + 10000) is a port number.</summary>
    public const int HighestPortWithBusAbove = 55535;

    /// <summary>True when a cluster node on a Docker network has its bus port below its port (port - 10000): it
    /// listens above 55535 (a host port number). Redis must then be told the bus port (cluster-port, CLUSTER MEET's
    /// fifth argument).</summary>
    public static bool HasBusBelow(int port) => port > HighestPortWithBusAbove;

    /// <summary>The cluster bus port inside the container: port + 10000, or port - 10000 above 55535.</summary>
    public static int BusPortOf(int port) => HasBusBelow(port) ? port - 10000 : port + 10000;

    /// <summary>The first Redis version with cluster-announce-hostname and cluster-preferred-endpoint-type.</summary>
    public static readonly Version MinimumRedis = new(7, 0);

    /// <summary>
    /// Why a node of this Redis version (INFO server redis_version) cannot name host endpoints, or null when it
    /// can. A version that does not parse is tried (the CONFIG SET refusal is the backstop).
    /// </summary>
    public static string? Unsupported(string? redisVersion) =>
        Version.TryParse(redisVersion?.Trim(), out var v) && v < MinimumRedis
            ? $"Redis {redisVersion!.Trim()} has no cluster-announce-hostname (Redis 7.0 or later is needed)"
            : null;

    /// <summary>The value of cluster-preferred-endpoint-type for a choice.</summary>
    public static string PreferredType(ClusterClientEndpoint e) => e == ClusterClientEndpoint.Host ? "hostname" : "ip";
}
