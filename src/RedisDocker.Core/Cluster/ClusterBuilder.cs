namespace RedisDocker.Core.Topology;

/// <summary>New-RedisCluster -Count: a network (optionally), nodes and the cluster, all or nothing.</summary>
public sealed record ClusterFromScratchSpec
{
    public string? Network { get; init; }
    public string? NewNetworkName { get; init; }
    public string? Subnet { get; init; }
    public required int Count { get; init; }
    public int ReplicasPerPrimary { get; init; } = 1;
    public string? Image { get; init; }
    public string? Password { get; init; }
    public int ClusterNodeTimeoutMs { get; init; } = 5000;
    /// <summary>The Docker engine for the network and the nodes; the session's primary engine when null.</summary>
    public string? DockerHost { get; init; }
    /// <summary>On an overlay network without <see cref="DockerHost"/>: only swarm nodes with these labels
    /// ("key=value" or "key") take nodes.</summary>
    public IReadOnlyList<string>? SwarmNodeLabels { get; init; }
    /// <summary>TLS for every link of the cluster (clients, replication, bus) when set.</summary>
    public Security.TlsOptions? Tls { get; init; }
}

public sealed class ClusterBuilder : Workflow
{
    private readonly NodeOperations _nodes;
    private readonly NetworkOperations _networks;
    private readonly ClusterOperations _cluster;

    internal ClusterBuilder(RedisDockerSession session, IOperationSink sink,
        NodeOperations nodes, NetworkOperations networks, ClusterOperations cluster)
        : base(session, sink)
    {
        _nodes = nodes;
        _networks = networks;
        _cluster = cluster;
    }

    /// <summary>Makes everything; on failure removes what it made (nodes, volumes, and the network if it made
    /// it).</summary>
    /// <summary>
    /// The plan of CreateFromScratchAsync in words, for -WhatIf and -Confirm: the node names it would
    /// take now and the slots and replicas of each primary (one Docker host: names in order).
    /// </summary>
    public async Task<string> DescribePlanAsync(ClusterFromScratchSpec spec, CancellationToken ct)
    {
        var prefix = spec.Network ?? spec.NewNetworkName!;
        var names = await _nodes.NextNamesAsync(prefix, spec.Count, ct).ConfigureAwait(false);
        var plan = ClusterPlanner.Plan(names.Select(n => (n, "")).ToList(), spec.ReplicasPerPrimary);
        var primaries = plan.Primaries.Select(p =>
            $"{p.Name} (slots {string.Join(",", p.AllSlots)}"
                + $"{(p.Replicas.Count == 0 ? "" : $", replicas {string.Join(", ", p.Replicas)}")})");
        var network = spec.Network is not null ? $"network '{spec.Network}'"
            : $"new network '{spec.NewNetworkName}'{(spec.Subnet is null ? "" : $" ({spec.Subnet})")}";
        return $"{spec.Count} cluster nodes on {network}: {string.Join("; ", primaries)}";
    }

    public async Task<RedisCluster> CreateFromScratchAsync(ClusterFromScratchSpec spec, CancellationToken ct)
    {
        ClusterPlanner.Plan(Enumerable.Range(0, spec.Count).Select(i => ($"n{i}", "")).ToList(),
            spec.ReplicasPerPrimary);
        var netOps = _networks;
        var nodeOps = _nodes;
        string network;
        var madeNetwork = false;
        if (spec.Network is not null) network =
            (await netOps.RequireAsync(await _session.GetDockerAsync(spec.DockerHost, ct).ConfigureAwait(false),
                spec.Network, ct).ConfigureAwait(false)).Name;
        else
        {
            try
            {
                network = (await netOps.CreateAsync(new NetworkSpec { Name = spec.NewNetworkName!, Subnet = spec.Subnet,
                    DockerHost = spec.DockerHost }, ct)
                    .ConfigureAwait(false)).Name;
            }
            catch (RedisDockerException e) when (e.ErrorId == ErrorIds.NetworkNameTaken)
            {
                // Left by an earlier New-RedisCluster -Name (interrupted, or still running): say exactly what to do.
                var docker = await _session.GetDockerAsync(spec.DockerHost, ct).ConfigureAwait(false);
                var existing = await docker.InspectNetworkAsync(spec.NewNetworkName!, ct).ConfigureAwait(false);
                if (existing?.Labels.Get(Labels.Managed) != "true"
                    || existing.Labels.Get(Labels.Topology) is not { } t) throw;
                var held = await docker.ListContainersAsync(Labels.ForTopology(t), all: true, ct).ConfigureAwait(false);
                throw Errors.NetworkNameTaken(
                    $"Topology '{t}' already exists with {held.Count} node(s). If it is a finished cluster, use "
                    + $"it (Get-RedisCluster -Cluster {t}). "
                    + $"If a New-RedisCluster -Name {t} was interrupted (and none is running now), remove what it "
                    + $"left with Remove-RedisTopology {t} "
                    + "and run this command again; or choose another -Name.",
                    t, e);
            }
            madeNetwork = true;
        }
        var made = new List<string>();
        try
        {
            var names = await nodeOps.NextNamesAsync(network, spec.Count, ct).ConfigureAwait(false);
            var results = await nodeOps.CreateAsync(names.Select(n => new NodeSpec
            {
                Name = n,
                Network = network,
                Image = spec.Image,
                Password = spec.Password,
                ClusterEnabled = true,
                ClusterNodeTimeoutMs = spec.ClusterNodeTimeoutMs,
                DockerHost = spec.DockerHost,
                SwarmNodeLabels = spec.SwarmNodeLabels,
                Tls = spec.Tls,
            }).ToArray(), ct).ConfigureAwait(false);
            made.AddRange(results.Where(r => r.Node is not null).Select(r => r.Name));
            var failed = results.FirstOrDefault(r => r.Error is not null);
            if (failed is not null) throw ErrorTranslator.Translate(failed.Error!, failed.Name);
            return await _cluster.CreateAsync(names, spec.ReplicasPerPrimary, ct).ConfigureAwait(false);
        }
        catch (Exception)
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var left = new List<string>();
            foreach (var n in made)
            {
                try { await nodeOps.RemoveAsync(n, removeVolume: true, cleanup.Token).ConfigureAwait(false); }
                catch (Exception) { left.Add($"node {n}"); }
            }
            var gone = made.Where(n => !left.Contains($"node {n}")).ToArray();
            if (ct.IsCancellationRequested && gone.Length > 0)
                _sink.Warning($"Stopped: removed the cluster's node(s) with their volumes: {string.Join(", ", gone)}.");
            if (madeNetwork)
            {
                try
                {
                    await netOps.RemoveAsync(network, force: true, cleanup.Token).ConfigureAwait(false);
                    if (ct.IsCancellationRequested) _sink.Warning($"Stopped: removed network '{network}', made for "
                        + "this cluster.");
                }
                catch (Exception) { left.Add($"network {network}"); }
            }
            if (left.Count > 0) _sink.Warning("Could not remove everything after the failure; still there: "
                + $"{string.Join(", ", left)}.");
            throw;
        }
    }
}
