using System.Collections.Concurrent;

namespace RedisDocker.Core;

/// <summary>
/// Translates the addresses Redis reports (container address:port, as in CLUSTER NODES, MOVED,
/// SENTINEL replies, INFO replication) into the published endpoints the host can reach
/// (127.0.0.1:hostport). Docker Desktop hosts cannot route to container addresses, so the
/// module never uses them from the host.
/// <para>
/// A session-wide cache, filled by every node read (NodeReader.ToRedisNode), for one reader only: Connect-RedisClient's
/// tunnel, which outlives any one operation (it translates while the client runs, so it needs a cache that later
/// reads keep current). Every workflow translates through a <see cref="TopologySnapshot"/> it read once for the
/// operation and passes along (the cluster router, cluster reads, checks and failovers, the sentinel failovers,
/// Get-RedisSentinel, Get-RedisReplica, topology health); none depends on this cache having been filled.
/// </para>
/// </summary>
public sealed class EndpointMap
{
    private readonly ConcurrentDictionary<string, MappedEndpoint> _map = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A container-side endpoint with the node it belongs to and where the host reaches it.</summary>
    public sealed record MappedEndpoint(string ContainerEndpoint, string HostEndpoint, string NodeName,
        string Topology);

    public void Set(string containerEndpoint, string hostEndpoint, string nodeName, string topology) =>
        _map[containerEndpoint] = new MappedEndpoint(containerEndpoint, hostEndpoint, nodeName, topology);

    /// <summary>Records every container-side name of a node: each network address and the container name.</summary>
    public void Record(RedisNode node, IEnumerable<string> containerAddresses)
    {
        if (node.HostEndpoint is null) return;
        foreach (var a in containerAddresses.Append(node.Name))
            Set($"{a}:{node.Port}", node.HostEndpoint, node.Name, node.Topology);
        if (!node.ClusterEnabled) return;
        // A cluster node that announces its host endpoint (cluster-announce-hostname) names it in redirects.
        foreach (var kv in _map)
            if (kv.Value.ContainerEndpoint == kv.Value.HostEndpoint && kv.Key != node.HostEndpoint
                && string.Equals(kv.Value.NodeName, node.Name, StringComparison.OrdinalIgnoreCase))
                _map.TryRemove(kv.Key, out _);
        Set(node.HostEndpoint, node.HostEndpoint, node.Name, node.Topology);
    }

    public bool TryTranslate(string containerEndpoint, out MappedEndpoint mapped) =>
        _map.TryGetValue(Normalize(containerEndpoint), out mapped!);

    public void ForgetNode(string nodeName)
    {
        foreach (var kv in _map)
            if (string.Equals(kv.Value.NodeName, nodeName, StringComparison.OrdinalIgnoreCase))
                _map.TryRemove(kv.Key, out _);
    }

    public IReadOnlyList<MappedEndpoint> Entries =>
        _map.Values.OrderBy(e => e.ContainerEndpoint, StringComparer.Ordinal).ToArray();

    /// <summary>"ip:port@bus,hostname" (CLUSTER NODES form) or "ip:port" → "ip:port".</summary>
    public static string Normalize(string endpoint)
    {
        var e = endpoint;
        var at = e.IndexOf('@');
        if (at >= 0) e = e[..at];
        var comma = e.IndexOf(',');
        if (comma >= 0) e = e[..comma];
        return e;
    }

    public static (string Host, int Port) Split(string endpoint)
    {
        var e = Normalize(endpoint);
        var colon = e.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(e[(colon + 1)..], out var port))
            throw new FormatException($"'{endpoint}' is not host:port.");
        return (e[..colon].Trim('[', ']'), port);
    }
}
