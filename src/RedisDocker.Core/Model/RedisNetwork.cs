namespace RedisDocker;

/// <summary>A Docker network that carries a RedisDocker topology. An immutable snapshot.</summary>
public sealed record RedisNetwork
{
    public required string Name { get; init; }
    public required string Id { get; init; }
    /// <summary>The topology the network belongs to (its own name unless given).</summary>
    public required string Topology { get; init; }
    public string? Subnet { get; init; }
    public string? Gateway { get; init; }
    public string Driver { get; init; } = "bridge";
    public bool Internal { get; init; }
    /// <summary>Names of the containers attached now.</summary>
    public IReadOnlyList<string> Containers { get => _containers; init => _containers = TextList.From(value); }
    private readonly IReadOnlyList<string> _containers = TextList.Empty;
    public int NodeCount => Containers.Count;
    public IReadOnlyDictionary<string, string> Labels { get => _labels; init => _labels = LabelSet.From(value); }
    private readonly IReadOnlyDictionary<string, string> _labels = LabelSet.Empty;
    /// <summary>The Docker endpoint that holds the network.</summary>
    public required string DockerHost { get; init; }
    public DateTimeOffset Created { get; init; }
    /// <summary>Lets the network flow into -Network of New-RedisNode by property name.</summary>
    public string Network => Name;
    public override string ToString() => Name;
}
