using RedisDocker.Core.Swarm;

namespace RedisDocker.Core.Topology;

/// <summary>Step 0 of New-RedisNode: nodes on an overlay network without -DockerHost go to swarm nodes.</summary>
public sealed partial class NodeOperations
{
    /// <summary>
    /// Nodes on an overlay network with no -DockerHost are spread over the swarm's usable nodes (see
    /// <see cref="SwarmPlacement"/>) and published on their engine's address when the engine is on another machine
    /// (127.0.0.1 there is out of this machine's reach). Other nodes are returned as given; -SwarmNodeLabel on them
    /// is refused.
    /// </summary>
    private async Task<IReadOnlyList<NodeSpec>> PlaceOnSwarmAsync(IReadOnlyList<NodeSpec> specs, CancellationToken ct)
    {
        var placed = specs.ToArray();
        foreach (var group in specs.Select((s, i) => (s, i)).Where(x => !x.s.HostNetwork)
                     .GroupBy(x => x.s.Network, StringComparer.Ordinal))
        {
            var labelled = group.FirstOrDefault(x => x.s.SwarmNodeLabels is { Count: > 0 });
            var free = group.Where(x => x.s.DockerHost is null).ToList();
            if (free.Count == 0 && labelled.s is null) continue;
            if (labelled.s is { DockerHost: not null })
                throw Errors.InvalidArgument(
                    $"Node '{labelled.s.Name}': -SwarmNodeLabel chooses among swarm nodes; give it or -DockerHost, "
                    + "not both.", labelled.s.Name);
            Docker.DockerNetwork net;
            try { (_, net) = await _networks.FindAsync(group.Key, ct).ConfigureAwait(false); }
            catch (RedisDockerException e) when (e.ErrorId == ErrorIds.NetworkNotFound) { continue; }  // said later
            if (!OverlayNetworks.IsOverlay(net.Driver))
            {
                if (labelled.s is not null)
                    throw Errors.InvalidArgument(
                        $"Node '{labelled.s.Name}': -SwarmNodeLabel places nodes on Docker Swarm nodes, so it needs an "
                        + $"overlay network (New-RedisNetwork -Driver Overlay); '{group.Key}' is a "
                        + $"{net.Driver} network.", labelled.s.Name);
                continue;
            }
            var topology = net.Labels.Get(Labels.Topology) ?? net.Name;
            var swarm = await _swarm.RefreshAsync(ct).ConfigureAwait(false);
            var engines = _session.Hosts.Select(h => h.ToString()).ToArray();
            var existing = await GetAsync(new NodeFilter { Topology = topology }, ct).ConfigureAwait(false);
            // Each kind spreads on its own: Redis nodes over the swarm nodes, sentinels over them again.
            foreach (var kind in free.GroupBy(x => x.s.Sentinel is not null))
            {
                foreach (var byLabels in kind.GroupBy(x => string.Join("\n", x.s.SwarmNodeLabels ?? []),
                             StringComparer.Ordinal))
                {
                    var filters = SwarmPlacement.ParseLabels(byLabels.First().s.SwarmNodeLabels);
                    var candidates = SwarmPlacement.Candidates(swarm, filters, engines, group.Key);
                    var held = existing.Where(n => (n.Kind == RedisNodeKind.Sentinel) == kind.Key)
                        .Select(n => swarm.FirstOrDefault(w => string.Equals(w.DockerHost, n.DockerHost,
                            StringComparison.OrdinalIgnoreCase))?.Name)
                        .Where(n => n is not null).GroupBy(n => n!, StringComparer.Ordinal)
                        .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
                    foreach (var (node, placedOn) in byLabels.Zip(SwarmPlacement.Spread(candidates, byLabels.Count(),
                                 held)))
                    {
                        var endpoint = Docker.DockerEndpoint.Parse(placedOn.DockerHost!);
                        var hostIp = node.s.HostIp == "127.0.0.1" && !endpoint.IsLocal()
                            ? endpoint.HostAddressForPorts() : node.s.HostIp;
                        _sink.Verbose($"Node '{node.s.Name}' goes to swarm node {placedOn.Name} (engine "
                            + $"{placedOn.DockerHost}, published on {hostIp}).");
                        placed[node.i] = node.s with { DockerHost = placedOn.DockerHost, HostIp = hostIp };
                    }
                }
            }
        }
        return placed;
    }

    /// <summary>True when the network is a swarm overlay (its nodes are placed over the swarm).</summary>
    internal async Task<bool> IsOverlayAsync(string network, CancellationToken ct) =>
        OverlayNetworks.IsOverlay((await _networks.FindAsync(network, ct).ConfigureAwait(false)).Network.Driver);
}
