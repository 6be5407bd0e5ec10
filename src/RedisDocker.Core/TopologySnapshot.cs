namespace RedisDocker.Core;

/// <summary>
/// One topology as it was read at one moment: its nodes (with the role each reported then) and the translation
/// of every container-side endpoint (each network address:port and container name:port, and for cluster nodes
/// the host endpoint they announce) to the published endpoint the host reaches. Immutable: a workflow reads one
/// per operation (<c>NodeReader.SnapshotAsync</c>) and passes it along; when it must see a change it caused
/// (roles after a failover, nodes after a start), it reads a new one, explicitly.
/// </summary>
public sealed class TopologySnapshot
{
    private readonly IReadOnlyDictionary<string, EndpointMap.MappedEndpoint> _translation;
    private readonly IReadOnlyDictionary<string, string> _names;

    private TopologySnapshot(string topology, IReadOnlyList<RedisNode> nodes,
        IReadOnlyDictionary<string, EndpointMap.MappedEndpoint> translation, IReadOnlyDictionary<string, string> names)
    {
        Topology = topology;
        Nodes = nodes;
        _translation = translation;
        _names = names;
    }

    /// <summary>The topology's name.</summary>
    public string Topology { get; }

    /// <summary>The nodes read, ordered by name.</summary>
    public IReadOnlyList<RedisNode> Nodes { get; }

    /// <summary>Every container-side endpoint and where the host reaches it, ordered by container endpoint.</summary>
    public IReadOnlyList<EndpointMap.MappedEndpoint> Entries =>
        _translation.Values.OrderBy(e => e.ContainerEndpoint, StringComparer.Ordinal).ToArray();

    /// <summary>The snapshot of the given nodes, each with every container address it has on its networks.</summary>
    public static TopologySnapshot From(string topology,
        IEnumerable<(RedisNode Node, IEnumerable<string> ContainerAddresses)> nodes)
    {
        var list = nodes.OrderBy(n => n.Node.Name, StringComparer.Ordinal).ToArray();
        var map = new Dictionary<string, EndpointMap.MappedEndpoint>(StringComparer.OrdinalIgnoreCase);
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (node, addresses) in list)
        {
            foreach (var a in addresses.Where(a => !string.IsNullOrEmpty(a)).Append(node.Name))
            {
                // A stopped node keeps its static address: Redis still names it there (a failed cluster node).
                names[$"{a}:{node.Port}"] = node.Name;
                if (node.HostEndpoint is not null)
                    map[$"{a}:{node.Port}"] = new($"{a}:{node.Port}", node.HostEndpoint, node.Name, node.Topology);
            }
        }
        // A cluster node that announces its host endpoint (cluster-announce-hostname) names it in redirects.
        foreach (var (node, _) in list.Where(n => n.Node.ClusterEnabled && n.Node.HostEndpoint is not null))
        {
            map[node.HostEndpoint!] = new(node.HostEndpoint!, node.HostEndpoint!, node.Name, node.Topology);
            names[node.HostEndpoint!] = node.Name;
        }
        return new TopologySnapshot(topology, list.Select(n => n.Node).ToArray(), map, names);
    }

    /// <summary>Container endpoint (any form Redis reports: "ip:port", "ip:port@bus,hostname") → where the host
    /// reaches it and whose it is.</summary>
    public bool TryTranslate(string containerEndpoint, out EndpointMap.MappedEndpoint mapped) =>
        _translation.TryGetValue(EndpointMap.Normalize(containerEndpoint), out mapped!);

    /// <summary>The published endpoint of a container endpoint, or null when no node of the snapshot has it.</summary>
    public string? HostEndpointOf(string containerEndpoint) =>
        TryTranslate(containerEndpoint, out var m) ? m.HostEndpoint : null;

    /// <summary>The name of the node with this container endpoint, or null; a stopped node too (its static
    /// address), though the host cannot reach it.</summary>
    public string? NodeNameOf(string containerEndpoint) =>
        _names.TryGetValue(EndpointMap.Normalize(containerEndpoint), out var name) ? name : null;

    /// <summary>The node of this container endpoint, or null.</summary>
    public RedisNode? NodeOf(string containerEndpoint) =>
        NodeNameOf(containerEndpoint) is { } name ? Find(name) : null;

    /// <summary>The node of this name, or null.</summary>
    public RedisNode? Find(string name) =>
        Nodes.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The nodes that reported this role when the snapshot was read.</summary>
    public IReadOnlyList<RedisNode> WithRole(RedisRole role) => Nodes.Where(n => n.Role == role).ToArray();
}
