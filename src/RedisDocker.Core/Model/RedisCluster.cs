namespace RedisDocker;

/// <summary>A contiguous range of hash slots.</summary>
public readonly record struct SlotRange(int Start, int End)
{
    public int Count => End - Start + 1;
    public override string ToString() => Start == End
        ? Start.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Start}-{End}";

    /// <summary>Ranges from individual slots (sorted, merged).</summary>
    public static IReadOnlyList<SlotRange> FromSlots(IEnumerable<int> slots)
    {
        var list = new List<SlotRange>();
        foreach (var s in slots.Distinct().OrderBy(x => x))
        {
            if (list.Count > 0 && list[^1].End == s - 1) list[^1] = list[^1] with { End = s };
            else list.Add(new SlotRange(s, s));
        }
        return list;
    }
}

/// <summary>A Redis Cluster as CLUSTER INFO and CLUSTER NODES report it. The cluster's name is its
/// topology's.</summary>
public sealed record RedisCluster
{
    public required string Name { get; init; }
    /// <summary>cluster_state of the node asked: ok or fail.</summary>
    public required string State { get; init; }
    public int SlotsAssigned { get; init; }
    public int SlotsOk { get; init; }
    public int SlotsPFail { get; init; }
    public int SlotsFail { get; init; }
    public int KnownNodes { get; init; }
    /// <summary>Primaries that own slots (cluster_size).</summary>
    public int Size { get; init; }
    public long CurrentEpoch { get; init; }
    public int Primaries { get; init; }
    public int Replicas { get; init; }
    /// <summary>Container names of the members.</summary>
    public IReadOnlyList<string> Nodes { get => _nodes; init => _nodes = TextList.From(value); }
    private readonly IReadOnlyList<string> _nodes = TextList.Empty;
    public string DockerHost { get; init; } = "";
    /// <summary>Lets a cluster flow into -Cluster / -Topology by property name.</summary>
    public string Cluster => Name;
    public string Topology => Name;
    public override string ToString() => Name;
}

/// <summary>One member of a cluster, from CLUSTER NODES, with container and published endpoints.</summary>
public sealed record RedisClusterNode
{
    public required string NodeId { get; init; }
    /// <summary>Container name (null when the address is not one of the topology's nodes).</summary>
    public string? Name { get; init; }
    public required string Cluster { get; init; }
    public required string ContainerEndpoint { get; init; }
    public string? HostEndpoint { get; init; }
    public required RedisRole Role { get; init; }
    public IReadOnlyList<string> Flags { get => _flags; init => _flags = TextList.From(value); }
    private readonly IReadOnlyList<string> _flags = TextList.Empty;
    public string? PrimaryId { get; init; }
    public string? PrimaryName { get; init; }
    public IReadOnlyList<SlotRange> SlotRanges { get; init; } = Array.Empty<SlotRange>();
    public int SlotCount => SlotRanges.Sum(r => r.Count);
    /// <summary>Slot ranges as redis-cli prints them: 0-5460.</summary>
    public string Slots => string.Join(",", SlotRanges);
    /// <summary>Slots being migrated out ("slot->node id") or imported ("slot-<-node id").</summary>
    public IReadOnlyList<string> OpenSlots { get => _openSlots; init => _openSlots = TextList.From(value); }
    private readonly IReadOnlyList<string> _openSlots = TextList.Empty;
    /// <summary>Names of this primary's replicas.</summary>
    public IReadOnlyList<string> Replicas { get => _replicas; init => _replicas = TextList.From(value); }
    private readonly IReadOnlyList<string> _replicas = TextList.Empty;
    public string LinkState { get; init; } = "";
    public long ConfigEpoch { get; init; }
    public long PingSent { get; init; }
    public long PongReceived { get; init; }
    /// <summary>True when the asking node flags this node fail or pfail (its own view of failures).</summary>
    public bool Failing => Flags.Contains("fail") || Flags.Contains("fail?");
    /// <summary>The node that answered CLUSTER NODES (whose view this is).</summary>
    public string? ReportedBy { get; init; }
    public string NodeName => Name ?? NodeId;
    public override string ToString() => Name ?? NodeId;
}

/// <summary>The result of one check of Test-RedisCluster (as redis-cli --cluster check).</summary>
public sealed record RedisClusterCheck(string Cluster, string Check, bool Passed, string Detail)
{
    public override string ToString() => $"{(Passed ? "[OK]" : "[ERR]")} {Check}: {Detail}";
}

/// <summary>What a failover did.</summary>
public sealed record RedisFailoverResult
{
    public required string Topology { get; init; }
    /// <summary>Cluster or Sentinel.</summary>
    public required string Kind { get; init; }
    /// <summary>Coordinated, Force, Takeover, or Automatic (promoted by Redis itself after a loss).</summary>
    public required string Mode { get; init; }
    public string? OldPrimary { get; init; }
    public required string NewPrimary { get; init; }
    public string? NewPrimaryHostEndpoint { get; init; }
    public TimeSpan Duration { get; init; }
    /// <summary>Acknowledged writes lost, when the module can know it (null when it cannot).</summary>
    public long? LostWrites { get; init; }
    public string? Detail { get; init; }
}

/// <summary>The outcome of moving slots between primaries (Move-RedisClusterSlot, Optimize-RedisCluster).</summary>
public sealed record SlotMoveResult(string Cluster, string Source, string Destination, int SlotsMoved, long KeysMoved,
    IReadOnlyList<SlotRange> Slots)
{
    public string SlotRanges => string.Join(",", Slots);
}
