using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>
/// Nodes: create, read (labels + live ROLE), start, stop, restart, remove. This file holds what the use cases share;
/// each has its own file under src/RedisDocker.Core/Node/: NodeCreate (the batch, in steps), NodeContainer (one
/// node's container), HostPorts, NodeReadiness, NodeLifecycle, NodeAddresses; reads are NodeReader's.
/// </summary>
public sealed partial class NodeOperations : Workflow
{
    private readonly NodeReader _reader;
    private readonly NetworkLookup _networks;
    private readonly SentinelStartPreparation _sentinelStart;
    private readonly Swarm.SwarmOperations _swarm;

    internal NodeOperations(RedisDockerSession session, IOperationSink sink, NodeReader reader, NetworkLookup networks,
        SentinelStartPreparation sentinelStart, Swarm.SwarmOperations swarm)
        : base(session, sink)
    {
        _swarm = swarm;
        _reader = reader;
        _networks = networks;
        _sentinelStart = sentinelStart;
    }

    /// <summary>Reads nodes from Docker labels, with the role each reports now (see <see cref="NodeReader"/>).
    /// </summary>
    public Task<IReadOnlyList<RedisNode>> GetAsync(NodeFilter filter, CancellationToken ct) =>
        _reader.GetAsync(filter, ct);

    /// <summary>The topology read once, its address translation included (see <see cref="NodeReader"/>).</summary>
    public Task<TopologySnapshot> SnapshotAsync(string topology, CancellationToken ct, bool includeSentinels = true) =>
        _reader.SnapshotAsync(topology, ct, includeSentinels);

    /// <summary>One node by name, or NodeNotFound.</summary>
    public Task<RedisNode> GetOneAsync(string name, CancellationToken ct) => _reader.GetOneAsync(name, ct);

    /// <summary>The node from its container, with ROLE and version read live when it runs.</summary>
    public Task<RedisNode> ReadLiveAsync(ContainerInfo info, CancellationToken ct, DockerClient? docker = null) =>
        _reader.ReadLiveAsync(info, ct, docker);

    public static (RedisRole Role, string? Primary) ParseRole(RespValue role) => NodeReader.ParseRole(role);

    /// <summary>Builds the node from the container (labels, state, addresses) and records its endpoints in the
    /// map.</summary>
    public RedisNode ToRedisNode(ContainerInfo info, RedisRole role, IDockerEngine? docker = null) =>
        _reader.ToRedisNode(info, role, docker);

    private Task<(DockerClient Docker, ContainerInfo Info)> RequireManagedAsync(string name, CancellationToken ct) =>
        _reader.RequireManagedAsync(name, ct);

    public TimeSpan ReadyTimeout { get; init; } = Defaults.ReadyTimeout;

    internal static RedisDockerException NotFound(string name) =>
        Errors.NodeNotFound($"No RedisDocker node named '{name}'. List them with Get-RedisNode.", name);
}
