using System.Diagnostics;
using System.Globalization;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Cluster use case: client endpoints and what Get-RedisCluster reads.</summary>
public sealed partial class ClusterOperations
{
    /// <summary>The member's Redis version (INFO server redis_version), null when it does not say.</summary>
    private static async Task<string?> VersionOfAsync(Member m, CancellationToken ct)
    {
        var info = await m.Exec(ct, "INFO", "server").ConfigureAwait(false);
        return info.IsError ? null : RedisInfo.Parse(info.AsString() ?? "").GetValueOrDefault("redis_version");
    }

    /// <summary>
    /// Which endpoints the cluster names to clients in redirects and slot maps: the host endpoints
    /// (cluster-announce-hostname = the address the node's port is published on, preferred endpoint type
    /// hostname), or the container addresses, for clients inside the Docker network. Needs Redis 7.0 for Host;
    /// kept across restarts (CONFIG REWRITE). The module's own commands work either way.
    /// </summary>
    public async Task<RedisCluster> SetClientEndpointAsync(string topology, ClusterClientEndpoint endpoint,
        CancellationToken ct)
    {
        var members = await TopologyMembersAsync(topology, ct, requireAll: true).ConfigureAwait(false);
        foreach (var m in members)
        {
            if (endpoint == ClusterClientEndpoint.Host && HostEndpoints.Unsupported(await VersionOfAsync(m, ct)
                    .ConfigureAwait(false)) is { } old)
                throw Errors.HostEndpointUnsupported(
                    $"Node '{m.Name}': {old}, so it cannot name host endpoints to clients. Recreate the cluster "
                    + "with an image of Redis 7.0 or later (e.g. redis:7.4), or keep container addresses "
                    + "(clients on a Linux host reach them; on Docker Desktop only the module's cmdlets do).",
                    m.Name);
            if (endpoint == ClusterClientEndpoint.Host && HostPortMismatch(m.Node) is { } why)
                throw Errors.HostEndpointUnsupported(
                    $"Node '{m.Name}' {why}, so a redirect to its host address would name the wrong port. "
                    + "Clusters made by this version of RedisDocker listen on their host port number; "
                    + "recreate older ones to use host endpoints.",
                    m.Name);
        }
        foreach (var m in members)
        {
            var host = endpoint == ClusterClientEndpoint.Host ? EndpointMap.Split(m.Node.HostEndpoint!).Host : "";
            _sink.Verbose(endpoint == ClusterClientEndpoint.Host
                ? $"{m.Name}: names {m.Node.HostEndpoint} to clients (cluster-announce-hostname {host})."
                : $"{m.Name}: names {m.ContainerEndpoint} to clients (cluster-preferred-endpoint-type ip).");
            var set = await m.Exec(ct, "CONFIG", "SET", "cluster-announce-hostname", host).ConfigureAwait(false);
            if (set.IsError)
                throw Errors.HostEndpointUnsupported(
                    $"Node '{m.Name}' cannot announce endpoints by name ({set.Text}): Redis 7.0 or later is needed. "
                    + "With an older image clients on the host follow redirects to container addresses, "
                    + "which route only on a Linux host.",
                    m.Name);
            await m.Ok(ct, "CONFIG", "SET", "cluster-preferred-endpoint-type",
                HostEndpoints.PreferredType(endpoint)).ConfigureAwait(false);
            await m.Ok(ct, "CONFIG", "REWRITE").ConfigureAwait(false);
        }
        return await GetAsync(topology, ct).ConfigureAwait(false);
    }

    /// <summary>Why a node cannot name its host endpoint (its port is published on another number), or null.</summary>
    private static string? HostPortMismatch(RedisNode n) =>
        n.HostPort is int hp && hp != n.Port ? $"listens on port {n.Port} but is published on {hp}" : null;

    /// <summary>The cluster's members as the first answering node sees them (primaries first).</summary>
    public async Task<IReadOnlyList<RedisClusterNode>> GetNodesAsync(string topology, CancellationToken ct)
    {
        var (snapshot, members) = await TopologyAsync(topology, ct).ConfigureAwait(false);
        foreach (var m in members)
        {
            RespValue reply;
            try { reply = await m.Conn.SendAsync(new object[] { "CLUSTER", "NODES" }, ct).ConfigureAwait(false); }
            catch (RedisException) { continue; }
            if (reply.IsError) continue;
            var view = ClusterNodesParser.Parse(reply.AsString());
            if (view.Count == 1 && view[0].Slots.Count == 0
                && members.Count > 1) continue;   // an empty node: ask another
            return ToClusterNodes(topology, view, m.Name, snapshot);
        }
        throw Errors.NoClusterNodeAnswers(topology);
    }

    private IReadOnlyList<RedisClusterNode> ToClusterNodes(string topology, IReadOnlyList<ClusterNodesEntry> view,
        string reportedBy, TopologySnapshot snapshot)
    {
        var names = view.ToDictionary(e => e.Id, e => snapshot.NodeNameOf(e.Endpoint));
        return view
            .Select(e => new RedisClusterNode
            {
                NodeId = e.Id,
                Name = names[e.Id],
                Cluster = topology,
                ContainerEndpoint = e.Endpoint,
                HostEndpoint = snapshot.HostEndpointOf(e.Endpoint),
                Role = e.IsPrimary ? RedisRole.Primary : e.IsReplica ? RedisRole.Replica : RedisRole.Unknown,
                Flags = e.Flags.Where(f => f != "myself").ToArray(),
                PrimaryId = e.PrimaryId,
                PrimaryName = e.PrimaryId is not null && names.TryGetValue(e.PrimaryId, out var pn) ? pn : null,
                SlotRanges = SlotRange.FromSlots(e.Slots),
                OpenSlots = e.Migrating.Select(x => $"{x.Slot}->{x.NodeId}").Concat(e.Importing.Select(x
                    => $"{x.Slot}-<-{x.NodeId}")).ToArray(),
                Replicas = view.Where(r => r.PrimaryId == e.Id).Select(r => names[r.Id] ?? r.Id).OrderBy(x => x,
                    StringComparer.Ordinal).ToArray(),
                LinkState = e.LinkState,
                ConfigEpoch = e.ConfigEpoch,
                PingSent = e.PingSent,
                PongReceived = e.PongReceived,
                ReportedBy = reportedBy,
            })
            .OrderBy(n => n.Role == RedisRole.Primary ? 0 : 1)
            .ThenBy(n => n.Role == RedisRole.Primary ? n.SlotRanges.FirstOrDefault().Start : 0)
            .ThenBy(n => n.Name ?? n.NodeId, StringComparer.Ordinal)
            .ToArray();
    }

    public async Task<RedisCluster> GetAsync(string topology, CancellationToken ct)
    {
        var members = await TopologyMembersAsync(topology, ct).ConfigureAwait(false);
        var nodes = await GetNodesAsync(topology, ct).ConfigureAwait(false);
        var asked = members.FirstOrDefault(m => m.Name == nodes[0].ReportedBy) ?? members[0];
        var info = RedisInfo.Parse((await asked.Ok(ct, "CLUSTER", "INFO").ConfigureAwait(false)).AsString());
        int I(string k) => int.TryParse(info.GetValueOrDefault(k), NumberStyles.Integer, CultureInfo.InvariantCulture,
            out var v) ? v : 0;
        return new RedisCluster
        {
            Name = topology,
            State = info.GetValueOrDefault("cluster_state", "unknown"),
            SlotsAssigned = I("cluster_slots_assigned"),
            SlotsOk = I("cluster_slots_ok"),
            SlotsPFail = I("cluster_slots_pfail"),
            SlotsFail = I("cluster_slots_fail"),
            KnownNodes = I("cluster_known_nodes"),
            Size = I("cluster_size"),
            CurrentEpoch = long.TryParse(info.GetValueOrDefault("cluster_current_epoch"), out var ce) ? ce : 0,
            Primaries = nodes.Count(n => n.Role == RedisRole.Primary && !n.Failing),
            Replicas = nodes.Count(n => n.Role == RedisRole.Replica && !n.Failing),
            Nodes = nodes.Select(n => n.Name ?? n.NodeId).ToArray(),
            DockerHost = _session.DockerHost,
        };
    }
}
