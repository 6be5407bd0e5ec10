using System.Diagnostics;
using System.Globalization;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Cluster use case: New-RedisCluster (create, resume an interrupted create, roll back).</summary>
public sealed partial class ClusterOperations
{
    /// <summary>Creates a cluster of the given nodes (all in one topology, cluster-enabled, empty).</summary>
    public async Task<RedisCluster> CreateAsync(IReadOnlyList<string> nodeNames, int replicasPerPrimary,
        CancellationToken ct)
    {
        if (replicasPerPrimary < 0) throw new ArgumentOutOfRangeException(nameof(replicasPerPrimary),
            "-ReplicasPerPrimary cannot be negative.");
        var distinct = nodeNames.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        // The arithmetic first: nothing is touched when there are too few nodes.
        var plan = ClusterPlanner.Plan(distinct.Select(n => (n, "")).ToList(), replicasPerPrimary);
        var nodeOps = _nodes;
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
            _sink.Warning("Some replicas share a Docker host with their primary: "
                + "there are not enough hosts to keep them apart.");

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
            _sink.Verbose($"Planning {plan.Primaries.Count} primaries: "
                + string.Join("; ", plan.Primaries.Select(p =>
                    $"{p.Name} slots {string.Join(",", p.AllSlots)} replicas [{string.Join(", ", p.Replicas)}]"))
                + ".");
            await Task.WhenAll(members.Select((m, i) => m.Ok(ct, "CLUSTER", "SET-CONFIG-EPOCH", i
                + 1))).ConfigureAwait(false);
            foreach (var p in plan.Primaries)
                foreach (var range in p.AllSlots)
                {
                    _sink.Verbose($"{p.Name}: CLUSTER ADDSLOTSRANGE {range.Start} {range.End}");
                    await byName[p.Name].Ok(ct, "CLUSTER", "ADDSLOTSRANGE", range.Start,
                        range.End).ConfigureAwait(false);
                }
            // Every node meets every later node over the container network (one pipeline per node):
            // all handshakes start at once instead of waiting for gossip to spread them.
            await Task.WhenAll(members.Select(async (m, i) =>
            {
                var meets = members.Skip(i + 1).Select(o => (IReadOnlyList<object>)MeetArgs(o.Ip,
                    o.Node.Port)).ToArray();
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

            var expected = plan.Primaries.SelectMany(p => p.Replicas.Select(r => (Replica: r,
                Primary: p.Name))).ToDictionary(x => x.Replica, x => x.Primary, StringComparer.OrdinalIgnoreCase);
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
    /// nodes without slots hold no keys. Returns each member's own CLUSTER NODES entry, or null when that is not the
    /// case.
    /// </summary>
    private static async Task<Dictionary<string,
        ClusterNodesEntry>?> InterruptedCreateAsync(IReadOnlyList<Member> members, CancellationToken ct)
    {
        var endpoints = members.Select(m => m.ContainerEndpoint).ToHashSet(StringComparer.Ordinal);
        var self = new Dictionary<string, ClusterNodesEntry>(StringComparer.OrdinalIgnoreCase);
        var slots = 0;
        var touched = false;
        foreach (var m in members)
        {
            var r = await m.Conn.PipelineAsync(new[] { new object[] { "CLUSTER", "NODES" }, new object[] { "DBSIZE" } },
                ct).ConfigureAwait(false);
            if (r[0].IsError) return null;
            var view = ClusterNodesParser.Parse(r[0].AsString());
            if (view.Any(e => !e.Myself && !e.NoAddress
                && !endpoints.Contains(EndpointMap.Normalize(e.Endpoint)))) return null;
            var me = view.First(e => e.Myself);
            if (view.Count > 1 || me.Slots.Count > 0) touched = true;
            if (me.Slots.Count == 0 && me.IsPrimary && r[1].AsInt64() > 0) return null;
            slots += me.Slots.Count;
            self[m.Name] = me;
        }
        return touched && slots == ClusterSlot.Count ? self : null;
    }

    /// <summary>Finishes an interrupted creation: meets whoever is missing, attaches the empty nodes as replicas,
    /// waits.</summary>
    private async Task<RedisCluster> ResumeCreateAsync(string topology, IReadOnlyList<Member> members,
        Dictionary<string, ClusterNodesEntry> self,
        ClusterPlan plan, CancellationToken ct)
    {
        _sink.Verbose("These nodes hold an unfinished cluster (all slots assigned, "
            + $"{self.Values.Count(e => e.IsReplica)} replica(s)): finishing it.");
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
            if (primaries.FirstOrDefault(p
                => ids[p.Name] == self[m.Name].PrimaryId) is { } p) { expected[m.Name] = p.Name; replicasOf[p.Name]++; }
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
            _sink.Warning($"{nodes} nodes need about {needed} kernel neighbour entries, above this host's limit of "
                + $"{limit}: cluster bus connections may stall. Raise it first: sysctl -w "
                + $"net.ipv4.neigh.default.gc_thresh3={Math.Max(needed * 2, 16384)} (and gc_thresh2, gc_thresh1 "
                + "below it).");
    }

    /// <summary>CLUSTER REPLICATE, retried until the replica has learnt of its primary through gossip
    /// (bounded).</summary>
    private async Task AttachReplicaAsync(Member replica, string primaryId, string primaryName, CancellationToken ct)
    {
        _sink.Verbose($"{replica.Name}: CLUSTER REPLICATE {primaryId} ({primaryName})");
        await Waiter.UntilAsync(_sink, $"Attaching {replica.Name} to {primaryName}", TimeSpan.FromSeconds(20),
            async c =>
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
                var r = await m.Conn.SendAsync(new object[] { "CLUSTER", "RESET", "HARD" },
                    cts.Token).ConfigureAwait(false);
                if (r.IsError) failed.Add(m.Name);
            }
            catch (Exception) { failed.Add(m.Name); }
        }
        if (failed.Count > 0)
            _sink.Warning("These nodes still hold cluster state and need CLUSTER RESET HARD: "
                + $"{string.Join(", ", failed)} (Invoke-RedisCommand -Node <name> CLUSTER RESET HARD).");
    }
}
