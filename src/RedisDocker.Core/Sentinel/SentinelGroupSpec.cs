using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>What New-RedisSentinel asks for.</summary>
public sealed record SentinelGroupSpec
{
    public required string Primary { get; init; }
    public int Count { get; init; } = 3;
    public int Quorum { get; init; } = 2;
    public string? MasterName { get; init; }
    public int DownAfterMs { get; init; } = 5000;
    public int FailoverTimeoutMs { get; init; } = 60000;
    public int ParallelSyncs { get; init; } = 1;
    public string? Image { get; init; }
    /// <summary>The sentinel port (bridged sentinels), or the first port (host-network sentinels: one more per
    /// sentinel).</summary>
    public int Port { get; init; } = 26379;
    /// <summary>Host-network primary: the Docker engines of the sentinels, in turn (null = the session's primary
    /// engine).</summary>
    public IReadOnlyList<string?>? DockerHosts { get; init; }
    /// <summary>Primary on an overlay network, no <see cref="DockerHosts"/>: only swarm nodes with these labels
    /// ("key=value" or "key") take sentinels.</summary>
    public IReadOnlyList<string>? SwarmNodeLabels { get; init; }
    /// <summary>Host-network primary: the announce address of each sentinel's host, in the same turn as <see
    /// cref="DockerHosts"/>.</summary>
    public IReadOnlyList<string>? AnnounceAddresses { get; init; }
    /// <summary>
    /// Split-brain bound set on the primary and every replica (so a promoted replica keeps it): writes are refused
    /// unless this many replicas are connected and lag at most <see cref="MinReplicasMaxLag"/> s. Null: 1 when the
    /// primary has a replica, else 0. 0 turns the bound off.
    /// </summary>
    public int? MinReplicasToWrite { get; init; }
    public int MinReplicasMaxLag { get; init; } = 2;
    /// <summary>-Tls: asserts the group's topology uses TLS (sentinels always use the topology's TLS settings).
    /// </summary>
    public Security.TlsOptions? Tls { get; init; }
}
