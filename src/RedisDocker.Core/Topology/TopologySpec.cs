using RedisDocker.Core.Docker;

namespace RedisDocker.Core.Topology;

/// <summary>The exported form of a topology (Export-RedisTopology). Contains no password.</summary>
public sealed record TopologySpec(
    string Format, string Name, DateTimeOffset ExportedAt, PasswordReferenceDto Password,
    IReadOnlyList<NetworkSpecDto> Networks, IReadOnlyList<NodeSpecDto> Nodes, ClusterSpecDto? Cluster,
        IReadOnlyList<SentinelGroupDto> SentinelGroups)
{
    public const string CurrentFormat = "redisdocker/topology@1";

    /// <summary>The topology's ACL users (password hashes only); null or absent (older specs) for none.</summary>
    public IReadOnlyList<UserSpecDto>? Users { get; init; }

    /// <summary>True when the user default was off (Set-RedisUser -Name default -Disabled): the import turns it off
    /// again once the users are made. Null or absent (older specs, default on) leaves it on.</summary>
    public bool? DefaultUserOff { get; init; }
}

public sealed record PasswordReferenceDto(string Source, string Note);
/// <param name="Driver">null (bridge, one engine) or "overlay" (an attachable overlay of a Docker Swarm, made through
/// a manager: <paramref name="DockerHost"/>).</param>
public sealed record NetworkSpecDto(string Name, string? Subnet, string? Gateway, bool Internal, string? DockerHost,
    string? Driver = null);
public sealed record NodeSpecDto(string Name, string Network, string? IPAddress, int Port, string? Image,
    bool ClusterEnabled, int? ClusterNodeTimeoutMs,
    bool AppendOnly, string? MaxMemory, string? MaxMemoryPolicy, string? ReplicaOf, IReadOnlyDictionary<string,
        string>? Config, string? DockerHost,
    string? AnnounceAddress = null, string? Topology = null, string? Tls = null)
{
    /// <summary>The Docker Swarm node of <see cref="DockerHost"/> at export (RedisNode.SwarmNode: the hostname, with
    /// the id's start when hostnames are shared); null outside a swarm.</summary>
    public string? SwarmNode { get; init; }
    /// <summary>The swarm node's id: Import-RedisTopology finds the engine by it when the recorded endpoint is not
    /// connected; the stack file places the service on it when hostnames are shared.</summary>
    public string? SwarmNodeId { get; init; }
    /// <summary>The host address the node is published on when not 127.0.0.1 (an engine of another machine or
    /// network namespace publishes on its own address); null for 127.0.0.1.</summary>
    public string? HostAddress { get; init; }
}
public sealed record ClusterSpecDto(IReadOnlyList<ClusterPrimaryDto> Primaries)
{
    /// <summary>What the cluster names to clients (Set-RedisCluster -ClientEndpoint): Host or Container; null
    /// (older exports, Redis before 7.0) is Host.</summary>
    public string? ClientEndpoint { get; init; }
}
public sealed record ClusterPrimaryDto(string Name, IReadOnlyList<string> Slots, IReadOnlyList<string> Replicas);
public sealed record SentinelGroupDto(string MasterName, string Primary, int Count, int Quorum, int DownAfterMs,
    int FailoverTimeoutMs, int ParallelSyncs, int Port, string? Image);

/// <summary>
/// An ACL user of the topology in its spec (Export-/Import-RedisTopology): its name, whether it is on, its
/// passwords as the SHA-256 hashes Redis keeps ("#" and 64 hex digits, as in an ACL file; never a password) and its
/// rules without them. The users default and redisdocker are the module's own and never in a spec.
/// </summary>
public sealed record UserSpecDto(string Name, bool Enabled, IReadOnlyList<string> PasswordHashes, string Permission)
{
    /// <summary>The user has no password (nopass): any password authenticates it.</summary>
    public bool NoPassword { get; init; }
}
