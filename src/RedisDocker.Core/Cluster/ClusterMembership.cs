using System.Diagnostics;
using System.Globalization;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Cluster use case: adding and removing nodes.</summary>
public sealed partial class ClusterOperations
{
    /// <summary>Adds an empty cluster-enabled node as a primary (no slots) or as a replica of a primary.</summary>
    public async Task<RedisClusterNode> AddNodeAsync(string topology, string nodeName, string? primaryName,
        CancellationToken ct)
    {
        var members = await TopologyMembersAsync(topology, ct).ConfigureAwait(false);
        var existing = await ReadViewsAsync(members, ct).ConfigureAwait(false);
        var inCluster = members.Where(m => existing.TryGetValue(m.Name, out var v) && (v.Count > 1
            || v[0].Slots.Count > 0)).ToList();
        if (inCluster.Count == 0)
            throw Errors.ClusterNotFound(
                $"Topology '{topology}' has no cluster yet. Create one with New-RedisCluster.",
                topology);
        var node = await _nodes.GetOneAsync(nodeName, ct).ConfigureAwait(false);
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
            var primary = inCluster.FirstOrDefault(m => string.Equals(m.Name, primaryName,
                StringComparison.OrdinalIgnoreCase) || ids[m.Name] == primaryName)
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
        return (await GetNodesAsync(topology, ct).ConfigureAwait(false)).First(n => string.Equals(n.Name, node.Name,
            StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Removes a node from the cluster (FORGET everywhere, then reset it). A primary must own no
    /// slots.</summary>
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
}
