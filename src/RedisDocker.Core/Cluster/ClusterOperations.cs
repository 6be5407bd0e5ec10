using System.Diagnostics;
using System.Globalization;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

public enum ClusterFailoverMode { Coordinated, Force, Takeover }


/// <summary>
/// Redis Cluster: create, inspect, check, repair, resize, fail over. The host talks only to
/// published endpoints; nodes talk to each other over their container addresses.
/// This file holds what the use cases share (members, views, convergence); each use case has its own file under
/// src/RedisDocker.Core/Cluster/: ClusterCreate, ClusterRead, ClusterCheck (test, repair), ClusterMembership
/// (add, remove), SlotMigration, ClusterRebalance, ClusterFailover.
/// </summary>
public sealed partial class ClusterOperations : Workflow
{
    private readonly NodeOperations _nodes;

    internal ClusterOperations(RedisDockerSession session, IOperationSink sink, NodeOperations nodes)
        : base(session, sink) => _nodes = nodes;

    // Settable on the instance a Workflows set holds (each Workflows(sink) call makes its own): the bench raises them.
    public TimeSpan ConvergeTimeout { get; set; } = TimeSpan.FromSeconds(90);
    public TimeSpan MeetTimeout { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan FailoverTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A node of the cluster with its connection and the address other nodes reach it at.</summary>
    private sealed record Member(RedisNode Node, RespConnection Conn, string Ip)
    {
        public string Name => Node.Name;
        public string ContainerEndpoint => $"{Ip}:{Node.Port}";
        public Task<RespValue> Exec(CancellationToken ct, params object[] args) => Conn.SendAsync(args, ct);
        public async Task<RespValue> Ok(CancellationToken ct, params object[] args)
        {
            var r = await Conn.SendAsync(args, ct).ConfigureAwait(false);
            if (r.IsError) throw Errors.RedisCommandFailed(Name, CommandOperations.Describe(args), r.Text);
            return r;
        }
    }

    /// <summary>
    /// CLUSTER MEET ip port, with the bus port when it is not port + 10000 (a node that listens on a host port
    /// number above 55535 has its bus at port - 10000).
    /// </summary>
    private static object[] MeetArgs(string ip, int port) => HostEndpoints.HasBusBelow(port)
        ? new object[] { "CLUSTER", "MEET", ip, port, HostEndpoints.BusPortOf(port) }
        : new object[] { "CLUSTER", "MEET", ip, port };

    private async Task<List<Member>> LoadMembersAsync(IReadOnlyList<RedisNode> nodes, CancellationToken ct)
    {
        var network = nodes[0].Network;
        var hostNetworked = nodes.Count(n => n.Labels.Get(Labels.HostNetwork) == "true");
        if (hostNetworked > 0 && hostNetworked < nodes.Count)
            throw Errors.MixedNetworkModes(nodes[0].Name);
        var members = new List<Member>();
        foreach (var n in nodes)
        {
            if (n.Kind != RedisNodeKind.Redis)
                throw Errors.SentinelIsNotARedisNode(n.Name);
            if (n.HostEndpoint is null)
                throw Errors.NodeNotRunning(n.Name, n.State);
            var found = await _session.FindContainerAsync(n.Id, ct).ConfigureAwait(false)
                ?? throw NodeOperations.NotFound(n.Name);
            var info = found.Info;
            string? ip = null;
            if (hostNetworked > 0) ip = n.IPAddress;   // the announce address on its Docker host
            else if (network is not null && info.Networks.TryGetValue(network, out var ni)
                && !string.IsNullOrEmpty(ni.IPAddress)) ip = ni.IPAddress;
            if (ip is null)
                throw Errors.NodeNotReachable(
                    $"Node '{n.Name}' is not on network '{network}' where '{nodes[0].Name}' is, so the nodes cannot "
                    + $"reach each other's cluster bus. Connect it with Connect-RedisNetwork -Node {n.Name} -Network "
                    + $"{network}, or create it on '{network}'.",
                    n.Name);
            var conn = await _session.ConnectAsync(n, ct).ConfigureAwait(false);
            var clusterInfo = await conn.SendAsync(new object[] { "INFO", "cluster" }, ct).ConfigureAwait(false);
            if (clusterInfo.IsError
                || RedisInfo.Parse(clusterInfo.AsString()).GetValueOrDefault("cluster_enabled") != "1")
                throw Errors.ClusterModeRequired(
                    $"Node '{n.Name}' runs without cluster mode. Create cluster nodes with New-RedisNode "
                    + "-ClusterEnabled.",
                    n.Name);
            if (ip != n.IPAddress)
            {
                // The node was created on another network: announce the address the others can reach.
                _sink.Verbose($"{n.Name}: announcing {ip} (its address on '{network}').");
                foreach (var key in new[] { "cluster-announce-ip", "replica-announce-ip" })
                    (await conn.SendAsync(new object[] { "CONFIG", "SET", key, ip },
                        ct).ConfigureAwait(false)).ThrowIfError();
                await conn.SendAsync(new object[] { "CONFIG", "REWRITE" }, ct).ConfigureAwait(false);
            }
            members.Add(new Member(n, conn, ip));
        }
        return members;
    }

    private static async Task CheckEmptyAsync(IReadOnlyList<Member> members, CancellationToken ct)
    {
        foreach (var m in members)
        {
            var replies = await m.Conn.PipelineAsync(new[] { new object[] { "CLUSTER", "INFO" },
                new object[] { "DBSIZE" } }, ct).ConfigureAwait(false);
            var info = RedisInfo.Parse(replies[0].ThrowIfError().AsString());
            var known = int.Parse(info.GetValueOrDefault("cluster_known_nodes", "1"), CultureInfo.InvariantCulture);
            var slots = int.Parse(info.GetValueOrDefault("cluster_slots_assigned", "0"), CultureInfo.InvariantCulture);
            if (known > 1 || slots > 0)
                throw Errors.ClusterNodeNotEmpty(
                    $"Node '{m.Name}' is already in a cluster (it knows {known} node(s) and {slots} slot(s)). "
                    + "Remove it from that cluster (Remove-RedisClusterNode) or reset it (Invoke-RedisCommand -Node "
                    + $"{m.Name} CLUSTER RESET HARD).",
                    m.Name);
            if (replies[1].AsInt64() > 0)
                throw Errors.ClusterNodeNotEmpty(
                    $"Node '{m.Name}' holds {replies[1].AsInt64()} key(s); a new cluster is made of empty nodes. "
                    + $"Flush it (Invoke-RedisCommand -Node {m.Name} FLUSHALL) or use another node.",
                    m.Name);
        }
    }

    private async Task WaitAllKnownAsync(IReadOnlyList<Member> members, CancellationToken ct)
    {
        var n = members.Count;
        Dictionary<string, IReadOnlyList<ClusterNodesEntry>> views = new();
        var bound = MeetTimeout + TimeSpan.FromSeconds(n / 2.0);   // more nodes, more handshakes
        await Waiter.UntilAsync(_sink, $"Joining {n} nodes (cluster bus handshake)", bound, async c =>
        {
            views = await ReadViewsAsync(members, c).ConfigureAwait(false);
            var lagging = views.Where(v => v.Value.Count(e => !e.InHandshake && !e.NoAddress) < n).Select(v
                => v.Key).ToList();
            return (lagging.Count == 0, lagging.Count == 0 ? "all joined"
                : $"{n - lagging.Count} of {n} nodes know everyone; waiting for {string.Join(", ", lagging)}");
        }, ct, ErrorIds.ClusterBusUnreachable, _ => DescribeBusProblem(members, views)).ConfigureAwait(false);
    }

    private static string DescribeBusProblem(IReadOnlyList<Member> members, Dictionary<string,
        IReadOnlyList<ClusterNodesEntry>> views)
    {
        var problems = new List<string>();
        foreach (var m in members)
        {
            if (!views.TryGetValue(m.Name, out var view)) { problems.Add($"{m.Name} did not answer"); continue; }
            foreach (var other in members.Where(o => o != m))
            {
                var e = view.FirstOrDefault(x => EndpointMap.Normalize(x.Endpoint) == other.ContainerEndpoint);
                if (e is null || e.InHandshake)
                    problems.Add($"node {m.Name} cannot reach the cluster bus port of {other.Name} "
                        + $"({other.Ip}:{HostEndpoints.BusPortOf(other.Node.Port)})");
            }
        }
        return $"The nodes did not all join within the bound: {string.Join("; ", problems.Take(6))}"
            + (problems.Count > 6 ? $"; and {problems.Count - 6} more" : "")
            + ". Check that the nodes share a network and nothing blocks port+10000 between them.";
    }

    private static async Task<Dictionary<string,
        IReadOnlyList<ClusterNodesEntry>>> ReadViewsAsync(IReadOnlyList<Member> members, CancellationToken ct)
    {
        var result = new Dictionary<string, IReadOnlyList<ClusterNodesEntry>>(StringComparer.OrdinalIgnoreCase);
        var replies = await Task.WhenAll(members.Select(async m =>
        {
            try { return (m.Name, Reply: await m.Conn.SendAsync(new object[] { "CLUSTER", "NODES" },
                ct).ConfigureAwait(false)); }
            catch (RedisException) { return (m.Name, Reply: (RespValue?)null); }
        })).ConfigureAwait(false);
        foreach (var (name, reply) in replies)
            if (reply is { IsError: false }) result[name] = ClusterNodesParser.Parse(reply.AsString());
        return result;
    }

    private static async Task<Dictionary<string, string>> ReadIdsAsync(IReadOnlyList<Member> members,
        CancellationToken ct)
    {
        var ids = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var m in members) ids[m.Name] = (await m.Ok(ct, "CLUSTER", "MYID").ConfigureAwait(false)).AsString();
        return ids;
    }

    /// <summary>Waits until every node reports cluster_state:ok, all agree on slots and roles, and every replica's link
    /// is up.</summary>
    private async Task WaitConvergedAsync(IReadOnlyList<Member> members, IReadOnlyDictionary<string,
        string>? expectedPrimaryOf, CancellationToken ct)
    {
        var ids = await ReadIdsAsync(members, ct).ConfigureAwait(false);
        await Waiter.UntilAsync(_sink, $"Waiting for the cluster to converge ({members.Count} nodes)", ConvergeTimeout,
            async c =>
        {
            var missing = new List<string>();
            string? reference = null;
            foreach (var m in members)
            {
                IReadOnlyList<RespValue> r;
                try
                {
                    r = await m.Conn.PipelineAsync(new[] { new object[] { "CLUSTER", "INFO" }, new object[] { "CLUSTER",
                        "NODES" }, new object[] { "INFO", "replication" } }, c).ConfigureAwait(false);
                }
                catch (RedisException e) { missing.Add($"{m.Name} unreachable ({e.Message})"); continue; }
                var info = RedisInfo.Parse(r[0].AsString());
                if (info.GetValueOrDefault("cluster_state") != "ok")
                    missing.Add($"{m.Name} cluster_state:{info.GetValueOrDefault("cluster_state")}");
                var view = ClusterNodesParser.Parse(r[1].AsString());
                var signature = Signature(view);
                reference ??= signature;
                if (signature != reference) missing.Add($"{m.Name} disagrees on the slot map");
                var repl = RedisInfo.Parse(r[2].AsString());
                if (expectedPrimaryOf is not null && expectedPrimaryOf.TryGetValue(m.Name, out var primary))
                {
                    var me = view.First(e => e.Myself);
                    if (me.PrimaryId != ids[primary]) missing.Add($"{m.Name} not yet a replica of {primary}");
                    else if (repl.GetValueOrDefault("master_link_status") != "up")
                        missing.Add($"{m.Name} replication link down");
                }
                else if (repl.GetValueOrDefault("role") == "slave"
                    && repl.GetValueOrDefault("master_link_status") != "up")
                    missing.Add($"{m.Name} replication link down");
            }
            return (missing.Count == 0, missing.Count == 0 ? "ok" : string.Join("; ", missing.Take(4)));
        }, ct, ErrorIds.ClusterNotConverged, s
            => $"The cluster did not converge within {ConvergeTimeout.TotalSeconds:0} s: {s}.",
                pollMs: 100).ConfigureAwait(false);
    }

    /// <summary>Waits until the topology's cluster is converged (after a restart of its nodes).</summary>
    public async Task WaitHealthyAsync(string topology, CancellationToken ct)
    {
        var members = await TopologyMembersAsync(topology, ct, requireAll: true).ConfigureAwait(false);
        await WaitConvergedAsync(members, null, ct).ConfigureAwait(false);
    }

    private static string Signature(IReadOnlyList<ClusterNodesEntry> view) =>
        string.Join("|", view.OrderBy(e => e.Id, StringComparer.Ordinal)
            .Select(e => $"{e.Id}:{(e.IsPrimary ? "M" : "S")}:{e.PrimaryId}:"
                + string.Join(",", SlotRange.FromSlots(e.Slots))));

    private async Task<List<Member>> TopologyMembersAsync(string topology, CancellationToken ct,
        bool requireAll = false) =>
        (await TopologyAsync(topology, ct, requireAll).ConfigureAwait(false)).Members;

    /// <summary>The topology read once (the snapshot that translates what the members report) and its cluster's
    /// members, connected.</summary>
    private async Task<(TopologySnapshot Snapshot, List<Member> Members)> TopologyAsync(string topology,
        CancellationToken ct, bool requireAll = false)
    {
        var snapshot = await _nodes.SnapshotAsync(topology, ct, includeSentinels: false).ConfigureAwait(false);
        var nodes = snapshot.Nodes.Where(n => n.ClusterEnabled).ToList();
        if (nodes.Count == 0)
            throw Errors.ClusterNotFound(
                $"Topology '{topology}' has no cluster-enabled node. List clusters with Get-RedisCluster, or create "
                + "one with New-RedisCluster.",
                topology);
        var members = new List<Member>();
        var outsiders = 0;
        foreach (var n in nodes)
        {
            if (n.HostEndpoint is null)
            {
                if (requireAll) throw Errors.NodeNotRunning(n.Name, n.State);
                continue;
            }
            try
            {
                var conn = await _session.ConnectAsync(n, ct).ConfigureAwait(false);
                // A node that knows nobody and owns nothing (new, or removed and reset) is not a member.
                var info = RedisInfo.Parse((await conn.SendAsync(new object[] { "CLUSTER", "INFO" },
                    ct).ConfigureAwait(false)).ThrowIfError().AsString());
                if (info.GetValueOrDefault("cluster_known_nodes") == "1"
                    && info.GetValueOrDefault("cluster_slots_assigned") == "0" && nodes.Count > 1)
                {
                    _sink.Verbose($"Node '{n.Name}' is not part of the cluster (it knows no other node).");
                    outsiders++;
                    continue;
                }
                members.Add(new Member(n, conn, n.IPAddress ?? ""));
            }
            catch (RedisException e) when (!requireAll)
            {
                _sink.Verbose($"Node '{n.Name}' does not answer ({e.Message}).");
            }
        }
        if (members.Count == 0 && outsiders > 0)
            throw Errors.ClusterNotFound(
                $"The cluster-enabled nodes of topology '{topology}' are not in a cluster yet. Create one with "
                + "New-RedisCluster.",
                topology);
        if (members.Count == 0)
            throw Errors.NoClusterNodeAnswers(topology);
        return (snapshot, members);
    }
}
