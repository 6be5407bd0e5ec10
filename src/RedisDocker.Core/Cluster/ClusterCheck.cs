using System.Diagnostics;
using System.Globalization;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Cluster use case: Test-RedisCluster and Repair-RedisCluster.</summary>
public sealed partial class ClusterOperations
{
    /// <summary>The checks of redis-cli --cluster check, one result each.</summary>
    public async Task<IReadOnlyList<RedisClusterCheck>> TestAsync(string topology, int? expectedReplicas,
        CancellationToken ct)
    {
        var results = new List<RedisClusterCheck>();
        var members = await TopologyMembersAsync(topology, ct).ConfigureAwait(false);
        var views = await ReadViewsAsync(members, ct).ConfigureAwait(false);
        // Every member the cluster knows must answer and be seen as healthy.
        var known = views.Values.OrderByDescending(v => v.Count).First();
        var unreachable = known.Where(e => e.Flags.Contains("fail") || e.Flags.Contains("fail?") || e.NoAddress
            || !members.Any(m => m.ContainerEndpoint == EndpointMap.Normalize(e.Endpoint)))
            .Select(e => _session.EndpointMap.TryTranslate(e.Endpoint, out var mm) ? mm.NodeName : e.Endpoint).ToList();
        results.Add(new RedisClusterCheck(topology, "NodesReachable", unreachable.Count == 0,
            unreachable.Count == 0 ? $"all {known.Count} nodes answer"
                : $"not answering or failing: {string.Join(", ", unreachable)}"));

        var inCluster = views.Where(v => v.Value.Count > 1 || v.Value[0].Slots.Count > 0).ToDictionary(v => v.Key, v
            => v.Value);

        // The cluster bus has no authentication: a member that is none of the topology's nodes is an intruder (or a
        // ghost).
        var knownAddresses = members.Select(m => m.Ip).ToHashSet(StringComparer.Ordinal);
        foreach (var (_, containers) in await _session.OnEveryEngineAsync((d, c)
            => d.ListContainersAsync(Labels.ForTopology(topology), all: true, c), _sink, ct)
                     .ConfigureAwait(false))
            foreach (var c in containers)
            {
                if (c.Labels.Get(Labels.Address) is { } a) knownAddresses.Add(a);
                if (c.Labels.Get(Labels.Announce) is { } b) knownAddresses.Add(b);
            }
        var knownIds = inCluster.Values.Select(v => v.First(e => e.Myself).Id).ToHashSet(StringComparer.Ordinal);
        var unknown = TopologyHealth.UnknownMembers(inCluster.Values, knownIds, knownAddresses);
        results.Add(new RedisClusterCheck(topology, "NoUnknownNodes", unknown.Count == 0,
            unknown.Count == 0 ? "every member is a node of the topology" : string.Join(" ", unknown.Select(e
                => TopologyHealth.DescribeUnknown(topology, e)))));

        var signatures = inCluster.GroupBy(v => Signature(v.Value)).ToList();
        results.Add(new RedisClusterCheck(topology, "SlotMapAgreement", signatures.Count == 1,
            signatures.Count == 1 ? "all nodes agree on the configuration"
                : $"{signatures.Count} different views: "
                    + string.Join(" / ", signatures.Select(g => string.Join(",", g.Select(x => x.Key))))));

        var view = inCluster.Values.FirstOrDefault() ?? views.Values.First();
        var covered = view.Where(e => e.IsPrimary && !e.Flags.Contains("fail")).SelectMany(e
            => e.Slots).Distinct().Count();
        results.Add(new RedisClusterCheck(topology, "SlotsCovered", covered == ClusterSlot.Count,
            covered == ClusterSlot.Count ? "all 16384 slots covered"
                : $"{ClusterSlot.Count - covered} slot(s) not covered by a working primary"));

        var open = views.SelectMany(v => v.Value.Where(e => e.Myself).SelectMany(e =>
            e.Migrating.Select(x => $"{v.Key} migrating slot {x.Slot}").Concat(e.Importing.Select(x
                => $"{v.Key} importing slot {x.Slot}")))).ToList();
        results.Add(new RedisClusterCheck(topology, "NoOpenSlots", open.Count == 0, open.Count == 0
            ? "no slot is migrating or importing" : string.Join("; ", open)));

        var notOk = new List<string>();
        foreach (var m in members.Where(m => inCluster.ContainsKey(m.Name)))
        {
            var ci = RedisInfo.Parse((await m.Ok(ct, "CLUSTER", "INFO").ConfigureAwait(false)).AsString());
            if (ci.GetValueOrDefault("cluster_state") != "ok")
                notOk.Add($"{m.Name}:{ci.GetValueOrDefault("cluster_state")}");
        }
        results.Add(new RedisClusterCheck(topology, "ClusterStateOk", notOk.Count == 0, notOk.Count == 0
            ? "every node reports cluster_state:ok" : string.Join(", ", notOk)));

        var primaries = view.Where(e => e.IsPrimary && e.Slots.Count > 0).ToList();
        var counts = primaries.ToDictionary(p => p.Id, p => view.Count(r => r.PrimaryId == p.Id
            && !r.Flags.Contains("fail")));
        var expected = expectedReplicas ?? (primaries.Count == 0 ? 0 : view.Count(e => e.IsReplica) / primaries.Count);
        var lacking = primaries.Where(p => counts[p.Id] < expected)
            .Select(p => $"{(_session.EndpointMap.TryTranslate(p.Endpoint, out var mm) ? mm.NodeName : p.Endpoint)} "
                + $"has {counts[p.Id]}").ToList();
        results.Add(new RedisClusterCheck(topology, "ReplicasPerPrimary", lacking.Count == 0,
            lacking.Count == 0 ? $"every primary has at least {expected} replica(s)"
                : $"expected {expected}: {string.Join(", ", lacking)}"));
        return results;
    }

    /// <summary>What redis-cli --cluster fix fixes: open slots, and uncovered slots.</summary>
    public async Task<IReadOnlyList<string>> RepairAsync(string topology, CancellationToken ct)
    {
        var actions = new List<string>();
        // A node that came back on its network with another address is unreachable where the cluster knows it.
        foreach (var moved in await _nodes.RestoreAddressesAsync(topology,
            clusterOnly: true, ct).ConfigureAwait(false))
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
                    actions.Add(
                        $"slot {slot}: finished migrating from {m.Name} to {target.Name} ({keys} key(s) moved)");
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
                    if ((await p.Ok(ct, "CLUSTER", "COUNTKEYSINSLOT",
                        slot).ConfigureAwait(false)).AsInt64() > 0) { withKeys = p; break; }
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
}
