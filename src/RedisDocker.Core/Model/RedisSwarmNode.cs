namespace RedisDocker;

/// <summary>A node of the Docker Swarm the session's engines belong to, and the engine of the session serving it.
/// </summary>
public sealed record RedisSwarmNode
{
    public required string Id { get; init; }
    public string Hostname { get; init; } = "";
    /// <summary>The name nodes show (<see cref="RedisNode.SwarmNode"/>): the hostname, with the id's first 12
    /// characters when two nodes share a hostname.</summary>
    public string Name { get; init; } = "";
    public string Role { get; init; } = "";
    public string Availability { get; init; } = "";
    public string State { get; init; } = "";
    public string Address { get; init; } = "";
    public string ManagerStatus { get; init; } = "";
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>The engine of the session that is this swarm node; null when the session has none of it.</summary>
    public string? DockerHost { get; init; }
    /// <summary>Ready and active: new nodes may go there.</summary>
    public bool Usable => State == "ready" && Availability == "active";
    public override string ToString() => Name;
}
