using RedisDocker.Core;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;

namespace RedisDocker.Bench.Scenarios;

internal static class ClusterHelpers
{
    /// <summary>N cluster-enabled nodes named &lt;topology&gt;-1..N on the topology's network (cluster-node-timeout 5000, the NodeSpec default).</summary>
    public static async Task<IReadOnlyList<string>> CreateClusterNodesAsync(BenchContext ctx, string topology, int count)
    {
        var names = Enumerable.Range(1, count).Select(i => $"{topology}-{i}").ToArray();
        var results = await ctx.Session.Workflows(ctx.Sink).Nodes.CreateAsync(
            names.Select(n => new NodeSpec { Name = n, Network = topology, ClusterEnabled = true, ClusterNodeTimeoutMs = 5000 }).ToArray(), ctx.Ct);
        var failed = results.FirstOrDefault(r => r.Error is not null);
        if (failed is not null) throw new InvalidOperationException($"node {failed.Name} failed: {failed.Error!.Message}", failed.Error);
        return names;
    }

    /// <summary>
    /// The same "all ok" as the baseline's cluster_all_ok, through the module: Test-RedisCluster's
    /// checks all pass (every node answers and is not flagged, slot map agreed, all slots covered,
    /// no open slot, cluster_state:ok everywhere, 1 replica per primary), the expected number of
    /// nodes run, and every replica's master_link_status is up.
    /// </summary>
    public static async Task<(bool Ok, string Status)> HealthyAsync(BenchContext ctx, string topology, int expectedNodes, CancellationToken ct)
    {
        var checks = await ctx.Session.Workflows(ctx.Sink).Cluster.TestAsync(topology, 1, ct);
        var failing = checks.Where(c => !c.Passed).ToList();
        if (failing.Count > 0) return (false, string.Join("; ", failing.Select(c => c.ToString())));
        var members = await ctx.Session.Workflows(ctx.Sink).Cluster.GetNodesAsync(topology, ct);
        if (members.Count != expectedNodes || members.Any(m => m.Failing))
            return (false, $"{members.Count} members known, {members.Count(m => m.Failing)} failing");
        var cmd = ctx.Session.Workflows(NullSink.Instance).Commands;
        foreach (var r in members.Where(m => m.Role == RedisRole.Replica))
        {
            var info = RedisInfo.Parse((await cmd.InvokeRawAsync(r.Name!, new object[] { "INFO", "replication" }, ct)).ThrowIfError().AsString());
            if (info.GetValueOrDefault("master_link_status") != "up") return (false, $"{r.Name} link {info.GetValueOrDefault("master_link_status")}");
        }
        return (true, "ok");
    }

    public static async Task<PollResult> WaitHealthyAsync(BenchContext ctx, string topology, int expectedNodes, TimeSpan bound, int pollMs = 100)
    {
        string status = "";
        var r = await ctx.PollAsync($"cluster {topology} healthy", bound, pollMs, async c =>
        {
            (var ok, status) = await HealthyAsync(ctx, topology, expectedNodes, c);
            return ok;
        });
        if (!r.Done) BenchContext.Log($"cluster {topology} not healthy: {status}");
        return r;
    }

    /// <summary>The primary owning the key's slot and its first replica, as the module reports them.</summary>
    public static async Task<(RedisClusterNode Owner, RedisClusterNode? Replica)> OwnerOfAsync(BenchContext ctx, string topology, string key)
    {
        var slot = ClusterSlot.GetSlot(key);
        var members = await ctx.Session.Workflows(ctx.Sink).Cluster.GetNodesAsync(topology, ctx.Ct);
        var owner = members.First(m => m.Role == RedisRole.Primary && !m.Failing && m.SlotRanges.Any(r => r.Start <= slot && slot <= r.End));
        var replica = members.FirstOrDefault(m => m.PrimaryId == owner.NodeId && !m.Failing);
        return (owner, replica);
    }
}
