using System.Globalization;
using RedisDocker.Core.Docker;

namespace RedisDocker.Core.Topology;

/// <summary>Topology workflow: Import-RedisTopology, a topology rebuilt from its spec, all or nothing.</summary>
public sealed partial class TopologyOperations
{
    /// <summary>Rebuilds a topology from a spec: networks, nodes, replication, cluster layout, sentinels. All or
    /// nothing.</summary>
    /// <param name="dockerHost">Rebuild everything on this engine instead of the engines the spec records (a move to
    /// another host).</param>
    public async Task<RedisTopology> ImportAsync(TopologySpec spec, string? password, CancellationToken ct,
        string? dockerHost = null)
    {
        InputValidation.ValidateDockerHost(dockerHost);
        InputValidation.ValidateSpec(spec, password);
        if (dockerHost is not null)
        {
            if (spec.Nodes.Any(n => n.AnnounceAddress is not null))
                throw Errors.InvalidArgument(
                    $"Topology '{spec.Name}' has host-network nodes that announce their hosts' addresses; it cannot "
                    + "be moved to one Docker host as it is. Edit the spec's dockerHost and announceAddress of each "
                    + "node instead.",
                    spec.Name);
            spec = spec with
            {
                Networks = spec.Networks.Select(n => n with { DockerHost = dockerHost }).ToArray(),
                // The recorded published addresses and swarm nodes are those of the old engines.
                Nodes = spec.Nodes.Select(n => n with
                {
                    DockerHost = dockerHost, HostAddress = null, SwarmNode = null, SwarmNodeId = null,
                }).ToArray(),
            };
        }
        else spec = await PlaceOnEnginesAsync(spec, ct).ConfigureAwait(false);
        // Every field checked before anything is made: a bad spec creates nothing.
        foreach (var w in InputValidation.ValidateSpec(spec, password).Distinct()) _sink.Warning(w);
        if ((await GetAsync(spec.Name, ct).ConfigureAwait(false)).Any(t => t.Name == spec.Name))
            throw Errors.NodeNameTaken(
                $"Topology '{spec.Name}' already exists here. Remove it first (Remove-RedisTopology {spec.Name}).",
                spec.Name);
        foreach (var n in spec.Nodes)
            if (await _session.FindContainerAsync(n.Name, ct).ConfigureAwait(false) is not null)
                throw Errors.NodeNameTaken($"A container named '{n.Name}' already exists.", n.Name);
        // Volumes kept by Remove-RedisTopology -KeepVolume are reused, and never removed if the import fails.
        var keptVolumes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var engine in await _session.GetAllDockerAsync(ct).ConfigureAwait(false))
            keptVolumes.UnionWith((await engine.ListVolumesAsync(Labels.ForTopology(spec.Name), ct)
                .ConfigureAwait(false)).Select(v => v.Name));
        try
        {
            var netOps = _networks;
            foreach (var n in spec.Networks)
                await netOps.CreateAsync(new NetworkSpec { Name = n.Name, Subnet = n.Subnet, Gateway = n.Gateway,
                    Internal = n.Internal, Topology = spec.Name, DockerHost = n.DockerHost, Driver = n.Driver }, ct)
                    .ConfigureAwait(false);
            var made = await Nodes.CreateAsync(spec.Nodes.Select(n => InputValidation.ToNodeSpec(spec, n, password))
                .ToArray(), ct).ConfigureAwait(false);
            if (made.FirstOrDefault(r =>
                r.Error is not null) is { } failed) throw ErrorTranslator.Translate(failed.Error!, failed.Name);
            // The spec's ACL users on every Redis node, before replication and the cluster link them.
            await Security.AclTransfer.ApplyAsync(_session, _sink, spec.Name,
                made.Select(r => r.Node!).Where(n => n.Kind == RedisNodeKind.Redis).ToList(), spec.Users, ct,
                defaultOff: spec.DefaultUserOff == true).ConfigureAwait(false);

            var replication = _replication;
            foreach (var n in spec.Nodes.Where(n => n.ReplicaOf is not null && !n.ClusterEnabled))
                await replication.SetReplicaAsync(n.Name, n.ReplicaOf!, ct).ConfigureAwait(false);

            if (spec.Cluster is { Primaries.Count: > 0 } cluster)
            {
                var plan = new ClusterPlan(cluster.Primaries.Select(p =>
                {
                    var ranges = p.Slots.Select(ParseRange).ToArray();
                    return new PlannedPrimary(p.Name, ranges.FirstOrDefault(), p.Replicas) { SlotRanges = ranges };
                }).ToArray(), true);
                var members = made.Select(r => r.Node!).Where(n => n.ClusterEnabled).ToList();
                await _cluster.CreateAsync(members, plan, ct).ConfigureAwait(false);
                if (cluster.ClientEndpoint is { } ce
                    && Enum.Parse<ClusterClientEndpoint>(ce, true) == ClusterClientEndpoint.Container)
                    await _cluster.SetClientEndpointAsync(spec.Name, ClusterClientEndpoint.Container, ct)
                        .ConfigureAwait(false);
            }
            foreach (var g in spec.SentinelGroups)
                await _sentinels.CreateAsync(new SentinelGroupSpec
                {
                    Primary = g.Primary, Count = g.Count, Quorum = g.Quorum, MasterName = g.MasterName, DownAfterMs =
                        g.DownAfterMs,
                    FailoverTimeoutMs = g.FailoverTimeoutMs, ParallelSyncs = g.ParallelSyncs, Image = g.Image, Port =
                        g.Port,
                }, ct).ConfigureAwait(false);
        }
        catch (Exception)
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await RemoveAsync(spec.Name, keepVolumes: true, cleanup.Token).ConfigureAwait(false);
                foreach (var engine in await _session.GetAllDockerAsync(cleanup.Token).ConfigureAwait(false))
                    foreach (var v in await engine.ListVolumesAsync(Labels.ForTopology(spec.Name), cleanup.Token)
                        .ConfigureAwait(false))
                        if (!keptVolumes.Contains(v.Name)) await engine.RemoveVolumeAsync(v.Name, force: true,
                            cleanup.Token).ConfigureAwait(false);
            }
            catch (Exception e) { _sink.Warning($"Could not remove the partly imported topology '{spec.Name}': "
                + $"{e.Message}. Remove it with Remove-RedisTopology {spec.Name}."); }
            throw;
        }
        return await RequireAsync(spec.Name, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The engines a spec names, checked before anything is made: each node's engine must answer (an engine that
    /// does not is replaced by the engine of the session that is the same swarm node, when the spec records one);
    /// an overlay is made through a manager of the session's swarm. Otherwise an error names what is missing.
    /// </summary>
    private async Task<TopologySpec> PlaceOnEnginesAsync(TopologySpec spec, CancellationToken ct)
    {
        var overlays = spec.Networks.Where(n => Swarm.OverlayNetworks.IsOverlay(n.Driver)).ToList();
        IReadOnlyList<RedisSwarmNode>? swarm = null;
        async Task<IReadOnlyList<RedisSwarmNode>> SwarmAsync() =>
            swarm ??= await new Swarm.SwarmOperations(_session, _sink).RefreshAsync(ct).ConfigureAwait(false);
        var engineOf = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var n in spec.Nodes.Where(n => n.DockerHost is not null))
        {
            if (engineOf.ContainsKey(n.DockerHost!)) continue;
            try
            {
                await (await _session.GetDockerAsync(n.DockerHost, ct).ConfigureAwait(false)).PingAsync(ct)
                    .ConfigureAwait(false);
                engineOf[n.DockerHost!] = n.DockerHost;
            }
            catch (Exception e) when (e is Docker.DockerException or RedisDockerException or IOException
                or System.Net.Http.HttpRequestException or TimeoutException)
            {
                var same = n.SwarmNodeId is null ? null
                    : (await SwarmAsync().ConfigureAwait(false)).FirstOrDefault(s => s.Id == n.SwarmNodeId
                        && s.DockerHost is not null);
                if (same is null)
                    throw Errors.DockerUnreachable(
                        $"Node '{n.Name}' of topology '{spec.Name}' was on Docker host {n.DockerHost}"
                        + (n.SwarmNode is null ? "" : $" (swarm node {n.SwarmNode})")
                        + $", which does not answer: {e.Message} Connect that engine (Connect-RedisDocker -DockerHost "
                        + $"{n.DockerHost} -Add), or edit the node's dockerHost in the spec.",
                        n.DockerHost, e);
                _sink.Verbose($"Docker host {n.DockerHost} does not answer; swarm node {same.Name} is served by "
                    + $"{same.DockerHost} in this session: its nodes go there.");
                engineOf[n.DockerHost!] = same.DockerHost;
            }
        }
        if (overlays.Count > 0)
        {
            var managers = (await SwarmAsync().ConfigureAwait(false))
                .Where(s => s.Role == "manager" && s.DockerHost is not null).Select(s => s.DockerHost!).ToList();
            if (managers.Count == 0)
                throw Errors.NotASwarmManager(overlays[0].DockerHost ?? _session.DockerHost);
            spec = spec with
            {
                Networks = spec.Networks.Select(n => Swarm.OverlayNetworks.IsOverlay(n.Driver)
                    && !managers.Contains(n.DockerHost ?? _session.DockerHost, StringComparer.OrdinalIgnoreCase)
                        ? n with { DockerHost = managers[0] } : n).ToArray(),
            };
        }
        return spec with
        {
            Nodes = spec.Nodes.Select(n => n.DockerHost is null ? n
                : n with { DockerHost = engineOf[n.DockerHost] }).ToArray(),
        };
    }

    private static SlotRange ParseRange(string text)
    {
        var parts = text.Split('-');
        var a = int.Parse(parts[0], CultureInfo.InvariantCulture);
        return new SlotRange(a, parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : a);
    }
}
