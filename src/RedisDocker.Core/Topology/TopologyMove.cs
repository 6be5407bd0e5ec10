using RedisDocker.Core.Docker;

namespace RedisDocker.Core.Topology;

/// <summary>What Move-RedisNode asks for: a node and the engine (or swarm node) it goes to.</summary>
public sealed record NodeMoveSpec
{
    public required string Name { get; init; }
    /// <summary>The engine of the session to move to; or give <see cref="SwarmNode"/>.</summary>
    public string? DockerHost { get; init; }
    /// <summary>The swarm node to move to (name, hostname or id), served by an engine of the session.</summary>
    public string? SwarmNode { get; init; }
    /// <summary>The address the node is published on at the target; by default 127.0.0.1 when it was published
    /// there and the target engine is on this machine, else the target engine's own address.</summary>
    public string? HostAddress { get; init; }
}

/// <summary>
/// Topology workflow: Move-RedisNode. Containers made by the module are not Swarm services: draining a swarm node
/// moves none of them. A node on an overlay is moved by making a replacement on another engine of the swarm with
/// the same name, address and settings, its data synced again from its primary: a primary fails over to a replica
/// first, so the data always has a copy elsewhere while the old container goes.
/// </summary>
public sealed partial class TopologyOperations
{
    /// <summary>How long the overlay may hold the old container's address after it is removed (the manager
    /// releases the attachment a moment later).</summary>
    private static readonly TimeSpan s_addressReleaseBound = TimeSpan.FromSeconds(30);

    public async Task<RedisNode> MoveNodeAsync(NodeMoveSpec move, CancellationToken ct)
    {
        var node = await Nodes.GetOneAsync(move.Name, ct).ConfigureAwait(false);
        if (node.Kind != RedisNodeKind.Redis)
            throw Errors.InvalidArgument(
                $"'{node.Name}' is a Sentinel: remove it (Remove-RedisNode) and add one on the other engine "
                + $"(New-RedisSentinel -Primary <primary> -Count 1 -DockerHost <engine>) instead.", node.Name);
        var target = await MoveTargetAsync(move, ct).ConfigureAwait(false);
        if (string.Equals(target, node.DockerHost, StringComparison.OrdinalIgnoreCase))
            throw Errors.InvalidArgument($"Node '{node.Name}' is on Docker host {target} already.", node.Name);
        if (node.Network is null or "host" || node.Labels.Get(Labels.HostNetwork) == "true"
            || await Swarm.OverlayNetworks.FindAsync(_session, node.Network, _sink, ct).ConfigureAwait(false) is null)
            throw Errors.InvalidArgument(
                $"Node '{node.Name}' is not on an overlay network ({node.Network ?? "host network"}): only a node on "
                + "an overlay keeps its address on another engine. Make a new node there and replicate instead.",
                node.Name);

        // The node as Import-RedisTopology would make it (same settings, name, address), on the target.
        var spec = await ExportAsync(node.Topology, ct).ConfigureAwait(false);
        var dto = spec.Nodes.First(n => string.Equals(n.Name, node.Name, StringComparison.OrdinalIgnoreCase));
        var targetEndpoint = DockerEndpoint.Parse(target);
        dto = dto with
        {
            DockerHost = target,
            HostAddress = move.HostAddress ?? MovedHostAddress(dto.HostAddress, targetEndpoint),
        };
        var nodeSpec = InputValidation.ToNodeSpec(spec, dto, null);
        foreach (var w in InputValidation.ValidateNode(nodeSpec)) _sink.Warning(w);
        // Before anything is changed (a failover, the old container gone): the target answers and has the image.
        await CheckMoveTargetAsync(await _session.GetDockerAsync(target, ct).ConfigureAwait(false), nodeSpec, ct)
            .ConfigureAwait(false);

        var primary = node.ClusterEnabled
            ? await ClusterPrimaryForMoveAsync(node, ct).ConfigureAwait(false)
            : await ReplicationPrimaryForMoveAsync(node, dto, ct).ConfigureAwait(false);

        if (node.ClusterEnabled)
        {
            _sink.Verbose($"Removing '{node.Name}' from cluster '{node.Topology}' (every member forgets it).");
            await _cluster.RemoveNodeAsync(node.Topology, node.Name, ct).ConfigureAwait(false);
        }
        _sink.Verbose($"Removing '{node.Name}' from Docker host {node.DockerHost}.");
        await Nodes.RemoveAsync(node.Name, removeVolume: true, ct).ConfigureAwait(false);
        try
        {
            await CreateMovedAsync(nodeSpec, ct).ConfigureAwait(false);
            if (node.ClusterEnabled)
                await _cluster.AddNodeAsync(node.Topology, node.Name, primary, ct).ConfigureAwait(false);
            else if (primary is not null)
                await _replication.SetReplicaAsync(node.Name, primary, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Errors.InvalidConfig(
                $"Node '{node.Name}' was removed from {node.DockerHost}, but its replacement on {target} is not "
                + $"complete: {e.Message} Its data is on {primary ?? "no other node"}. Finish by hand: New-RedisNode "
                + $"{node.Name} -Network {node.Network} -IPAddress {node.IPAddress} -DockerHost {target} "
                + $"-HostAddress {nodeSpec.HostIp}"
                + (node.ClusterEnabled ? $" -ClusterEnabled, then Add-RedisClusterNode -Cluster {node.Topology} -Node "
                    + $"{node.Name}{(primary is null ? "" : $" -Primary {primary}")}"
                    : primary is null ? "" : $", then Set-RedisReplica {node.Name} -Primary {primary}") + ".",
                node.Name, e);
        }
        return await Nodes.GetOneAsync(node.Name, ct).ConfigureAwait(false);
    }

    /// <summary>The address a moved node is published on by default (null: 127.0.0.1): 127.0.0.1 stays where the
    /// target engine is on this machine; on a remote engine (as for a new node placed there) and for a node
    /// published on its old engine's address, the target engine's address.</summary>
    internal static string? MovedHostAddress(string? published, DockerEndpoint target) =>
        published is null && target.IsLocal() ? null : target.HostAddressForPorts();

    /// <summary>The target engine answers and has the replacement's image (pulled if not, as New-RedisNode
    /// does); throws before the move changes anything.</summary>
    internal async Task CheckMoveTargetAsync(IDockerEngine engine, NodeSpec spec, CancellationToken ct)
    {
        try
        {
            await engine.PingAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DockerException or IOException or System.Net.Http.HttpRequestException
            or TimeoutException)
        {
            throw Errors.DockerUnreachable(
                $"Docker host {engine.Endpoint} does not answer ({e.Message}): node '{spec.Name}' is not moved and "
                + "nothing was changed. Check the engine (Get-RedisSwarmNode, docker -H <engine> info), then try "
                + "again.", spec.Name, e);
        }
        await Nodes.EnsureImageAsync(engine, spec.Image ?? _session.DefaultImage, ct).ConfigureAwait(false);
    }

    /// <summary>The endpoint of the engine the node goes to: -DockerHost, or the engine serving -SwarmNode (which
    /// must take new work: ready and active).</summary>
    private async Task<string> MoveTargetAsync(NodeMoveSpec move, CancellationToken ct)
    {
        if ((move.DockerHost is null) == (move.SwarmNode is null))
            throw Errors.InvalidArgument("Give the target: -DockerHost or -SwarmNode (one of them).", move.Name);
        var swarm = await new Swarm.SwarmOperations(_session, _sink).RefreshAsync(ct).ConfigureAwait(false);
        RedisSwarmNode? to;
        if (move.SwarmNode is { } wanted)
        {
            to = swarm.FirstOrDefault(s => string.Equals(s.Name, wanted, StringComparison.OrdinalIgnoreCase)
                || s.Id == wanted)
                ?? swarm.SingleOrDefault(s => string.Equals(s.Hostname, wanted, StringComparison.OrdinalIgnoreCase))
                ?? throw Errors.NodeNotFound(
                    $"'{wanted}' is not a node of the session's swarm (Get-RedisSwarmNode lists them).", wanted);
            if (to.DockerHost is null)
                throw Errors.DockerUnreachable(
                    $"Swarm node {to.Name} ({to.Address}) is not an engine of this session: add it "
                    + "(Connect-RedisDocker -DockerHost <its endpoint> -Add), or give -DockerHost.", to.Name);
        }
        else
        {
            var docker = await _session.GetDockerAsync(move.DockerHost, ct).ConfigureAwait(false);
            to = swarm.FirstOrDefault(s => string.Equals(s.DockerHost, docker.Endpoint.ToString(),
                StringComparison.OrdinalIgnoreCase));
            if (to is null && swarm.Count > 0)
                throw Errors.InvalidArgument(
                    $"Docker host {move.DockerHost} is not a node of the session's swarm: an overlay does not reach "
                    + "it.", move.DockerHost);
            if (to is null) return docker.Endpoint.ToString();
        }
        if (!to.Usable)
            throw Errors.InvalidArgument(
                $"Swarm node {to.Name} is {to.State}/{to.Availability}: move nodes to a ready, active one "
                + "(Get-RedisSwarmNode | Where-Object Usable).", to.Name);
        return to.DockerHost!;
    }

    /// <summary>The primary the moved cluster node replicates afterwards (its own, or the replica promoted in its
    /// place); null for a primary without slots or replicas (it joins again as an empty primary).</summary>
    private async Task<string?> ClusterPrimaryForMoveAsync(RedisNode node, CancellationToken ct)
    {
        var members = await _cluster.GetNodesAsync(node.Topology, ct).ConfigureAwait(false);
        var me = members.FirstOrDefault(m => string.Equals(m.Name, node.Name, StringComparison.OrdinalIgnoreCase))
            ?? throw Errors.NotARunningClusterNode(node.Name, node.Topology);
        if (me.Role != RedisRole.Primary) return me.PrimaryName
            ?? throw Errors.NodeNotFound($"The primary of '{node.Name}' is not a named node of the cluster.",
                node.Name);
        if (me.SlotCount == 0 && me.Replicas.Count == 0) return null;
        var hostOf = (await Nodes.GetAsync(new NodeFilter { Topology = node.Topology }, ct).ConfigureAwait(false))
            .ToDictionary(n => n.Name, n => n.DockerHost, StringComparer.OrdinalIgnoreCase);
        var replica = members.Where(m => m.PrimaryId == me.NodeId && !m.Failing && m.Name is not null)
            .OrderBy(m => hostOf.GetValueOrDefault(m.Name!) == node.DockerHost ? 1 : 0).FirstOrDefault()
            ?? throw Errors.FailoverFailed(
                $"'{node.Name}' is a primary with no healthy replica: its data would have no copy while it moves. "
                + $"Add a replica first (New-RedisNode ... -ClusterEnabled; Add-RedisClusterNode -Cluster "
                + $"{node.Topology} -Node <new> -Primary {node.Name}).", node.Name);
        _sink.Verbose($"'{node.Name}' is a primary: failing over to its replica '{replica.Name}' first.");
        await _cluster.FailoverAsync(node.Topology, replica.Name!, ClusterFailoverMode.Coordinated, ct)
            .ConfigureAwait(false);
        return replica.Name;
    }

    /// <summary>The primary a moved replica (outside a cluster) replicates again; a primary is refused.</summary>
    private async Task<string?> ReplicationPrimaryForMoveAsync(RedisNode node, NodeSpecDto dto, CancellationToken ct)
    {
        var info = await _replication.GetAsync(node.Name, ct).ConfigureAwait(false);
        if (node.Role == RedisRole.Replica && dto.ReplicaOf is not null && !dto.ReplicaOf.Contains(':'))
            return dto.ReplicaOf;
        throw Errors.FailoverFailed(
            $"'{node.Name}' is {(node.Role == RedisRole.Primary ? "a primary" : $"not a replica of a node of "
                + $"topology '{node.Topology}'")} ({info.Role}): its data would have no copy while it moves. Fail "
            + "it over first (Invoke-RedisFailover -SentinelGroup <group>, or Set-RedisReplica), then move it as a "
            + "replica.", node.Name);
    }

    /// <summary>Makes the replacement; the overlay may hold the old container's address a moment after its
    /// removal, which is waited for (bounded).</summary>
    private async Task CreateMovedAsync(NodeSpec spec, CancellationToken ct)
    {
        var until = DateTime.UtcNow + s_addressReleaseBound;
        while (true)
        {
            var made = await Nodes.CreateAsync(new[] { spec }, ct).ConfigureAwait(false);
            var error = made[0].Error;
            if (error is null) return;
            var inUse = error.Message.Contains("in use", StringComparison.OrdinalIgnoreCase);
            if (!inUse || DateTime.UtcNow > until) throw ErrorTranslator.Translate(error, spec.Name);
            _sink.Verbose($"Address {spec.IPAddress} is not released yet on '{spec.Network}': waiting.");
            await Task.Delay(1000, ct).ConfigureAwait(false);
        }
    }
}
