namespace RedisDocker;

/// <summary>One replica as its primary sees it (INFO replication slaveN lines).</summary>
public sealed record RedisReplicaLink(string? Name, string ContainerEndpoint, string? HostEndpoint, string State,
    long Offset, long Lag);

/// <summary>INFO replication of one node, with addresses both as Redis reports them and as the host reaches
/// them.</summary>
public sealed record RedisReplicationInfo
{
    public required string Name { get; init; }
    public required string Topology { get; init; }
    public RedisRole Role { get; init; }
    public string? PrimaryName { get; init; }
    public string? PrimaryContainerEndpoint { get; init; }
    public string? PrimaryHostEndpoint { get; init; }
    /// <summary>up or down (replicas only).</summary>
    public string? LinkStatus { get; init; }
    public bool SyncInProgress { get; init; }
    public long? LastIOSecondsAgo { get; init; }
    /// <summary>master_repl_offset of the node.</summary>
    public long ReplicationOffset { get; init; }
    /// <summary>Replicas: bytes behind the primary's offset (when the primary answers); null otherwise.</summary>
    public long? LagBytes { get; init; }
    public int ConnectedReplicas { get; init; }
    public IReadOnlyList<RedisReplicaLink> Replicas { get; init; } = Array.Empty<RedisReplicaLink>();
    public string NodeName => Name;
    public override string ToString() => Name;
}

/// <summary>A group of sentinels monitoring one primary, as they see it now.</summary>
public sealed record RedisSentinelGroup
{
    /// <summary>The master name the sentinels monitor.</summary>
    public required string MasterName { get; init; }
    public required string Topology { get; init; }
    /// <summary>Container name of the current primary, as the sentinels report it.</summary>
    public string? Primary { get; init; }
    public string? PrimaryContainerEndpoint { get; init; }
    public string? PrimaryHostEndpoint { get; init; }
    public IReadOnlyList<string> Replicas { get => _replicas; init => _replicas = TextList.From(value); }
    private readonly IReadOnlyList<string> _replicas = TextList.Empty;
    public IReadOnlyList<string> Sentinels { get => _sentinels; init => _sentinels = TextList.From(value); }
    private readonly IReadOnlyList<string> _sentinels = TextList.Empty;
    public int SentinelCount => Sentinels.Count;
    /// <summary>Sentinels that answered.</summary>
    public int ReachableSentinels { get; init; }
    public int Quorum { get; init; }
    /// <summary>The master's flags as the answering sentinel sees them (master, s_down, o_down,
    /// failover_in_progress...).</summary>
    public string Flags { get; init; } = "";
    /// <summary>SENTINEL CKQUORUM's answer.</summary>
    public string? CkQuorum { get; init; }
    public bool QuorumOk { get; init; }
    public long DownAfterMilliseconds { get; init; }
    public long FailoverTimeout { get; init; }
    public int ParallelSyncs { get; init; }
    /// <summary>
    /// The split-brain bound on the primary (min-replicas-to-write): it refuses writes unless this many replicas
    /// acknowledged within <see cref="MinReplicasMaxLag"/> seconds. 0: unbounded (an isolated primary keeps taking
    /// writes
    /// the failover will discard). Null when the primary does not answer.
    /// </summary>
    public int? MinReplicasToWrite { get; init; }
    /// <summary>min-replicas-max-lag of the primary, in seconds.</summary>
    public int? MinReplicasMaxLag { get; init; }
    public string DockerHost { get; init; } = "";
    public string SentinelGroup => MasterName;
    public override string ToString() => MasterName;
}
