using RedisDocker.Core.Docker;

namespace RedisDocker.Core.Swarm;

/// <summary>What the session last learnt of its swarm: the nodes, and which engine serves which.</summary>
public sealed class SwarmView
{
    private volatile IReadOnlyList<RedisSwarmNode> _nodes = [];

    public IReadOnlyList<RedisSwarmNode> Nodes => _nodes;

    /// <summary>The swarm node an engine of the session is, by its endpoint; null outside a swarm or unknown.</summary>
    public RedisSwarmNode? NodeOf(string dockerHost) =>
        _nodes.FirstOrDefault(n => string.Equals(n.DockerHost, dockerHost, StringComparison.OrdinalIgnoreCase));

    internal void Set(IReadOnlyList<RedisSwarmNode> nodes) => _nodes = nodes;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, HashSet<string>> _seen =
        new(StringComparer.Ordinal);

    /// <summary>Notes that this session saw a node of the topology on that swarm node (so the topology can name it
    /// when it is lost, though its nodes there can no longer be listed).</summary>
    public void Saw(string topology, string swarmNode)
    {
        var set = _seen.GetOrAdd(topology, _ => new HashSet<string>(StringComparer.Ordinal));
        lock (set) set.Add(swarmNode);
    }

    /// <summary>The swarm nodes this session saw nodes of the topology on.</summary>
    public IReadOnlyCollection<string> SeenOn(string topology)
    {
        if (!_seen.TryGetValue(topology, out var set)) return [];
        lock (set) return set.ToArray();
    }
}

/// <summary>Reads the Docker Swarm of the session's engines: a manager lists the nodes, every engine says which
/// node it is (GET /info), so the session maps swarm nodes to the endpoints the user connected.</summary>
public sealed class SwarmOperations : Workflow
{
    internal SwarmOperations(RedisDockerSession session, IOperationSink sink)
        : base(session, sink)
    {
    }

    /// <summary>The swarm's nodes, read anew (and kept in <see cref="RedisDockerSession.Swarm"/>); empty when no
    /// engine of the session is a swarm manager.</summary>
    public async Task<IReadOnlyList<RedisSwarmNode>> RefreshAsync(CancellationToken ct)
    {
        var members = await _session.OnEveryEngineAsync((d, c) => d.GetSwarmMembershipAsync(c), _sink, ct)
            .ConfigureAwait(false);
        var manager = members.FirstOrDefault(m => m.Result.IsManager && m.Result.State == "active");
        if (manager.Docker is null)
        {
            if (members.Any(m => m.Result.State == "active"))
                _sink.Warning("The session's engines are in a Docker Swarm, but none of them is a manager: connect "
                    + "one (Connect-RedisDocker -DockerHost <manager> -Add) to list the swarm's nodes.");
            _session.Swarm.Set([]);
            return [];
        }
        var listed = await manager.Docker.ListSwarmNodesAsync(ct).ConfigureAwait(false);
        var endpointOf = members.Where(m => m.Result.NodeId.Length > 0)
            .GroupBy(m => m.Result.NodeId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Docker.Endpoint.ToString(), StringComparer.Ordinal);
        var shared = listed.GroupBy(n => n.Hostname, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var nodes = listed.Select(n => new RedisSwarmNode
        {
            Id = n.Id,
            Hostname = n.Hostname,
            Name = shared.Contains(n.Hostname) ? $"{n.Hostname}/{n.Id[..Math.Min(12, n.Id.Length)]}" : n.Hostname,
            Role = n.Role,
            Availability = n.Availability,
            State = n.State,
            Address = n.Address,
            ManagerStatus = n.ManagerStatus,
            Labels = n.Labels,
            DockerHost = endpointOf.GetValueOrDefault(n.Id) ?? EngineOfSilentNode(n, members.Select(m => m.Docker
                .Endpoint.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase)),
        }).ToArray();
        foreach (var n in nodes.Where(n => n.DockerHost is null))
            _sink.Verbose($"Swarm node {n.Name} ({n.Address}) is not an engine of this session: nodes cannot be "
                + "placed there until it is added (Connect-RedisDocker -Add).");
        _session.Swarm.Set(nodes);
        return nodes;
    }

    /// <summary>
    /// The engine of a swarm node whose engine did not answer now: the one the session mapped it to before, else
    /// the session's engine (not among those that answered) whose tcp address is the node's swarm address.
    /// </summary>
    private string? EngineOfSilentNode(SwarmNodeInfo n, HashSet<string> answered)
    {
        if (_session.Swarm.Nodes.FirstOrDefault(x => x.Id == n.Id)?.DockerHost is { } before) return before;
        return _session.Hosts.FirstOrDefault(h => !answered.Contains(h.ToString())
            && h.Transport == DockerTransport.Tcp && h.HostAddress == n.Address)?.ToString();
    }
}
