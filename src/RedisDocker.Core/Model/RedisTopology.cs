namespace RedisDocker;

/// <summary>Everything that carries one topology label: networks, nodes, sentinels, at most one cluster.</summary>
public sealed record RedisTopology
{
    public required string Name { get; init; }
    public IReadOnlyList<string> DockerHosts { get => _dockerHosts; init => _dockerHosts = TextList.From(value); }
    private readonly IReadOnlyList<string> _dockerHosts = TextList.Empty;
    public IReadOnlyList<string> Networks { get => _networks; init => _networks = TextList.From(value); }
    private readonly IReadOnlyList<string> _networks = TextList.Empty;
    public IReadOnlyList<string> Nodes { get => _nodes; init => _nodes = TextList.From(value); }
    private readonly IReadOnlyList<string> _nodes = TextList.Empty;
    public IReadOnlyList<string> Sentinels { get => _sentinels; init => _sentinels = TextList.From(value); }
    private readonly IReadOnlyList<string> _sentinels = TextList.Empty;
    public int Running { get; init; }
    public int Stopped { get; init; }
    /// <summary>The cluster's state (ok, fail) when the topology has a cluster; null otherwise.</summary>
    public string? ClusterState { get; init; }
    /// <summary>Master names of the sentinel groups.</summary>
    public IReadOnlyList<string> SentinelGroups { get => _sentinelGroups; init
        => _sentinelGroups = TextList.From(value); }
    private readonly IReadOnlyList<string> _sentinelGroups = TextList.Empty;
    /// <summary>Healthy, Degraded (something stopped or failing) or Down (nothing runs).</summary>
    public required string Health { get; init; }
    /// <summary>What is wrong, one sentence each, from every node's own view (empty when Healthy).</summary>
    public IReadOnlyList<string> Problems { get; init; } = Array.Empty<string>();
    /// <summary>Swarm nodes the topology has nodes on that are down in the swarm or whose engine does not answer
    /// (their nodes cannot be listed); empty otherwise.</summary>
    public IReadOnlyList<string> LostSwarmNodes { get => _lost; init => _lost = TextList.From(value); }
    private readonly IReadOnlyList<string> _lost = TextList.Empty;
    public string Topology => Name;
    public override string ToString() => Name;
}
