namespace RedisDocker.Core.Docker;

/// <summary>What an engine says of its place in a Docker Swarm (GET /info, Swarm).</summary>
/// <param name="NodeId">The engine's swarm node id; empty outside a swarm.</param>
/// <param name="State">inactive, pending, active, error or locked.</param>
/// <param name="IsManager">The engine is a manager (it answers GET /nodes).</param>
/// <param name="Address">The address the engine advertises to the swarm.</param>
public sealed record SwarmMembership(string NodeId, string State, bool IsManager, string Address);

/// <summary>One node of a Docker Swarm as a manager lists it (GET /nodes).</summary>
public sealed record SwarmNodeInfo
{
    public required string Id { get; init; }
    public string Hostname { get; init; } = "";
    /// <summary>manager or worker.</summary>
    public string Role { get; init; } = "";
    /// <summary>active, pause or drain.</summary>
    public string Availability { get; init; } = "";
    /// <summary>ready, down, unknown or disconnected.</summary>
    public string State { get; init; } = "";
    public string Address { get; init; } = "";
    /// <summary>Leader, Reachable or Unreachable for a manager; empty for a worker.</summary>
    public string ManagerStatus { get; init; } = "";
    public IReadOnlyDictionary<string, string> Labels { get; init; } = DockerEmpty.Map;
}

public sealed partial class DockerClient
{
    /// <summary>GET /info: the engine's swarm membership.</summary>
    public async Task<SwarmMembership> GetSwarmMembershipAsync(CancellationToken ct = default)
    {
        var info = await CallAsync("GET", "/info", t => _api.System.GetSystemInfoAsync(t), ct).ConfigureAwait(false);
        var s = info.Swarm;
        return new SwarmMembership(s?.NodeID ?? "", s?.LocalNodeState ?? "inactive", s?.ControlAvailable ?? false,
            s?.NodeAddr ?? "");
    }

    /// <summary>GET /nodes (a manager only).</summary>
    public async Task<IReadOnlyList<SwarmNodeInfo>> ListSwarmNodesAsync(CancellationToken ct = default)
    {
        var nodes = await CallAsync("GET", "/nodes", t => _api.Swarm.ListNodesAsync(t), ct).ConfigureAwait(false);
        return (nodes ?? []).Select(n => new SwarmNodeInfo
        {
            Id = n.ID ?? "",
            Hostname = n.Description?.Hostname ?? "",
            Role = n.Spec?.Role ?? "",
            Availability = n.Spec?.Availability ?? "",
            State = n.Status?.State ?? "",
            Address = n.Status?.Addr ?? "",
            ManagerStatus = n.ManagerStatus?.Leader == true ? "Leader" : n.ManagerStatus?.Reachability ?? "",
            Labels = n.Spec?.Labels is { } l
                ? new Dictionary<string, string>(l, StringComparer.Ordinal)
                : DockerEmpty.Map,
        }).OrderBy(n => n.Hostname, StringComparer.Ordinal).ThenBy(n => n.Id, StringComparer.Ordinal).ToArray();
    }
}
