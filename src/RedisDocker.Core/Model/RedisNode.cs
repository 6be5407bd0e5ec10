namespace RedisDocker;

// The enums of output objects are based on long on purpose: ConvertTo-Json (pwsh 7.4-7.6) writes an enum by
// its name only when the enum is based on long or ulong (JsonObject.ProcessValue, "not JSON-serializable"), and
// otherwise as a number unless -EnumsAsStrings is given. Based on long, "Role": "Primary" comes out by default,
// while the property stays typed: Where-Object Role -eq Primary, -Role Primary, Sort-Object and [int] casts work
// as before. (With the experimental feature PSSerializeJSONLongEnumAsNumber enabled, add -EnumsAsStrings.)
// tests/pester/RedisDocker.Interactive.Tests.ps1 checks every enum of every cmdlet's output type.

/// <summary>What a node is: a Redis server or a Sentinel.</summary>
public enum RedisNodeKind : long { Redis, Sentinel }

/// <summary>The role Redis reports now (INFO replication), or Unknown when the node does not answer.</summary>
public enum RedisRole : long { Unknown, Primary, Replica, Sentinel }

/// <summary>A Redis (or Sentinel) container of a topology. An immutable snapshot: never a live connection or a
/// password.</summary>
public sealed record RedisNode
{
    /// <summary>Container name, also the node's name.</summary>
    public required string Name { get; init; }
    /// <summary>Container id (full).</summary>
    public required string Id { get; init; }
    public required string Topology { get; init; }
    public RedisNodeKind Kind { get; init; } = RedisNodeKind.Redis;
    /// <summary>Role Redis reports now; Unknown when stopped or unreachable.</summary>
    public RedisRole Role { get; init; }
    /// <summary>Docker state: running, exited, created, restarting, paused, dead.</summary>
    public required string State { get; init; }
    /// <summary>The network the node was created on.</summary>
    public string? Network { get; init; }
    /// <summary>Container address on that network.</summary>
    public string? IPAddress { get; init; }
    /// <summary>Redis port inside the container.</summary>
    public int Port { get; init; } = 6379;
    /// <summary>Container-side endpoint (IPAddress:Port), what other nodes and Redis itself use.</summary>
    public string? ContainerEndpoint => IPAddress is null ? null : $"{IPAddress}:{Port}";
    /// <summary>Published endpoint the host uses (127.0.0.1:port), null when not published or stopped.</summary>
    public string? HostEndpoint { get; init; }
    public int? HostPort { get; init; }
    public required string Image { get; init; }
    public bool ClusterEnabled { get; init; }
    /// <summary>For a replica, the primary's container endpoint as Redis reports it.</summary>
    public string? PrimaryEndpoint { get; init; }
    /// <summary>Master name of the sentinel group (sentinels only).</summary>
    public string? SentinelGroup { get; init; }
    public string? RedisVersion { get; init; }
    public string DockerHost { get; init; } = "";
    /// <summary>The Docker Swarm node of <see cref="DockerHost"/>, as the session last read the swarm; null
    /// outside a swarm.</summary>
    public string? SwarmNode { get; init; }
    /// <summary>That swarm node's state as the session last read it (ready, down, ...); null outside a swarm.</summary>
    public string? SwarmNodeState { get; init; }
    public string? DataVolume { get; init; }
    public DateTimeOffset Created { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get => _labels; init => _labels = LabelSet.From(value); }
    private readonly IReadOnlyDictionary<string, string> _labels = LabelSet.Empty;
    /// <summary>Lets a node flow by property name into parameters named NodeName.</summary>
    public string NodeName => Name;
    public override string ToString() => Name;
}
