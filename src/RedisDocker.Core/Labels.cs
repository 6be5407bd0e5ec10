namespace RedisDocker.Core;

/// <summary>
/// The labels that make Docker the source of truth: every network, container and volume the
/// module creates carries them, so any object can be re-read later from Docker alone.
/// </summary>
public static class Labels
{
    public const string Prefix = "io.redisdocker.";
    /// <summary>"true" on everything the module created.</summary>
    public const string Managed = Prefix + "managed";
    /// <summary>The topology (a named group of networks, nodes, sentinels, one cluster at most).</summary>
    public const string Topology = Prefix + "topology";
    /// <summary>network | node | sentinel | volume.</summary>
    public const string Kind = Prefix + "kind";
    /// <summary>The role the node was created with (primary, replica, sentinel); the live role comes from
    /// INFO.</summary>
    public const string Role = Prefix + "role";
    /// <summary>The Redis port inside the container.</summary>
    public const string Port = Prefix + "port";
    /// <summary>The host port the node's Redis port is published on, chosen once at creation and kept for
    /// life.</summary>
    public const string HostPort = Prefix + "host-port";
    /// <summary>The static address the node was created with on its network (its cluster and sentinels know it
    /// there).</summary>
    public const string Address = Prefix + "address";
    /// <summary>The network the node was created on.</summary>
    public const string Network = Prefix + "network";
    /// <summary>"true" when the node runs with cluster-enabled yes.</summary>
    public const string ClusterEnabled = Prefix + "cluster-enabled";
    /// <summary>The sentinel group's master name (on sentinel containers).</summary>
    public const string SentinelGroup = Prefix + "sentinel-group";
    /// <summary>Path of the rendered configuration file inside the container.</summary>
    public const string ConfigPath = Prefix + "config";
    /// <summary>Name of the data volume of a node.</summary>
    public const string DataVolume = Prefix + "data-volume";
    /// <summary>The Docker endpoint the node was created through (several engines may hold one topology).</summary>
    public const string DockerHost = Prefix + "docker-host";
    /// <summary>"true" for nodes in host network mode.</summary>
    public const string HostNetwork = Prefix + "host-network";
    /// <summary>The address a host-network node announces (cluster-announce-ip, replica-announce-ip).</summary>
    public const string Announce = Prefix + "announce";
    /// <summary>On nodes and sentinels made with the module's admin user (value: its name): the node's ACL file has it
    /// and replicas authenticate as it (masteruser); a sentinel authenticates to its nodes as it (auth-user).
    /// Nodes made before it came have no such label and are administered as default.</summary>
    public const string AdminUser = Prefix + "admin-user";
    /// <summary>Module version that created the object.</summary>
    public const string Version = Prefix + "version";

    public const string KindNetwork = "network";
    public const string KindNode = "node";
    public const string KindSentinel = "sentinel";
    public const string KindVolume = "volume";

    public static Dictionary<string, string?> ForTopology(string topology) =>
        new() { [Managed] = "true", [Topology] = topology };

    public static Dictionary<string, string?> ForKind(string kind, string? topology = null)
    {
        var d = new Dictionary<string, string?> { [Managed] = "true", [Kind] = kind };
        if (topology is not null) d[Topology] = topology;
        return d;
    }

    public static string? Get(this IReadOnlyDictionary<string, string> labels, string key) =>
        labels.TryGetValue(key, out var v) ? v : null;
}
