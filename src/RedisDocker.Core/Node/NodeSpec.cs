using System.Net;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>What New-RedisNode asks for, one node.</summary>
public sealed record NodeSpec
{
    public required string Name { get; init; }
    public required string Network { get; init; }
    public string? Image { get; init; }
    public int Port { get; init; } = 6379;
    /// <summary>Host port to publish on; null lets Docker pick a free one.</summary>
    public int? HostPort { get; init; }
    /// <summary>Host address the port is published on: 127.0.0.1 unless the user asks otherwise.</summary>
    public string HostIp { get; init; } = "127.0.0.1";
    /// <summary>Allows <see cref="HostIp"/> 0.0.0.0 or :: (every interface of the host), with a warning.</summary>
    public bool AllowAllInterfaces { get; init; }
    public string? IPAddress { get; init; }
    /// <summary>The topology's password; null reuses the topology's or generates one.</summary>
    public string? Password { get; init; }
    public bool ClusterEnabled { get; init; }
    public int ClusterNodeTimeoutMs { get; init; } = 5000;
    public bool AppendOnly { get; init; } = true;
    public string? MaxMemory { get; init; }
    public string? MaxMemoryPolicy { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Config { get; init; } = Array.Empty<KeyValuePair<string,
        string>>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Start as a replica of this container endpoint ("ip port").</summary>
    public string? ReplicaOf { get; init; }
    /// <summary>Sentinel settings: the node is a Sentinel when set.</summary>
    public SentinelConfig? Sentinel { get; init; }
    /// <summary>The Docker engine to create the node on; the session's primary engine when null.</summary>
    public string? DockerHost { get; init; }
    /// <summary>
    /// On an overlay network without <see cref="DockerHost"/>: only swarm nodes whose labels match every entry
    /// ("key=value", or "key" for the label with any value) take the node (see Swarm.SwarmPlacement).
    /// </summary>
    public IReadOnlyList<string>? SwarmNodeLabels { get; init; }
    /// <summary>Host network mode: the node listens on <see cref="AnnounceAddress"/>:<see cref="Port"/> of its Docker
    /// host.</summary>
    public bool HostNetwork { get; init; }
    /// <summary>With host networking: the address of the Docker host other nodes (and this host) reach it at.</summary>
    public string? AnnounceAddress { get; init; }
    /// <summary>With host networking: the cluster bus port (port + 10000 when null).</summary>
    public int? BusPort { get; init; }
    /// <summary>The topology (required with host networking, where no network carries it).</summary>
    public string? Topology { get; init; }
    /// <summary>
    /// Cluster nodes on a Docker network: listen inside the container on the port number they are published
    /// on and announce the host address (cluster-announce-hostname), so any client on the host follows
    /// redirects and slot maps to endpoints it reaches (see <see cref="HostEndpoints"/>). True by default.
    /// </summary>
    public bool AnnounceHostEndpoint { get; init; } = true;
    /// <summary>TLS only (-Tls); a node added to a TLS topology gets its TLS options when null.</summary>
    public Security.TlsOptions? Tls { get; init; }
}

/// <summary>Which nodes Get-RedisNode returns.</summary>
public sealed record NodeFilter
{
    public IReadOnlyList<string>? Names { get; init; }
    public string? Topology { get; init; }
    public string? Network { get; init; }
    public RedisRole? Role { get; init; }
    public bool IncludeSentinels { get; init; } = true;
    public bool SentinelsOnly { get; init; }
}

/// <summary>The outcome of creating one node: the node, or why it failed (nothing of it remains).</summary>
public sealed record NodeResult(string Name, RedisNode? Node, Exception? Error);

public static class NodeNaming
{
    /// <summary>Prefix-N names for N from 1 upwards, skipping names already taken.</summary>
    public static IReadOnlyList<string> Next(string prefix, int count, ISet<string> taken)
    {
        var names = new List<string>();
        for (var i = 1; names.Count < count; i++)
        {
            var n = $"{prefix}-{i}";
            if (!taken.Contains(n)) names.Add(n);
        }
        return names;
    }
}
