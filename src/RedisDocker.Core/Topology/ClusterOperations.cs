using System.Diagnostics;
using System.Globalization;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

public enum ClusterFailoverMode { Coordinated, Force, Takeover }


/// <summary>
/// Redis Cluster: create, inspect, check, repair, resize, fail over. The host talks only to
/// published endpoints; nodes talk to each other over their container addresses.
/// </summary>
public sealed class ClusterOperations
{
    private readonly RedisDockerSession _session;
    private readonly IOperationSink _sink;

    public ClusterOperations(RedisDockerSession session, IOperationSink sink)
    {
        _session = session;
        _sink = sink;
    }

    public TimeSpan ConvergeTimeout { get; init; } = TimeSpan.FromSeconds(90);
    public TimeSpan MeetTimeout { get; init; } = TimeSpan.FromSeconds(30);
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
    private static object[] MeetArgs(string ip, int port) => port > 55535
        ? new object[] { "CLUSTER", "MEET", ip, port, HostEndpoints.BusPortOf(port) }
        : new object[] { "CLUSTER", "MEET", ip, port };

    // ------------------------------------------------------------------ create

    /// <summary>Creates a cluster of the given nodes (all in one topology, cluster-enabled, empty).</summary>
    public async Task<RedisCluster> CreateAsync(IReadOnlyList<string> nodeNames, int replicasPerPrimary, CancellationToken ct)
    {
        if (replicasPerPrimary < 0) throw new ArgumentOutOfRangeException(nameof(replicasPerPrimary), "-ReplicasPerPrimary cannot be negative.");
        var distinct = nodeNames.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        // The arithmetic first: nothing is touched when there are too few nodes.
        var plan = ClusterPlanner.Plan(distinct.Select(n => (n, "")).ToList(), replicasPerPrimary);
        var nodeOps = new NodeOperations(_session, _sink);
        var nodes = new List<RedisNode>();
        foreach (var name in distinct) nodes.Add(await nodeOps.GetOneAsync(name, ct).ConfigureAwait(false));
        var topologies = nodes.Select(n => n.Topology).Distinct().ToList();
        if (topologies.Count > 1)
            throw Errors.TopologyMismatch(
                $"The nodes belong to different topologies ({string.Join(", ", topologies)}); a cluster is made of "
                + "the nodes of one topology.",
                string.Join(",", topologies));
        plan = ClusterPlanner.Plan(nodes.Select(n => (n.Name, n.DockerHost)).ToList(), replicasPerPrimary);
        if (!plan.AntiAffinityHeld)
            _sink.Warning("Some replicas share a Docker host with their primary: there are not enough hosts to keep them apart.");

        return await CreateAsync(nodes, plan, ct).ConfigureAwait(false);
    }

    /// <summary>Creates a cluster with a given plan (primaries, their slot ranges and replicas).</summary>
    public async Task<RedisCluster> CreateAsync(IReadOnlyList<RedisNode> nodes, ClusterPlan plan, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var topology = nodes[0].Topology;
        var members = await LoadMembersAsync(nodes, ct).ConfigureAwait(false);
        if (await InterruptedCreateAsync(members, ct).ConfigureAwait(false) is { } partial)
            return await ResumeCreateAsync(topology, members, partial, plan, ct).ConfigureAwait(false);
        await CheckEmptyAsync(members, ct).ConfigureAwait(false);
        var byName = members.ToDictionary(m => m.Name, StringComparer.OrdinalIgnoreCase);
        WarnAboutNeighbourTable(members.Count);

        try
        {
            // Config epochs first (only allowed while a node knows nobody else), then slots.
            _sink.Verbose($"Planning {plan.Primaries.Count} primaries: {string.Join("; ", plan.Primaries.Select(p => $"{p.Name} slots {string.Join(",", p.AllSlots)} replicas [{string.Join(", ", p.Replicas)}]"))}.");
            await Task.WhenAll(members.Select((m, i) => m.Ok(ct, "CLUSTER", "SET-CONFIG-EPOCH", i + 1))).ConfigureAwait(false);
            foreach (var p in plan.Primaries)
                foreach (var range in p.AllSlots)
                {
                    _sink.Verbose($"{p.Name}: CLUSTER ADDSLOTSRANGE {range.Start} {range.End}");
                    await byName[p.Name].Ok(ct, "CLUSTER", "ADDSLOTSRANGE", range.Start, range.End).ConfigureAwait(false);
                }
            // Every node meets every later node over the container network (one pipeline per node):
            // all handshakes start at once instead of waiting for gossip to spread them.
            await Task.WhenAll(members.Select(async (m, i) =>
            {
                var meets = members.Skip(i + 1).Select(o => (IReadOnlyList<object>)MeetArgs(o.Ip, o.Node.Port)).ToArray();
                if (meets.Length == 0) return;
                _sink.Verbose($"{m.Name}: CLUSTER MEET {string.Join(", ", members.Skip(i + 1).Select(o => o.Name))}");
                var replies = await m.Conn.PipelineAsync(meets, ct).ConfigureAwait(false);
                if (replies.FirstOrDefault(r => r.IsError) is { } bad)
                    throw Errors.RedisCommandFailed(m.Name, "CLUSTER MEET", bad.Text);
            })).ConfigureAwait(false);
            await WaitAllKnownAsync(members, ct).ConfigureAwait(false);

            var ids = await ReadIdsAsync(members, ct).ConfigureAwait(false);
            foreach (var p in plan.Primaries)
                foreach (var r in p.Replicas)
                    await AttachReplicaAsync(byName[r], ids[p.Name], p.Name, ct).ConfigureAwait(false);

            var expected = plan.Primaries.SelectMany(p => p.Replicas.Select(r => (Replica: r, Primary: p.Name))).ToDictionary(x => x.Replica, x => x.Primary, StringComparer.OrdinalIgnoreCase);
            await WaitConvergedAsync(members, expected, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            await RollbackAsync(members, e).ConfigureAwait(false);
            throw;
        }
        catch (OperationCanceledException e)
        {
            await RollbackAsync(members, e).ConfigureAwait(false);
            throw;
        }
        _sink.Verbose($"Cluster '{topology}' is ok after {sw.ElapsedMilliseconds} ms.");
        return await GetAsync(topology, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A creation of these very nodes that was interrupted after its slots were assigned (the caller killed during the
    /// handshake or the replica step): every slot is owned by one of them, no node knows a node outside them, and the
    /// nodes without slots hold no keys. Returns each member's own CLUSTER NODES entry, or null when that is not the case.
    /// </summary>
    private static async Task<Dictionary<string, ClusterNodesEntry>?> InterruptedCreateAsync(IReadOnlyList<Member> members, CancellationToken ct)
    {
        var endpoints = members.Select(m => m.ContainerEndpoint).ToHashSet(StringComparer.Ordinal);
        var self = new Dictionary<string, ClusterNodesEntry>(StringComparer.OrdinalIgnoreCase);
        var slots = 0;
        var touched = false;
        foreach (var m in members)
        {
            var r = await m.Conn.PipelineAsync(new[] { new object[] { "CLUSTER", "NODES" }, new object[] { "DBSIZE" } }, ct).ConfigureAwait(false);
            if (r[0].IsError) return null;
            var view = ClusterNodesParser.Parse(r[0].AsString());
            if (view.Any(e => !e.Myself && !e.NoAddress && !endpoints.Contains(EndpointMap.Normalize(e.Endpoint)))) return null;
            var me = view.First(e => e.Myself);
            if (view.Count > 1 || me.Slots.Count > 0) touched = true;
            if (me.Slots.Count == 0 && me.IsPrimary && r[1].AsInt64() > 0) return null;
            slots += me.Slots.Count;
            self[m.Name] = me;
        }
        return touched && slots == ClusterSlot.Count ? self : null;
    }

    /// <summary>Finishes an interrupted creation: meets whoever is missing, attaches the empty nodes as replicas, waits.</summary>
    private async Task<RedisCluster> ResumeCreateAsync(string topology, IReadOnlyList<Member> members, Dictionary<string, ClusterNodesEntry> self,
        ClusterPlan plan, CancellationToken ct)
    {
        _sink.Verbose($"These nodes hold an unfinished cluster (all slots assigned, {self.Values.Count(e => e.IsReplica)} replica(s)): finishing it.");
        var anchor = members.First(m => self[m.Name].Slots.Count > 0);
        foreach (var m in members.Where(m => m != anchor))
        {
            _sink.Verbose($"{anchor.Name}: CLUSTER MEET {m.Name}");
            await anchor.Ok(ct, MeetArgs(m.Ip, m.Node.Port)).ConfigureAwait(false);
        }
        await WaitAllKnownAsync(members, ct).ConfigureAwait(false);
        var ids = await ReadIdsAsync(members, ct).ConfigureAwait(false);
        var primaries = members.Where(m => self[m.Name].Slots.Count > 0).ToList();
        var expected = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var replicasOf = primaries.ToDictionary(p => p.Name, _ => 0, StringComparer.OrdinalIgnoreCase);
        foreach (var m in members.Where(m => self[m.Name].IsReplica))
            if (primaries.FirstOrDefault(p => ids[p.Name] == self[m.Name].PrimaryId) is { } p) { expected[m.Name] = p.Name; replicasOf[p.Name]++; }
        // The empty nodes become replicas, where the plan put them when it can, else of the primary with the fewest.
        var planned = plan.Primaries.SelectMany(p => p.Replicas.Select(r => (Replica: r, Primary: p.Name)))
            .ToDictionary(x => x.Replica, x => x.Primary, StringComparer.OrdinalIgnoreCase);
        foreach (var m in members.Where(m => self[m.Name].Slots.Count == 0 && !self[m.Name].IsReplica))
        {
            var target = planned.TryGetValue(m.Name, out var pn) && replicasOf.ContainsKey(pn)
                ? pn : replicasOf.OrderBy(x => x.Value).ThenBy(x => x.Key, StringComparer.Ordinal).First().Key;
            await AttachReplicaAsync(m, ids[target], target, ct).ConfigureAwait(false);
            expected[m.Name] = target;
            replicasOf[target]++;
        }
        await WaitConvergedAsync(members, expected, ct).ConfigureAwait(false);
        _sink.Verbose($"Cluster '{topology}' is ok (resumed).");
        return await GetAsync(topology, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Every pair of nodes talks over the cluster bus: on one Linux host that needs about n(n-1)
    /// neighbour (ARP) entries, shared by every container, and past net.ipv4.neigh.default.gc_thresh3
    /// connections stall ("neighbor table overflow"). Warn before a create that would hit it.
    /// </summary>
    private void WarnAboutNeighbourTable(int nodes)
    {
        const string path = "/proc/sys/net/ipv4/neigh/default/gc_thresh3";
        if (!_session.Endpoint.IsLocal() || !File.Exists(path)) return;
        if (!int.TryParse(File.ReadAllText(path).Trim(), out var limit)) return;
        var needed = nodes * (nodes - 1);
        if (needed > limit)
            _sink.Warning($"{nodes} nodes need about {needed} kernel neighbour entries, above this host's limit of {limit}: cluster bus connections may stall. Raise it first: sysctl -w net.ipv4.neigh.default.gc_thresh3={Math.Max(needed * 2, 16384)} (and gc_thresh2, gc_thresh1 below it).");
    }

    /// <summary>CLUSTER REPLICATE, retried until the replica has learnt of its primary through gossip (bounded).</summary>
    private async Task AttachReplicaAsync(Member replica, string primaryId, string primaryName, CancellationToken ct)
    {
        _sink.Verbose($"{replica.Name}: CLUSTER REPLICATE {primaryId} ({primaryName})");
        await Waiter.UntilAsync(_sink, $"Attaching {replica.Name} to {primaryName}", TimeSpan.FromSeconds(20), async c =>
        {
            var reply = await replica.Exec(c, "CLUSTER", "REPLICATE", primaryId).ConfigureAwait(false);
            return (!reply.IsError, reply.Text ?? "");
        }, ct, pollMs: 200).ConfigureAwait(false);
    }

    private async Task RollbackAsync(IReadOnlyList<Member> members, Exception cause)
    {
        _sink.Warning($"Creating the cluster failed ({cause.Message}); resetting the nodes' cluster state.");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var failed = new List<string>();
        foreach (var m in members)
        {
            try
            {
                await m.Conn.SendAsync(new object[] { "FLUSHALL" }, cts.Token).ConfigureAwait(false);
                var r = await m.Conn.SendAsync(new object[] { "CLUSTER", "RESET", "HARD" }, cts.Token).ConfigureAwait(false);
                if (r.IsError) failed.Add(m.Name);
            }
            catch (Exception) { failed.Add(m.Name); }
        }
        if (failed.Count > 0)
            _sink.Warning($"These nodes still hold cluster state and need CLUSTER RESET HARD: {string.Join(", ", failed)} (Invoke-RedisCommand -Node <name> CLUSTER RESET HARD).");
    }

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
            var found = await _session.FindContainerAsync(n.Id, ct).ConfigureAwait(false) ?? throw NodeOperations.NotFound(n.Name);
            var info = found.Info;
            string? ip = null;
            if (hostNetworked > 0) ip = n.IPAddress;   // the announce address on its Docker host
            else if (network is not null && info.Networks.TryGetValue(network, out var ni) && !string.IsNullOrEmpty(ni.IPAddress)) ip = ni.IPAddress;
            if (ip is null)
                throw Errors.NodeNotReachable(
                    $"Node '{n.Name}' is not on network '{network}' where '{nodes[0].Name}' is, so the nodes cannot "
                    + $"reach each other's cluster bus. Connect it with Connect-RedisNetwork -Node {n.Name} -Network "
                    + $"{network}, or create it on '{network}'.",
                    n.Name);
            var conn = await _session.ConnectAsync(n, ct).ConfigureAwait(false);
            var clusterInfo = await conn.SendAsync(new object[] { "INFO", "cluster" }, ct).ConfigureAwait(false);
            if (clusterInfo.IsError || RedisInfo.Parse(clusterInfo.AsString()).GetValueOrDefault("cluster_enabled") != "1")
                throw Errors.ClusterModeRequired(
                    $"Node '{n.Name}' runs without cluster mode. Create cluster nodes with New-RedisNode "
                    + "-ClusterEnabled.",
                    n.Name);
            if (ip != n.IPAddress)
            {
                // The node was created on another network: announce the address the others can reach.
                _sink.Verbose($"{n.Name}: announcing {ip} (its address on '{network}').");
                foreach (var key in new[] { "cluster-announce-ip", "replica-announce-ip" })
                    (await conn.SendAsync(new object[] { "CONFIG", "SET", key, ip }, ct).ConfigureAwait(false)).ThrowIfError();
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
            var replies = await m.Conn.PipelineAsync(new[] { new object[] { "CLUSTER", "INFO" }, new object[] { "DBSIZE" } }, ct).ConfigureAwait(false);
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
            var lagging = views.Where(v => v.Value.Count(e => !e.InHandshake && !e.NoAddress) < n).Select(v => v.Key).ToList();
            return (lagging.Count == 0, lagging.Count == 0 ? "all joined" : $"{n - lagging.Count} of {n} nodes know everyone; waiting for {string.Join(", ", lagging)}");
        }, ct, ErrorIds.ClusterBusUnreachable, _ => DescribeBusProblem(members, views)).ConfigureAwait(false);
    }

    private static string DescribeBusProblem(IReadOnlyList<Member> members, Dictionary<string, IReadOnlyList<ClusterNodesEntry>> views)
    {
        var problems = new List<string>();
        foreach (var m in members)
        {
            if (!views.TryGetValue(m.Name, out var view)) { problems.Add($"{m.Name} did not answer"); continue; }
            foreach (var other in members.Where(o => o != m))
            {
                var e = view.FirstOrDefault(x => EndpointMap.Normalize(x.Endpoint) == other.ContainerEndpoint);
                if (e is null || e.InHandshake)
                    problems.Add($"node {m.Name} cannot reach the cluster bus port of {other.Name} ({other.Ip}:{HostEndpoints.BusPortOf(other.Node.Port)})");
            }
        }
        return $"The nodes did not all join within the bound: {string.Join("; ", problems.Take(6))}{(problems.Count > 6 ? $"; and {problems.Count - 6} more" : "")}. Check that the nodes share a network and nothing blocks port+10000 between them.";
    }

    private static async Task<Dictionary<string, IReadOnlyList<ClusterNodesEntry>>> ReadViewsAsync(IReadOnlyList<Member> members, CancellationToken ct)
    {
        var result = new Dictionary<string, IReadOnlyList<ClusterNodesEntry>>(StringComparer.OrdinalIgnoreCase);
        var replies = await Task.WhenAll(members.Select(async m =>
        {
            try { return (m.Name, Reply: await m.Conn.SendAsync(new object[] { "CLUSTER", "NODES" }, ct).ConfigureAwait(false)); }
            catch (RedisException) { return (m.Name, Reply: (RespValue?)null); }
        })).ConfigureAwait(false);
        foreach (var (name, reply) in replies)
            if (reply is { IsError: false }) result[name] = ClusterNodesParser.Parse(reply.AsString());
        return result;
    }

    private static async Task<Dictionary<string, string>> ReadIdsAsync(IReadOnlyList<Member> members, CancellationToken ct)
    {
        var ids = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var m in members) ids[m.Name] = (await m.Ok(ct, "CLUSTER", "MYID").ConfigureAwait(false)).AsString();
        return ids;
    }

    /// <summary>Waits until every node reports cluster_state:ok, all agree on slots and roles, and every replica's link is up.</summary>
    private async Task WaitConvergedAsync(IReadOnlyList<Member> members, IReadOnlyDictionary<string, string>? expectedPrimaryOf, CancellationToken ct)
    {
        var ids = await ReadIdsAsync(members, ct).ConfigureAwait(false);
        await Waiter.UntilAsync(_sink, $"Waiting for the cluster to converge ({members.Count} nodes)", ConvergeTimeout, async c =>
        {
            var missing = new List<string>();
            string? reference = null;
            foreach (var m in members)
            {
                IReadOnlyList<RespValue> r;
                try
                {
                    r = await m.Conn.PipelineAsync(new[] { new object[] { "CLUSTER", "INFO" }, new object[] { "CLUSTER", "NODES" }, new object[] { "INFO", "replication" } }, c).ConfigureAwait(false);
                }
                catch (RedisException e) { missing.Add($"{m.Name} unreachable ({e.Message})"); continue; }
                var info = RedisInfo.Parse(r[0].AsString());
                if (info.GetValueOrDefault("cluster_state") != "ok") missing.Add($"{m.Name} cluster_state:{info.GetValueOrDefault("cluster_state")}");
                var view = ClusterNodesParser.Parse(r[1].AsString());
                var signature = Signature(view);
                reference ??= signature;
                if (signature != reference) missing.Add($"{m.Name} disagrees on the slot map");
                var repl = RedisInfo.Parse(r[2].AsString());
                if (expectedPrimaryOf is not null && expectedPrimaryOf.TryGetValue(m.Name, out var primary))
                {
                    var me = view.First(e => e.Myself);
                    if (me.PrimaryId != ids[primary]) missing.Add($"{m.Name} not yet a replica of {primary}");
                    else if (repl.GetValueOrDefault("master_link_status") != "up") missing.Add($"{m.Name} replication link down");
                }
                else if (repl.GetValueOrDefault("role") == "slave" && repl.GetValueOrDefault("master_link_status") != "up")
                    missing.Add($"{m.Name} replication link down");
            }
            return (missing.Count == 0, missing.Count == 0 ? "ok" : string.Join("; ", missing.Take(4)));
        }, ct, ErrorIds.ClusterNotConverged, s => $"The cluster did not converge within {ConvergeTimeout.TotalSeconds:0} s: {s}.", pollMs: 100).ConfigureAwait(false);
    }

    /// <summary>Waits until the topology's cluster is converged (after a restart of its nodes).</summary>
    public async Task WaitHealthyAsync(string topology, CancellationToken ct)
    {
        var members = await TopologyMembersAsync(topology, ct, requireAll: true).ConfigureAwait(false);
        await WaitConvergedAsync(members, null, ct).ConfigureAwait(false);
    }

    private static string Signature(IReadOnlyList<ClusterNodesEntry> view) =>
        string.Join("|", view.OrderBy(e => e.Id, StringComparer.Ordinal)
            .Select(e => $"{e.Id}:{(e.IsPrimary ? "M" : "S")}:{e.PrimaryId}:{string.Join(",", SlotRange.FromSlots(e.Slots))}"));

    // ------------------------------------------------------------------ read

    private async Task<List<Member>> TopologyMembersAsync(string topology, CancellationToken ct, bool requireAll = false)
    {
        var nodes = (await new NodeOperations(_session, _sink).GetAsync(new NodeFilter { Topology = topology, IncludeSentinels = false }, ct).ConfigureAwait(false))
            .Where(n => n.ClusterEnabled).ToList();
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
                var info = RedisInfo.Parse((await conn.SendAsync(new object[] { "CLUSTER", "INFO" }, ct).ConfigureAwait(false)).ThrowIfError().AsString());
                if (info.GetValueOrDefault("cluster_known_nodes") == "1" && info.GetValueOrDefault("cluster_slots_assigned") == "0" && nodes.Count > 1)
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
        return members;
    }

    /// <summary>
    /// Which endpoints the cluster names to clients in redirects and slot maps: the host endpoints
    /// (cluster-announce-hostname = the address the node's port is published on, preferred endpoint type
    /// hostname), or the container addresses, for clients inside the Docker network. Needs Redis 7.0 for Host;
    /// kept across restarts (CONFIG REWRITE). The module's own commands work either way.
    /// </summary>
    public async Task<RedisCluster> SetClientEndpointAsync(string topology, ClusterClientEndpoint endpoint, CancellationToken ct)
    {
        var members = await TopologyMembersAsync(topology, ct, requireAll: true).ConfigureAwait(false);
        foreach (var m in members)
        {
            if (endpoint == ClusterClientEndpoint.Host && HostPortMismatch(m.Node) is { } why)
                throw Errors.HostEndpointUnsupported($"Node '{m.Name}' {why}, so a redirect to its host address would name the wrong port. Clusters made by "
                    + "this version of RedisDocker listen on their host port number; recreate older ones to use host endpoints.",
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
                throw Errors.HostEndpointUnsupported($"Node '{m.Name}' cannot announce endpoints by name ({set.Text}): Redis 7.0 or later is needed. With an older "
                    + "image clients on the host follow redirects to container addresses, which route only on a Linux host.",
                    m.Name);
            await m.Ok(ct, "CONFIG", "SET", "cluster-preferred-endpoint-type", HostEndpoints.PreferredType(endpoint)).ConfigureAwait(false);
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
        var members = await TopologyMembersAsync(topology, ct).ConfigureAwait(false);
        foreach (var m in members)
        {
            RespValue reply;
            try { reply = await m.Conn.SendAsync(new object[] { "CLUSTER", "NODES" }, ct).ConfigureAwait(false); }
            catch (RedisException) { continue; }
            if (reply.IsError) continue;
            var view = ClusterNodesParser.Parse(reply.AsString());
            if (view.Count == 1 && view[0].Slots.Count == 0 && members.Count > 1) continue;   // an empty node: ask another
            return ToClusterNodes(topology, view, m.Name);
        }
        throw Errors.NoClusterNodeAnswers(topology);
    }

    private IReadOnlyList<RedisClusterNode> ToClusterNodes(string topology, IReadOnlyList<ClusterNodesEntry> view, string reportedBy)
    {
        string? NameOf(ClusterNodesEntry e) => _session.EndpointMap.TryTranslate(e.Endpoint, out var m) ? m.NodeName : null;
        var names = view.ToDictionary(e => e.Id, NameOf);
        return view
            .Select(e => new RedisClusterNode
            {
                NodeId = e.Id,
                Name = names[e.Id],
                Cluster = topology,
                ContainerEndpoint = e.Endpoint,
                HostEndpoint = _session.EndpointMap.TryTranslate(e.Endpoint, out var mapped) ? mapped.HostEndpoint : null,
                Role = e.IsPrimary ? RedisRole.Primary : e.IsReplica ? RedisRole.Replica : RedisRole.Unknown,
                Flags = e.Flags.Where(f => f != "myself").ToArray(),
                PrimaryId = e.PrimaryId,
                PrimaryName = e.PrimaryId is not null && names.TryGetValue(e.PrimaryId, out var pn) ? pn : null,
                SlotRanges = SlotRange.FromSlots(e.Slots),
                OpenSlots = e.Migrating.Select(x => $"{x.Slot}->{x.NodeId}").Concat(e.Importing.Select(x => $"{x.Slot}-<-{x.NodeId}")).ToArray(),
                Replicas = view.Where(r => r.PrimaryId == e.Id).Select(r => names[r.Id] ?? r.Id).OrderBy(x => x, StringComparer.Ordinal).ToArray(),
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
        int I(string k) => int.TryParse(info.GetValueOrDefault(k), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
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

    /// <summary>The checks of redis-cli --cluster check, one result each.</summary>
    public async Task<IReadOnlyList<RedisClusterCheck>> TestAsync(string topology, int? expectedReplicas, CancellationToken ct)
    {
        var results = new List<RedisClusterCheck>();
        var members = await TopologyMembersAsync(topology, ct).ConfigureAwait(false);
        var views = await ReadViewsAsync(members, ct).ConfigureAwait(false);
        // Every member the cluster knows must answer and be seen as healthy.
        var known = views.Values.OrderByDescending(v => v.Count).First();
        var unreachable = known.Where(e => e.Flags.Contains("fail") || e.Flags.Contains("fail?") || e.NoAddress || !members.Any(m => m.ContainerEndpoint == EndpointMap.Normalize(e.Endpoint)))
            .Select(e => _session.EndpointMap.TryTranslate(e.Endpoint, out var mm) ? mm.NodeName : e.Endpoint).ToList();
        results.Add(new RedisClusterCheck(topology, "NodesReachable", unreachable.Count == 0,
            unreachable.Count == 0 ? $"all {known.Count} nodes answer" : $"not answering or failing: {string.Join(", ", unreachable)}"));

        var inCluster = views.Where(v => v.Value.Count > 1 || v.Value[0].Slots.Count > 0).ToDictionary(v => v.Key, v => v.Value);

        // The cluster bus has no authentication: a member that is none of the topology's nodes is an intruder (or a ghost).
        var knownAddresses = members.Select(m => m.Ip).ToHashSet(StringComparer.Ordinal);
        foreach (var (_, containers) in await _session.OnEveryEngineAsync((d, c) => d.ListContainersAsync(Labels.ForTopology(topology), all: true, c), _sink, ct)
                     .ConfigureAwait(false))
            foreach (var c in containers)
            {
                if (c.Labels.Get(Labels.Address) is { } a) knownAddresses.Add(a);
                if (c.Labels.Get(Labels.Announce) is { } b) knownAddresses.Add(b);
            }
        var knownIds = inCluster.Values.Select(v => v.First(e => e.Myself).Id).ToHashSet(StringComparer.Ordinal);
        var unknown = TopologyHealth.UnknownMembers(inCluster.Values, knownIds, knownAddresses);
        results.Add(new RedisClusterCheck(topology, "NoUnknownNodes", unknown.Count == 0,
            unknown.Count == 0 ? "every member is a node of the topology" : string.Join(" ", unknown.Select(e => TopologyHealth.DescribeUnknown(topology, e)))));

        var signatures = inCluster.GroupBy(v => Signature(v.Value)).ToList();
        results.Add(new RedisClusterCheck(topology, "SlotMapAgreement", signatures.Count == 1,
            signatures.Count == 1 ? "all nodes agree on the configuration" : $"{signatures.Count} different views: {string.Join(" / ", signatures.Select(g => string.Join(",", g.Select(x => x.Key))))}"));

        var view = inCluster.Values.FirstOrDefault() ?? views.Values.First();
        var covered = view.Where(e => e.IsPrimary && !e.Flags.Contains("fail")).SelectMany(e => e.Slots).Distinct().Count();
        results.Add(new RedisClusterCheck(topology, "SlotsCovered", covered == ClusterSlot.Count,
            covered == ClusterSlot.Count ? "all 16384 slots covered" : $"{ClusterSlot.Count - covered} slot(s) not covered by a working primary"));

        var open = views.SelectMany(v => v.Value.Where(e => e.Myself).SelectMany(e =>
            e.Migrating.Select(x => $"{v.Key} migrating slot {x.Slot}").Concat(e.Importing.Select(x => $"{v.Key} importing slot {x.Slot}")))).ToList();
        results.Add(new RedisClusterCheck(topology, "NoOpenSlots", open.Count == 0, open.Count == 0 ? "no slot is migrating or importing" : string.Join("; ", open)));

        var notOk = new List<string>();
        foreach (var m in members.Where(m => inCluster.ContainsKey(m.Name)))
        {
            var ci = RedisInfo.Parse((await m.Ok(ct, "CLUSTER", "INFO").ConfigureAwait(false)).AsString());
            if (ci.GetValueOrDefault("cluster_state") != "ok") notOk.Add($"{m.Name}:{ci.GetValueOrDefault("cluster_state")}");
        }
        results.Add(new RedisClusterCheck(topology, "ClusterStateOk", notOk.Count == 0, notOk.Count == 0 ? "every node reports cluster_state:ok" : string.Join(", ", notOk)));

        var primaries = view.Where(e => e.IsPrimary && e.Slots.Count > 0).ToList();
        var counts = primaries.ToDictionary(p => p.Id, p => view.Count(r => r.PrimaryId == p.Id && !r.Flags.Contains("fail")));
        var expected = expectedReplicas ?? (primaries.Count == 0 ? 0 : view.Count(e => e.IsReplica) / primaries.Count);
        var lacking = primaries.Where(p => counts[p.Id] < expected)
            .Select(p => $"{(_session.EndpointMap.TryTranslate(p.Endpoint, out var mm) ? mm.NodeName : p.Endpoint)} has {counts[p.Id]}").ToList();
        results.Add(new RedisClusterCheck(topology, "ReplicasPerPrimary", lacking.Count == 0,
            lacking.Count == 0 ? $"every primary has at least {expected} replica(s)" : $"expected {expected}: {string.Join(", ", lacking)}"));
        return results;
    }

    // ------------------------------------------------------------------ repair, add, remove, move

    /// <summary>What redis-cli --cluster fix fixes: open slots, and uncovered slots.</summary>
    public async Task<IReadOnlyList<string>> RepairAsync(string topology, CancellationToken ct)
    {
        var actions = new List<string>();
        // A node that came back on its network with another address is unreachable where the cluster knows it.
        foreach (var moved in await new NodeOperations(_session, _sink).RestoreAddressesAsync(topology, clusterOnly: true, ct).ConfigureAwait(false))
            actions.Add($"{moved}: put back at its own address on its network");
        var members = await TopologyMembersAsync(topology, ct).ConfigureAwait(false);
        var views = await ReadViewsAsync(members, ct).ConfigureAwait(false);
        var ids = await ReadIdsAsync(members, ct).ConfigureAwait(false);
        var byId = members.ToDictionary(m => ids[m.Name]);
        var password = await _session.GetPasswordAsync(topology, ct).ConfigureAwait(false);

        // Open slots: finish the migration towards the importing node when there is one, else close the slot.
        foreach (var m in members)
        {
            var me = views[m.Name].First(e => e.Myself);
            foreach (var (slot, targetId) in me.Migrating)
            {
                if (byId.TryGetValue(targetId, out var target))
                {
                    var keys = await MoveSlotKeysAsync(m, target, slot, password, ct).ConfigureAwait(false);
                    await AssignSlotAsync(members, slot, target, ids, ct).ConfigureAwait(false);
                    actions.Add($"slot {slot}: finished migrating from {m.Name} to {target.Name} ({keys} key(s) moved)");
                }
                else
                {
                    await m.Ok(ct, "CLUSTER", "SETSLOT", slot, "STABLE").ConfigureAwait(false);
                    actions.Add($"slot {slot}: closed on {m.Name} (its target is gone)");
                }
            }
            foreach (var (slot, sourceId) in me.Importing)
            {
                var sourceStillMigrating = byId.TryGetValue(sourceId, out var source) &&
                    views[source.Name].First(e => e.Myself).Migrating.Any(x => x.Slot == slot);
                if (sourceStillMigrating) continue;   // handled above from the source's side
                await m.Ok(ct, "CLUSTER", "SETSLOT", slot, "STABLE").ConfigureAwait(false);
                actions.Add($"slot {slot}: import closed on {m.Name}");
            }
        }

        // Uncovered slots: give each to the node that has keys in it, else to the primary with the fewest slots.
        views = await ReadViewsAsync(members, ct).ConfigureAwait(false);
        var view = views.Values.OrderByDescending(v => v.Count).First();
        var covered = new HashSet<int>(view.Where(e => e.IsPrimary).SelectMany(e => e.Slots));
        var uncovered = Enumerable.Range(0, ClusterSlot.Count).Where(s => !covered.Contains(s)).ToList();
        if (uncovered.Count > 0)
        {
            var primaries = members.Where(m => views[m.Name].First(e => e.Myself).IsPrimary).ToList();
            var owned = primaries.ToDictionary(p => p.Name, p => views[p.Name].First(e => e.Myself).Slots.Count);
            var assign = new Dictionary<string, List<int>>();
            foreach (var slot in uncovered)
            {
                Member? withKeys = null;
                foreach (var p in primaries)
                    if ((await p.Ok(ct, "CLUSTER", "COUNTKEYSINSLOT", slot).ConfigureAwait(false)).AsInt64() > 0) { withKeys = p; break; }
                var to = withKeys ?? primaries.OrderBy(p => owned[p.Name]).First();
                owned[to.Name]++;
                (assign.TryGetValue(to.Name, out var l) ? l : assign[to.Name] = new List<int>()).Add(slot);
            }
            foreach (var (name, slots) in assign)
            {
                var p = primaries.First(x => x.Name == name);
                foreach (var r in SlotRange.FromSlots(slots))
                    await p.Ok(ct, "CLUSTER", "ADDSLOTSRANGE", r.Start, r.End).ConfigureAwait(false);
                actions.Add($"slots {string.Join(",", SlotRange.FromSlots(slots))}: assigned to {name}");
            }
            await Task.WhenAll(primaries.Select(p => p.Exec(ct, "CLUSTER", "BUMPEPOCH"))).ConfigureAwait(false);
        }
        if (actions.Count > 0) await WaitConvergedAsync(members, null, ct).ConfigureAwait(false);
        foreach (var a in actions) _sink.Verbose(a);
        return actions;
    }

    /// <summary>Adds an empty cluster-enabled node as a primary (no slots) or as a replica of a primary.</summary>
    public async Task<RedisClusterNode> AddNodeAsync(string topology, string nodeName, string? primaryName, CancellationToken ct)
    {
        var members = await TopologyMembersAsync(topology, ct).ConfigureAwait(false);
        var existing = await ReadViewsAsync(members, ct).ConfigureAwait(false);
        var inCluster = members.Where(m => existing.TryGetValue(m.Name, out var v) && (v.Count > 1 || v[0].Slots.Count > 0)).ToList();
        if (inCluster.Count == 0)
            throw Errors.ClusterNotFound(
                $"Topology '{topology}' has no cluster yet. Create one with New-RedisCluster.",
                topology);
        var node = await new NodeOperations(_session, _sink).GetOneAsync(nodeName, ct).ConfigureAwait(false);
        if (node.Topology != topology)
            throw Errors.TopologyMismatch(
                $"Node '{nodeName}' belongs to topology '{node.Topology}', not '{topology}'.",
                nodeName);
        var newMember = (await LoadMembersAsync(new[] { inCluster[0].Node, node }, ct).ConfigureAwait(false))[1];
        await CheckEmptyAsync(new[] { newMember }, ct).ConfigureAwait(false);
        var ids = await ReadIdsAsync(inCluster, ct).ConfigureAwait(false);
        string? primaryId = null;
        if (primaryName is not null)
        {
            var primary = inCluster.FirstOrDefault(m => string.Equals(m.Name, primaryName, StringComparison.OrdinalIgnoreCase) || ids[m.Name] == primaryName)
                ?? throw Errors.NodeNotFound($"'{primaryName}' is not a node of cluster '{topology}'.", primaryName);
            if (!existing[primary.Name].First(e => e.Myself).IsPrimary)
                throw Errors.InvalidConfig($"'{primary.Name}' is a replica; give a primary.", primaryName);
            primaryId = ids[primary.Name];
        }
        _sink.Verbose($"{inCluster[0].Name}: CLUSTER MEET {newMember.Ip} {node.Port} ({node.Name})");
        await inCluster[0].Ok(ct, MeetArgs(newMember.Ip, node.Port)).ConfigureAwait(false);
        var all = inCluster.Append(newMember).ToList();
        await WaitAllKnownAsync(all, ct).ConfigureAwait(false);
        Dictionary<string, string>? expected = null;
        if (primaryId is not null)
        {
            var pName = inCluster.First(m => ids[m.Name] == primaryId).Name;
            await AttachReplicaAsync(newMember, primaryId, pName, ct).ConfigureAwait(false);
            expected = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [node.Name] = pName };
        }
        await WaitConvergedAsync(all, expected, ct).ConfigureAwait(false);
        return (await GetNodesAsync(topology, ct).ConfigureAwait(false)).First(n => string.Equals(n.Name, node.Name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Removes a node from the cluster (FORGET everywhere, then reset it). A primary must own no slots.</summary>
    public async Task RemoveNodeAsync(string topology, string nodeName, CancellationToken ct)
    {
        var members = await TopologyMembersAsync(topology, ct).ConfigureAwait(false);
        var views = await ReadViewsAsync(members, ct).ConfigureAwait(false);
        var reference = views.Values.OrderByDescending(v => v.Count).First();
        var target = members.FirstOrDefault(m => string.Equals(m.Name, nodeName, StringComparison.OrdinalIgnoreCase));
        ClusterNodesEntry? entry = target is not null
            ? reference.FirstOrDefault(e => EndpointMap.Normalize(e.Endpoint) == target.ContainerEndpoint)
            : reference.FirstOrDefault(e => e.Id == nodeName);
        if (entry is null)
            throw Errors.NodeNotFound($"'{nodeName}' is not a member of cluster '{topology}'.", nodeName);
        if (entry.IsPrimary && entry.Slots.Count > 0)
            throw Errors.PrimaryOwnsSlots(
                $"'{nodeName}' is a primary that owns {entry.Slots.Count} slot(s). Move them away first "
                + $"(Move-RedisClusterSlot -Cluster {topology} -Source {nodeName} -Destination <primary> -All), then "
                + "remove it.",
                nodeName);
        if (entry.IsPrimary && reference.Any(e => e.PrimaryId == entry.Id))
            throw Errors.PrimaryOwnsSlots(
                $"'{nodeName}' still has replicas; remove or re-attach them first.",
                nodeName);
        var others = members.Where(m => m != target).ToList();
        _sink.Verbose($"Every other node: CLUSTER FORGET {entry.Id} ({nodeName})");
        if (target is not null)
        {
            // Reset the leaving node first so it stops gossiping about itself.
            await target.Exec(ct, "FLUSHALL").ConfigureAwait(false);
            await target.Ok(ct, "CLUSTER", "RESET", "HARD").ConfigureAwait(false);
        }
        foreach (var m in others)
        {
            var r = await m.Exec(ct, "CLUSTER", "FORGET", entry.Id).ConfigureAwait(false);
            if (r.IsError && !(r.Text ?? "").Contains("Unknown node", StringComparison.OrdinalIgnoreCase))
                throw Errors.RedisCommandFailed(m.Name, "CLUSTER FORGET", r.Text);
        }
        await WaitConvergedAsync(others, null, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves slots (with their keys, MIGRATE in batches) from one primary to another. Safe to
    /// re-run: slots already owned by the destination are skipped, half-moved slots are finished.
    /// </summary>
    /// <summary>How long a slot already opened may take to finish after Ctrl+C.</summary>
    private static readonly TimeSpan SlotFinishBound = TimeSpan.FromSeconds(60);

    public async Task<SlotMoveResult> MoveSlotsAsync(string topology, string source, string destination, int? count, IReadOnlyList<SlotRange>? ranges, CancellationToken ct)
    {
        var members = await TopologyMembersAsync(topology, ct).ConfigureAwait(false);
        var ids = await ReadIdsAsync(members, ct).ConfigureAwait(false);
        Member Find(string n) => members.FirstOrDefault(m => string.Equals(m.Name, n, StringComparison.OrdinalIgnoreCase) || ids[m.Name] == n)
            ?? throw Errors.NotARunningClusterNode(n, topology);
        var src = Find(source);
        var dst = Find(destination);
        if (src == dst) throw Errors.InvalidArgument("-Source and -Destination are the same node.", source);
        var views = await ReadViewsAsync(members, ct).ConfigureAwait(false);
        var srcEntry = views[src.Name].First(e => e.Myself);
        var dstEntry = views[dst.Name].First(e => e.Myself);
        if (!dstEntry.IsPrimary) throw Errors.InvalidConfig(
            $"Destination '{dst.Name}' is a replica; slots go to primaries.",
            destination);
        var owned = new HashSet<int>(srcEntry.Slots);
        // Half-moved slots first (resume), then the ones asked for.
        var pending = srcEntry.Migrating.Where(x => x.NodeId == ids[dst.Name]).Select(x => x.Slot).ToList();
        List<int> slots;
        if (ranges is not null)
        {
            var asked = ranges.SelectMany(r => Enumerable.Range(r.Start, r.Count)).ToList();
            var foreign = asked.Where(s => !owned.Contains(s) && !dstEntry.Slots.Contains(s)).ToList();
            if (foreign.Count > 0)
                throw Errors.InvalidConfig(
                    $"{foreign.Count} of the slots asked ({string.Join(",", SlotRange.FromSlots(foreign).Take(5))}) "
                    + $"are owned by neither '{src.Name}' nor '{dst.Name}'.",
                    ranges);
            slots = asked.Where(owned.Contains).ToList();
        }
        else
        {
            var n = count ?? owned.Count;
            slots = owned.OrderByDescending(s => s).Take(Math.Max(0, n - pending.Count)).ToList();
        }
        slots = pending.Concat(slots).Distinct().ToList();
        var password = await _session.GetPasswordAsync(topology, ct).ConfigureAwait(false);
        long keys = 0;
        var activity = $"Moving {slots.Count} slot(s) from {src.Name} to {dst.Name}";
        var progressId = ProgressReport.NextActivityId();
        var status = "starting";
        var done = 0;
        try
        {
            for (var i = 0; i < slots.Count; i++)
            {
                if (ct.IsCancellationRequested)
                {
                    var asked = ranges is not null ? "Slot" : count is not null ? "Count" : "All";
                    WarnStoppedMove(topology, src.Name, dst.Name, slots, done, keys, asked);
                    ct.ThrowIfCancellationRequested();
                }
                var slot = slots[i];
                // Ctrl+C is honoured between slots: a slot once opened is finished (within a bound), so a stopped
                // move leaves no slot MIGRATING/IMPORTING behind for Repair-RedisCluster to fix.
                using var slotBound = new CancellationTokenSource(SlotFinishBound);
                var sct = slotBound.Token;
                await dst.Ok(sct, "CLUSTER", "SETSLOT", slot, "IMPORTING", ids[src.Name]).ConfigureAwait(false);
                await src.Ok(sct, "CLUSTER", "SETSLOT", slot, "MIGRATING", ids[dst.Name]).ConfigureAwait(false);
                keys += await MoveSlotKeysAsync(src, dst, slot, password, sct).ConfigureAwait(false);
                await AssignSlotAsync(members, slot, dst, ids, sct).ConfigureAwait(false);
                done = i + 1;
                status = $"slot {slot} ({i + 1} of {slots.Count}), {keys} key(s) moved";
                var percent = (i + 1) * 100 / Math.Max(1, slots.Count);
                _sink.Progress(new ProgressReport(progressId, activity, status, percent));
            }
            status = "done";
        }
        finally
        {
            // Also when it fails or is stopped: every activity ends with a Completed record.
            _sink.Progress(new ProgressReport(progressId, activity, status, 100, Completed: true));
        }
        _sink.Verbose($"Moved {slots.Count} slot(s) and {keys} key(s) from {src.Name} to {dst.Name}.");
        if (slots.Count > 0) await WaitConvergedAsync(members, null, ct).ConfigureAwait(false);
        return new SlotMoveResult(topology, src.Name, dst.Name, slots.Count, keys, SlotRange.FromSlots(slots));
    }

    /// <summary>Ctrl+C between two slots: what was moved, what remains, and the command that moves the rest.</summary>
    private void WarnStoppedMove(string topology, string source, string destination, IReadOnlyList<int> slots, int done,
        long keys, string asked)
    {
        var rest = SlotRange.FromSlots(slots.Skip(done));
        var listed = string.Join(",", rest.Take(8)) + (rest.Count > 8 ? ",..." : "");
        // -Count takes the top slots of the source, which the remaining ones are; -Slot and -All skip the moved ones.
        var slotArgument = asked switch
        {
            "Count" => $"-Count {slots.Count - done}",
            "All" => "-All",
            _ => rest.Count <= 8 ? $"-Slot {string.Join(",", rest)}" : "with the same -Slot (moved slots are skipped)",
        };
        _sink.Warning($"Stopped: moved {done} of {slots.Count} slot(s) ({keys} key(s)) from {source} to {destination}; "
            + $"no slot is left migrating or importing. {slots.Count - done} slot(s) remain on {source} ({listed}): "
            + $"run Move-RedisClusterSlot -Cluster {topology} -Source {source} -Destination {destination} "
            + $"{slotArgument} to move them.");
    }

    /// <summary>MIGRATE every key of the slot from source to target, in batches, with AUTH.</summary>
    private static async Task<long> MoveSlotKeysAsync(Member src, Member dst, int slot, string? password, CancellationToken ct)
    {
        long moved = 0;
        while (true)
        {
            var keys = (await src.Ok(ct, "CLUSTER", "GETKEYSINSLOT", slot, 100).ConfigureAwait(false)).AsArray();
            if (keys.Count == 0) return moved;
            var args = new List<object> { "MIGRATE", dst.Ip, dst.Node.Port, "", 0, 10000 };
            if (password is not null) { args.Add("AUTH"); args.Add(password); }
            args.Add("KEYS");
            args.AddRange(keys.Select(k => (object)(k.Bytes ?? System.Text.Encoding.UTF8.GetBytes(k.Text ?? ""))));
            var r = await src.Conn.SendAsync(args, ct).ConfigureAwait(false);
            if (r.IsError)
            {
                if ((r.Text ?? "").Contains("BUSYKEY", StringComparison.Ordinal))
                {
                    // A previous, interrupted run already copied some keys: replace them.
                    args.Insert(6, "REPLACE");
                    r = await src.Conn.SendAsync(args, ct).ConfigureAwait(false);
                }
                if (r.IsError)
                    throw Errors.RedisError(
                        $"{src.Name}: MIGRATE of slot {slot} to {dst.Name} failed: {r.Text}. Re-run the same "
                        + "command to resume.",
                        slot);
            }
            moved += keys.Count;
        }
    }

    /// <summary>CLUSTER SETSLOT NODE on the destination, the source, then every other primary.</summary>
    private static async Task AssignSlotAsync(IReadOnlyList<Member> members, int slot, Member owner, IReadOnlyDictionary<string, string> ids, CancellationToken ct)
    {
        await owner.Ok(ct, "CLUSTER", "SETSLOT", slot, "NODE", ids[owner.Name]).ConfigureAwait(false);
        foreach (var m in members.Where(m => m != owner))
        {
            var r = await m.Exec(ct, "CLUSTER", "SETSLOT", slot, "NODE", ids[owner.Name]).ConfigureAwait(false);
            // Replicas refuse SETSLOT; they learn the change from their primary.
            if (r.IsError && !IsReplicaRefusal(r.Text))
                throw Errors.RedisCommandFailed(m.Name, $"CLUSTER SETSLOT {slot} NODE", r.Text);
        }
    }

    /// <summary>Replicas answer SETSLOT with "Please use SETSLOT only with masters" (wording varies by version).</summary>
    private static bool IsReplicaRefusal(string? text) =>
        text is not null && (text.Contains("master", StringComparison.OrdinalIgnoreCase) || text.Contains("replica", StringComparison.OrdinalIgnoreCase) || text.Contains("slave", StringComparison.OrdinalIgnoreCase));

    /// <summary>Rebalances slots across primaries by weight (equal weights by default), like redis-cli --cluster rebalance.</summary>
    public async Task<IReadOnlyList<SlotMoveResult>> RebalanceAsync(string topology, IReadOnlyDictionary<string, double>? weights, int threshold, CancellationToken ct) =>
        await RebalanceAsync(topology, await PlanRebalanceAsync(topology, weights, threshold, ct).ConfigureAwait(false), ct).ConfigureAwait(false);

    /// <summary>Carries out a rebalance plan: the slot moves in order, keys with them.</summary>
    public async Task<IReadOnlyList<SlotMoveResult>> RebalanceAsync(string topology, IReadOnlyList<PlannedSlotMove> plan, CancellationToken ct)
    {
        var results = new List<SlotMoveResult>();
        foreach (var move in plan)
            results.Add(await MoveSlotsAsync(topology, move.Source, move.Destination, move.Slots, null, ct).ConfigureAwait(false));
        return results;
    }

    /// <summary>The slot moves a rebalance would make now (for -WhatIf and -Confirm, and for the run itself).</summary>
    public async Task<IReadOnlyList<PlannedSlotMove>> PlanRebalanceAsync(string topology, IReadOnlyDictionary<string, double>? weights, int threshold, CancellationToken ct)
    {
        var nodes = await GetNodesAsync(topology, ct).ConfigureAwait(false);
        var primaries = nodes.Where(n => n.Role == RedisRole.Primary && !n.Failing && n.Name is not null).ToList();
        double W(RedisClusterNode n) => weights is not null && weights.TryGetValue(n.Name!, out var w) ? w : 1.0;
        var total = primaries.Sum(W);
        if (total <= 0) throw Errors.InvalidArgument("The weights add up to zero.", weights);
        var targets = ApportionSlots(primaries.Select(W).ToList(), ClusterSlot.Count);
        var balance = primaries.Select((p, i) => (p, i)).ToDictionary(x => x.p.Name!, x => x.p.SlotCount - targets[x.i]);
        var results = new List<PlannedSlotMove>();
        // a primary of weight 0 gives every slot it has, however few
        var givers = balance.Where(kv => kv.Value > threshold || (kv.Value > 0 && W(primaries.First(p => p.Name == kv.Key)) == 0))
            .Select(kv => kv.Key).ToList();
        var takers = balance.Where(kv => kv.Value < -threshold).Select(kv => kv.Key).ToList();
        foreach (var taker in takers)
        {
            var need = -balance[taker];
            foreach (var giver in givers)
            {
                if (need <= 0) break;
                var can = Math.Min(need, balance[giver]);
                if (can <= 0) continue;
                results.Add(new PlannedSlotMove(giver, taker, can));
                balance[giver] -= can;
                need -= can;
            }
            balance[taker] = -need;
        }
        return results;
    }

    /// <summary>Slots per primary in proportion to the weights, adding up to exactly <paramref name="slots"/>
    /// (largest remainder; a weight of 0 gets 0).</summary>
    internal static int[] ApportionSlots(IReadOnlyList<double> weights, int slots)
    {
        var total = weights.Sum();
        var exact = weights.Select(w => slots * w / total).ToArray();
        var result = exact.Select(x => (int)Math.Floor(x)).ToArray();
        var left = slots - result.Sum();
        foreach (var i in Enumerable.Range(0, exact.Length).Where(i => weights[i] > 0)
                     .OrderByDescending(i => exact[i] - result[i]).ThenBy(i => i).Take(left))
            result[i]++;
        return result;
    }

    // ------------------------------------------------------------------ failover

    /// <summary>The node's cluster-node-timeout in ms (5000, the module's default, when it cannot be read).</summary>
    private static async Task<int> ClusterNodeTimeoutMsAsync(Member member, CancellationToken ct)
    {
        var r = await member.Exec(ct, "CONFIG", "GET", "cluster-node-timeout").ConfigureAwait(false);
        return !r.IsError && r.AsArray() is { Count: 2 } a && int.TryParse(a[1].AsString(), out var ms) && ms > 0
            ? ms : 5000;
    }

    /// <summary>CLUSTER FAILOVER [FORCE|TAKEOVER] on a replica; waits until it is primary and the cluster is ok.</summary>
    public async Task<RedisFailoverResult> FailoverAsync(string topology, string replicaName, ClusterFailoverMode mode, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var members = await TopologyMembersAsync(topology, ct).ConfigureAwait(false);
        var replica = members.FirstOrDefault(m => string.Equals(m.Name, replicaName, StringComparison.OrdinalIgnoreCase))
            ?? throw Errors.NotARunningClusterNode(replicaName, topology);
        var view = ClusterNodesParser.Parse((await replica.Ok(ct, "CLUSTER", "NODES").ConfigureAwait(false)).AsString());
        var me = view.First(e => e.Myself);
        if (me.IsPrimary)
            throw Errors.FailoverFailed(
                $"'{replicaName}' is already a primary. Fail over from one of its replicas (Get-RedisClusterNode "
                + $"-Cluster {topology} | Where-Object PrimaryName -eq {replicaName}).",
                replicaName);
        var oldPrimaryEntry = view.First(e => e.Id == me.PrimaryId);
        var oldSlots = oldPrimaryEntry.Slots;
        var bumped = false;
        string? oldPrimary = _session.EndpointMap.TryTranslate(oldPrimaryEntry.Endpoint, out var op) ? op.NodeName : oldPrimaryEntry.Endpoint;
        var primaryDown = oldPrimaryEntry.Flags.Contains("fail") || oldPrimaryEntry.Flags.Contains("fail?") || !members.Any(m => m.Name == oldPrimary);
        if (mode == ClusterFailoverMode.Coordinated && primaryDown)
            throw Errors.FailoverFailed(
                $"The primary '{oldPrimary}' of '{replicaName}' is down, so a coordinated failover cannot run. Use "
                + $"-Force to promote '{replicaName}' now (writes not yet replicated to it are lost).",
                replicaName);
        var args = mode switch
        {
            ClusterFailoverMode.Force => new object[] { "CLUSTER", "FAILOVER", "FORCE" },
            ClusterFailoverMode.Takeover => new object[] { "CLUSTER", "FAILOVER", "TAKEOVER" },
            _ => new object[] { "CLUSTER", "FAILOVER" },
        };
        // Redis keeps a replica's election state (votes counted) for 4 x cluster-node-timeout after its last election.
        // A CLUSTER FAILOVER on a replica that was promoted within that window (a quick back-and-forth between the same
        // pair) "wins" with those stale votes without a new epoch: it turns primary for a moment, loses the epoch
        // collision and turns back into a replica. So success is only every node agreeing; a promotion that reverted
        // (or never happened) is asked again once 4 x cluster-node-timeout passed, within the bound.
        var nodeTimeoutMs = await ClusterNodeTimeoutMsAsync(replica, ct).ConfigureAwait(false);
        var bound = TimeSpan.FromMilliseconds(Math.Max(FailoverTimeout.TotalMilliseconds, 8.0 * nodeTimeoutMs));
        var attempts = 0;
        var attempt = Stopwatch.StartNew();
        var seenPrimary = false;
        TimeSpan? retryAt = null;
        async Task IssueAsync(CancellationToken c)
        {
            attempts++;
            var note = (primaryDown ? ", down" : "") + (attempts > 1 ? $", attempt {attempts}" : "");
            _sink.Verbose($"{replicaName}: {string.Join(' ', args)} (primary {oldPrimary}{note}).");
            await replica.Ok(c, args).ConfigureAwait(false);
            attempt.Restart();
            seenPrimary = false;
            retryAt = null;
        }
        await IssueAsync(ct).ConfigureAwait(false);
        // Reads (Get-RedisClusterNode asks any node) agree before this returns: every running node sees the new primary,
        // and the old one, when it runs, as its replica.
        await Waiter.UntilAsync(_sink, $"Failing over to {replicaName}", bound, async c =>
        {
            var roleReply = await replica.Conn.SendAsync(new object[] { "ROLE" }, c).ConfigureAwait(false);
            var (role, _) = NodeOperations.ParseRole(roleReply);
            if (role == RedisRole.Primary) seenPrimary = true;
            var missing = new List<string>();
            var unclaimed = false;
            foreach (var m in members)
            {
                RespValue r;
                try { r = await m.Conn.SendAsync(new object[] { "CLUSTER", "NODES" }, c).ConfigureAwait(false); }
                catch (RedisException) { continue; }   // a node that went away meanwhile is not asked
                if (r.IsError) continue;
                var v = ClusterNodesParser.Parse(r.AsString());
                var mine = v.FirstOrDefault(e => e.Id == me.Id);
                if (mine is null) missing.Add($"{m.Name} does not know {replicaName}");
                else if (!mine.IsPrimary) missing.Add($"{m.Name} still sees {replicaName} as a replica");
                // A primary is only the new owner once the others give it the old primary's slots: a stale election
                // (below) can leave it a primary whose claim, of an older epoch, the others turn down.
                else if (oldSlots.Count > 0 && !oldSlots.All(mine.Slots.ToHashSet().Contains))
                {
                    missing.Add($"{m.Name} does not give {replicaName} the slots of {oldPrimary} yet");
                    unclaimed = true;
                }
                if (!primaryDown && v.FirstOrDefault(e => e.Id == oldPrimaryEntry.Id) is { } o
                    && !(o.IsReplica && o.PrimaryId == me.Id) && !o.Flags.Contains("fail"))
                    missing.Add($"{m.Name} still sees {oldPrimary} as " +
                        (o.IsPrimary ? "a primary" : "another node's replica"));
            }
            if (missing.Count == 0) return (true, "agreed");
            if (unclaimed && role == RedisRole.Primary && !bumped && attempt.ElapsedMilliseconds > 2000)
            {
                // Its claim carries the epoch of a reused election, older than the slots' owner's: a new epoch
                // (CLUSTER BUMPEPOCH) makes the others take the claim.
                bumped = true;
                _sink.Verbose($"{replicaName}: primary, but the others keep the slots of {oldPrimary} (its claim has an " +
                    "older epoch); CLUSTER BUMPEPOCH so that they take it.");
                await replica.Conn.SendAsync(new object[] { "CLUSTER", "BUMPEPOCH" }, c).ConfigureAwait(false);
            }
            var reverted = role != RedisRole.Primary
                && (seenPrimary || attempt.ElapsedMilliseconds > 2L * nodeTimeoutMs + 1000);
            if (reverted && retryAt is null)
            {
                // The stale election (or a refused vote, 2 x cluster-node-timeout) is at most 4 x cluster-node-timeout
                // older than this attempt, so asking again after that runs a real election. Asking sooner only repeats
                // the flap and pauses the primary's writes again. The flap can be too brief to see, so both cases wait.
                retryAt = TimeSpan.FromMilliseconds(4L * nodeTimeoutMs + 500);
                var wait = Math.Max(0, (retryAt.Value - attempt.Elapsed).TotalSeconds);
                var what = seenPrimary ? $"turned primary but back into a replica of {oldPrimary}" : "not promoted";
                _sink.Verbose($"{replicaName}: {what} (a replica promoted less than 4 x cluster-node-timeout ago " +
                    $"reuses that election in Redis, without a new epoch, and loses); asking again in {wait:0.#} s.");
            }
            if (retryAt is { } at && attempt.Elapsed >= at && role != RedisRole.Primary)
                await IssueAsync(c).ConfigureAwait(false);
            return (false, $"{string.Join("; ", missing.Take(3))}; {attempts} attempt(s)");
        }, ct, ErrorIds.FailoverFailed, s =>
            $"'{replicaName}' did not become a primary that every node agrees on within {bound.TotalSeconds:0} s " +
            $"({s}). " +
            (mode == ClusterFailoverMode.Coordinated
                ? "If its primary is unhealthy, try -Force; if it failed over moments ago, " +
                  "wait 4 x cluster-node-timeout and try again. "
                : mode == ClusterFailoverMode.Force ? "Try -Takeover if a majority of primaries cannot vote. " : "") +
            $"Check Test-RedisCluster -Cluster {topology}.", pollMs: 50).ConfigureAwait(false);
        var duration = sw.Elapsed;
        return new RedisFailoverResult
        {
            Topology = topology,
            Kind = "Cluster",
            Mode = mode.ToString(),
            OldPrimary = oldPrimary,
            NewPrimary = replica.Name,
            NewPrimaryHostEndpoint = replica.Node.HostEndpoint,
            Duration = duration,
            // A coordinated failover waits for the replica to reach the primary's offset while clients are paused: nothing acknowledged is lost.
            LostWrites = mode == ClusterFailoverMode.Coordinated ? 0 : null,
            Detail = mode == ClusterFailoverMode.Coordinated ? "replica caught up with its primary before switching" : primaryDown ? "promoted without the primary's agreement; writes not yet replicated may be lost" : null,
        };
    }
}

/// <summary>One move of a rebalance plan: how many slots go from one primary to another.</summary>
public sealed record PlannedSlotMove(string Source, string Destination, int Slots)
{
    public override string ToString() => $"{Slots} slot(s) {Source} -> {Destination}";
}
