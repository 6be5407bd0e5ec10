using System.Diagnostics;
using System.Globalization;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Cluster use case: planning and running a rebalance.</summary>
public sealed partial class ClusterOperations
{
    /// <summary>Rebalances slots across primaries by weight (equal weights by default), like redis-cli --cluster
    /// rebalance.</summary>
    public async Task<IReadOnlyList<SlotMoveResult>> RebalanceAsync(string topology, IReadOnlyDictionary<string,
        double>? weights, int threshold, CancellationToken ct) =>
        await RebalanceAsync(topology, await PlanRebalanceAsync(topology, weights, threshold, ct).ConfigureAwait(false),
            ct).ConfigureAwait(false);

    /// <summary>Carries out a rebalance plan: the slot moves in order, keys with them.</summary>
    public async Task<IReadOnlyList<SlotMoveResult>> RebalanceAsync(string topology,
        IReadOnlyList<PlannedSlotMove> plan, CancellationToken ct)
    {
        var results = new List<SlotMoveResult>();
        foreach (var move in plan)
            results.Add(await MoveSlotsAsync(topology, move.Source, move.Destination, move.Slots, null,
                ct).ConfigureAwait(false));
        return results;
    }

    /// <summary>The slot moves a rebalance would make now (for -WhatIf and -Confirm, and for the run itself).</summary>
    public async Task<IReadOnlyList<PlannedSlotMove>> PlanRebalanceAsync(string topology, IReadOnlyDictionary<string,
        double>? weights, int threshold, CancellationToken ct)
    {
        var nodes = await GetNodesAsync(topology, ct).ConfigureAwait(false);
        var primaries = nodes.Where(n => n.Role == RedisRole.Primary && !n.Failing && n.Name is not null).ToList();
        double W(RedisClusterNode n) => weights is not null && weights.TryGetValue(n.Name!, out var w) ? w : 1.0;
        var total = primaries.Sum(W);
        if (total <= 0) throw Errors.InvalidArgument("The weights add up to zero.", weights);
        var targets = ApportionSlots(primaries.Select(W).ToList(), ClusterSlot.Count);
        var balance = primaries.Select((p, i) => (p, i)).ToDictionary(x => x.p.Name!, x
            => x.p.SlotCount - targets[x.i]);
        var results = new List<PlannedSlotMove>();
        // a primary of weight 0 gives every slot it has, however few
        var givers = balance.Where(kv => kv.Value > threshold || (kv.Value > 0 && W(primaries.First(p
            => p.Name == kv.Key)) == 0))
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
}

/// <summary>One move of a rebalance plan: how many slots go from one primary to another.</summary>
public sealed record PlannedSlotMove(string Source, string Destination, int Slots)
{
    public override string ToString() => $"{Slots} slot(s) {Source} -> {Destination}";
}
