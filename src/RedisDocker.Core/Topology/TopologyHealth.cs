using System.Globalization;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>
/// The health of a topology from every node's own view: each node's run state and address, every cluster
/// node's cluster_state and CLUSTER NODES (unknown members, primaries without slots, nodes left out), every
/// sentinel's primary of its group (agreement, down flags, a second primary), and replicas' links. Each
/// finding is a sentence that names the node and says what to do.
/// </summary>
public sealed class TopologyHealth : Workflow
{
    internal TopologyHealth(RedisDockerSession session, IOperationSink sink)
        : base(session, sink)
    {
    }

    private sealed record View(RedisNode Node, RespValue? Role, IReadOnlyDictionary<string, string>? ClusterInfo,
        IReadOnlyList<ClusterNodesEntry>? ClusterNodes, RespValue? SentinelMasters, string? Error);

    /// <summary>What is wrong with the topology made of these nodes (and sentinels); empty when nothing is.</summary>
    public async Task<IReadOnlyList<string>> ProblemsAsync(string topology, IReadOnlyList<RedisNode> nodes,
        CancellationToken ct)
    {
        var problems = new List<string>();
        // The names in the messages come from these nodes (one snapshot of what the caller read), not from the
        // session's cache.
        var snapshot = TopologySnapshot.From(topology, nodes.Select(n =>
            (n, (IEnumerable<string>)(n.IPAddress is { Length: > 0 } ip ? new[] { ip } : Array.Empty<string>()))));
        foreach (var n in nodes.Where(n => n.State != "running"))
            problems.Add($"{(n.Kind == RedisNodeKind.Sentinel ? "Sentinel" : "Node")} '{n.Name}' is {n.State}: "
                + $"start it with Start-RedisNode {n.Name}.");
        foreach (var n in nodes.Where(n => n.State == "running" && Drift(n) is not null))
            problems.Add($"Node '{n.Name}' has address {n.IPAddress} on network '{n.Network}' "
                + $"instead of its own {n.Labels.Get(Labels.Address)}, "
                + "where its cluster and sentinels know it (reconnected without its address?): put it back with "
                + $"{(n.ClusterEnabled ? $"Repair-RedisCluster {topology} or " : "")}Restart-RedisNode {n.Name}.");

        var views = await Task.WhenAll(nodes.Where(n => n.State == "running" && n.HostEndpoint is not null)
                .Select(n => ReadAsync(n, ct)))
            .ConfigureAwait(false);
        foreach (var v in views.Where(v => v.Error is not null))
            problems.Add($"'{v.Node.Name}' runs but does not answer ({v.Error}).");
        var answering = views.Where(v => v.Error is null).ToList();

        problems.AddRange(ClusterProblems(topology, snapshot, nodes, answering));
        problems.AddRange(await SentinelProblemsAsync(snapshot, nodes, answering, ct).ConfigureAwait(false));

        // Replicas whose link to their primary is down (cluster replicas and sentinel groups alike); asked
        // twice, a second apart, so a link that is being made at this moment is not reported.
        static bool Unlinked(View v) => v.Node.Kind == RedisNodeKind.Redis && IsUnlinkedReplica(v.Role);
        var suspects = answering.Where(Unlinked).Select(v => v.Node).ToList();
        if (suspects.Count > 0)
        {
            await Task.Delay(1000, ct).ConfigureAwait(false);
            var again = await Task.WhenAll(suspects.Select(n => ReadAsync(n, ct))).ConfigureAwait(false);
            foreach (var v in again.Where(Unlinked))
                problems.Add($"Replica '{v.Node.Name}' is not linked to its primary "
                    + Name(snapshot, v.Role!.Items![1].Text + ":" + v.Role.Items[2].AsInt64()
                        .ToString(CultureInfo.InvariantCulture))
                    + $" ({v.Role.Items[3].Text}).");
        }
        return problems;
    }

    /// <summary>Whether a ROLE reply is a replica's whose link to its primary is not up (its state is not
    /// "connected"): what Health reports, and what Start-RedisTopology waits out.</summary>
    internal static bool IsUnlinkedReplica(RespValue? role) =>
        role?.Items is { Count: > 3 } i && i[0].Text is "slave" && i[3].Text != "connected";

    /// <summary>The address a running node has when it is not the one it was created with; null when at home.</summary>
    private static string? Drift(RedisNode n) =>
        n.Labels.Get(Labels.Address) is { } own && n.IPAddress is { Length: > 0 } now && now != own ? now : null;

    private static string Name(TopologySnapshot snapshot, string endpoint) =>
        snapshot.NodeNameOf(endpoint) is { } name ? $"'{name}'" : endpoint;

    private async Task<View> ReadAsync(RedisNode n, CancellationToken ct)
    {
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(TimeSpan.FromSeconds(5));
            var conn = await _session.ConnectAsync(n, bound.Token).ConfigureAwait(false);
            if (n.Kind == RedisNodeKind.Sentinel)
            {
                var masters = await conn.SendAsync(new object[] { "SENTINEL", "MASTERS" }, bound.Token)
                    .ConfigureAwait(false);
                return new View(n, null, null, null, masters, masters.IsError ? masters.Text : null);
            }
            var cmds = new List<object[]> { new object[] { "ROLE" } };
            if (n.ClusterEnabled)
            {
                cmds.Add(new object[] { "CLUSTER", "INFO" });
                cmds.Add(new object[] { "CLUSTER", "NODES" });
            }
            var r = await conn.PipelineAsync(cmds, bound.Token).ConfigureAwait(false);
            if (r.FirstOrDefault(x => x.IsError) is { } err) return new View(n, null, null, null, null, err.Text);
            return n.ClusterEnabled
                ? new View(n, r[0], RedisInfo.Parse(r[1].AsString()), ClusterNodesParser.Parse(r[2].AsString()),
                    null, null)
                : new View(n, r[0], null, null, null, null);
        }
        catch (Exception e) when (e is RedisException or IOException or OperationCanceledException
            or RedisDockerException
                                  && !ct.IsCancellationRequested)
        {
            _session.Evict(n.HostEndpoint);
            return new View(n, null, null, null, null, e.Message);
        }
    }

    // ------------------------------------------------------------------ cluster

    private static IEnumerable<string> ClusterProblems(string topology, TopologySnapshot snapshot,
        IReadOnlyList<RedisNode> nodes,
        IReadOnlyList<View> answering)
    {
        var cluster = answering.Where(v => v.ClusterInfo is not null && v.ClusterNodes is not null).ToList();
        if (cluster.Count == 0) yield break;
        bool Alone(View v) => v.ClusterNodes!.Count(e => !e.InHandshake) <= 1 && v.ClusterNodes![0].Slots.Count == 0;
        var inCluster = cluster.Where(v => !Alone(v)).ToList();
        if (inCluster.Count == 0) yield break;   // cluster-enabled nodes, no cluster made yet

        foreach (var v in cluster.Where(Alone))
            yield return $"Node '{v.Node.Name}' is cluster-enabled but not in the cluster "
                + "(an interrupted New-RedisCluster?): "
                + $"add it with Add-RedisClusterNode -Cluster {topology} -Name {v.Node.Name}.";

        var failing = inCluster.Where(v => v.ClusterInfo!.GetValueOrDefault("cluster_state") != "ok")
            .Select(v => $"{v.Node.Name}:{v.ClusterInfo!.GetValueOrDefault("cluster_state")}").ToList();
        if (failing.Count > 0)
            yield return $"{failing.Count} of {inCluster.Count} cluster nodes report a failing cluster "
                + $"({string.Join(", ", failing)}): "
                + $"see Test-RedisCluster {topology}, then Repair-RedisCluster {topology}.";

        var ids = inCluster.Select(v => v.ClusterNodes!.First(e => e.Myself).Id).ToHashSet(StringComparer.Ordinal);
        foreach (var e in UnknownMembers(inCluster.Select(v => v.ClusterNodes!), ids, KnownAddresses(nodes)))
            yield return DescribeUnknown(topology, e);

        // Primaries that hold no slots: what an interrupted create (or Add-RedisClusterNode without slots) leaves.
        var reference = inCluster.Select(v => v.ClusterNodes!).OrderByDescending(v => v.Count).First();
        var empty = reference
            .Where(e => e.IsPrimary && e.Slots.Count == 0 && !e.InHandshake && !e.NoAddress && ids.Contains(e.Id))
            .Select(e => Name(snapshot, e.Endpoint)).ToList();
        if (empty.Count > 0)
            yield return $"Primar{(empty.Count == 1 ? "y" : "ies")} {string.Join(", ", empty)} "
                + $"hold{(empty.Count == 1 ? "s" : "")} no slots and replicate nobody (an interrupted "
                    + "New-RedisCluster?): "
                + "make each a replica (Remove-RedisClusterNode, then "
                + $"Add-RedisClusterNode -Primary) or give it slots with Optimize-RedisCluster {topology}.";
    }

    /// <summary>The container addresses of a topology's nodes: where they are now, and where they were made.</summary>
    internal static HashSet<string> KnownAddresses(IEnumerable<RedisNode> nodes)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in nodes)
        {
            if (!string.IsNullOrEmpty(n.IPAddress)) set.Add(n.IPAddress);
            if (n.Labels.Get(Labels.Address) is { } a) set.Add(a);
            if (n.Labels.Get(Labels.Announce) is { } b) set.Add(b);
        }
        return set;
    }

    /// <summary>
    /// Members of a cluster that are none of the topology's nodes: neither one's node id nor at one's address.
    /// The cluster bus has no authentication, so anything on the network can join with CLUSTER MEET.
    /// </summary>
    public static IReadOnlyList<ClusterNodesEntry> UnknownMembers(IEnumerable<IReadOnlyList<ClusterNodesEntry>> views,
        ISet<string> knownIds, ISet<string> knownAddresses) =>
        views.SelectMany(v => v)
            .Where(e => !e.InHandshake && !knownIds.Contains(e.Id) && !knownAddresses.Contains(HostOf(e.Endpoint)))
            .DistinctBy(e => e.Id).ToList();

    public static string DescribeUnknown(string topology, ClusterNodesEntry e) =>
        $"Unknown node {e.Id[..Math.Min(8, e.Id.Length)]} at {e.Endpoint} is a "
        + $"{(e.IsPrimary ? "primary" : e.IsReplica ? "replica" : "member")} of cluster '{topology}'"
        + $"{(e.Slots.Count > 0 ? $" holding {e.Slots.Count} slots" : "")}, but is none of its nodes: the cluster bus "
            + "has "
        + "no authentication, so a container on the network (or a node removed with docker rm) may have joined. "
        + "Find it "
        + $"(Get-RedisClusterNode -Cluster {topology}), take its slots back, and CLUSTER FORGET {e.Id} on every node.";

    private static string HostOf(string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        return colon < 0 ? endpoint : endpoint[..colon];
    }

    // ------------------------------------------------------------------ sentinel

    private async Task<IEnumerable<string>> SentinelProblemsAsync(TopologySnapshot snapshot,
        IReadOnlyList<RedisNode> nodes,
        IReadOnlyList<View> answering, CancellationToken ct)
    {
        var problems = new List<string>();
        var groups = nodes.Where(n => n.Kind == RedisNodeKind.Sentinel && n.SentinelGroup is not null)
            .GroupBy(n => n.SentinelGroup!).ToList();
        if (groups.Count == 0)
        {
            // No sentinel: a node made as a replica that now says it is a primary is a second primary.
            foreach (var v in answering.Where(v => v.Node.Kind == RedisNodeKind.Redis && !v.Node.ClusterEnabled
                         && v.Node.Labels.Get(Labels.Role) == "replica"
                         && v.Role?.Items is { Count: > 0 } i && i[0].Text == "master"))
                problems.Add($"Node '{v.Node.Name}' was made a replica but is a primary now: "
                    + "attach it again with Set-RedisReplica.");
            return problems;
        }
        var redis = answering.Where(v => v.Node.Kind == RedisNodeKind.Redis && !v.Node.ClusterEnabled).ToList();
        foreach (var g in groups)
        {
            var said = new List<(string Sentinel, string Endpoint, string Flags)>();
            foreach (var s in answering.Where(v => v.Node.Kind == RedisNodeKind.Sentinel
                         && v.Node.SentinelGroup == g.Key))
            {
                var master = s.SentinelMasters!.AsArray().Select(SentinelOperations.ToMap)
                    .FirstOrDefault(m => m.GetValueOrDefault("name") == g.Key);
                if (master is null) { problems.Add($"Sentinel '{s.Node.Name}' does not monitor '{g.Key}'."); continue; }
                said.Add((s.Node.Name, $"{master.GetValueOrDefault("ip")}:{master.GetValueOrDefault("port")}",
                    master.GetValueOrDefault("flags", "")));
            }
            if (said.Count == 0) continue;
            var endpoints = said.Select(x => x.Endpoint).Distinct().ToList();
            if (endpoints.Count > 1)
                problems.Add($"The sentinels of '{g.Key}' disagree on its primary: "
                    + $"{string.Join(", ", said.Select(x => $"{x.Sentinel} says {Name(snapshot, x.Endpoint)}"))}.");
            var chosen = said.GroupBy(x => x.Endpoint).OrderByDescending(x => x.Count()).First();
            if (chosen.Any(x => x.Flags.Contains("s_down", StringComparison.Ordinal)
                                || x.Flags.Contains("o_down", StringComparison.Ordinal)))
                problems.Add($"The sentinels of '{g.Key}' see its primary {Name(snapshot, chosen.Key)} down "
                    + $"({chosen.First().Flags}).");
            var primaryHost = HostOf(chosen.Key);
            var primary = redis.FirstOrDefault(v => v.Node.IPAddress == primaryHost
                || v.Node.Labels.Get(Labels.Address) == primaryHost
                || v.Node.Labels.Get(Labels.Announce) == primaryHost);
            if (primary?.Role?.Items is { Count: > 0 } pr && pr[0].Text != "master")
                problems.Add($"Node '{primary.Node.Name}', the primary of '{g.Key}' for its sentinels, "
                    + $"says it is a {pr[0].Text}.");

            // Which nodes belong to the group: all of the topology's plain nodes when it has one group, else
            // those the sentinels know.
            var members = new HashSet<string>(StringComparer.Ordinal) { primaryHost };
            if (groups.Count > 1)
            {
                var asked = answering.First(v => v.Node.Name == said[0].Sentinel).Node;
                members.UnionWith(await SentinelReplicaHostsAsync(g.Key, asked, ct).ConfigureAwait(false));
            }
            var others = redis.Where(v => v != primary && v.Role?.Items is { Count: > 0 } i && i[0].Text == "master"
                    && (groups.Count == 1 || members.Contains(v.Node.IPAddress ?? "")
                        || members.Contains(v.Node.Labels.Get(Labels.Address) ?? "")))
                .Select(v => v.Node.Name).ToList();
            if (others.Count > 0)
                problems.Add($"Sentinel group '{g.Key}' has {others.Count + 1} primaries: "
                    + $"{(primary is null ? chosen.Key : $"'{primary.Node.Name}'")} (the sentinels' choice) and "
                    + $"{string.Join(", ", others.Select(o => $"'{o}'"))}, which still accept writes. "
                    + $"Stop-RedisNode, then Start-RedisNode {string.Join(", ", others)}: a node that starts asks the "
                    + "sentinels and "
                    + "comes back as a replica of their primary (and at its own address).");
        }
        return problems;
    }

    private async Task<IEnumerable<string>> SentinelReplicaHostsAsync(string group, RedisNode sentinel,
        CancellationToken ct)
    {
        try
        {
            var conn = await _session.ConnectAsync(sentinel, ct).ConfigureAwait(false);
            var r = await conn.SendAsync(new object[] { "SENTINEL", "REPLICAS", group }, ct).ConfigureAwait(false);
            return r.IsError
                ? Array.Empty<string>()
                : r.AsArray().Select(SentinelOperations.ToMap).Select(m => m.GetValueOrDefault("ip") ?? "").ToList();
        }
        catch (RedisException e)
        {
            _sink.Verbose($"Sentinel '{sentinel.Name}' did not list the replicas of '{group}' ({e.Message}).");
            return Array.Empty<string>();
        }
    }
}
