using System.Text;
using RedisDocker.Core.Docker;

namespace RedisDocker.Core.Topology;

/// <summary>Topology workflow: Stop-, Start- and Remove-RedisTopology (the whole topology, in a safe order).</summary>
public sealed partial class TopologyOperations
{
    /// <summary>Removes every container, volume (unless kept) and network of the topology, like compose down.</summary>
    public async Task RemoveAsync(string name, bool keepVolumes, CancellationToken ct)
    {
        await RequireAsync(name, ct).ConfigureAwait(false);
        var labels = Labels.ForTopology(name);
        var engines = await _session.OnEveryEngineAsync((d, c) => Task.FromResult(d), _sink, ct).ConfigureAwait(false);
        foreach (var (docker, _) in engines)
            await RemoveFromEngineAsync(docker, name, labels, keepVolumes, ct).ConfigureAwait(false);
        // An overlay of a swarm: through a manager, once the containers of every engine are gone.
        await Swarm.OverlayNetworks.RemoveAsync(engines.Select(e => e.Docker), labels, _sink, ct)
            .ConfigureAwait(false);
        var missed = _session.Hosts.Select(h => h.ToString()).Except(engines.Select(e => e.Docker.Endpoint.ToString()))
            .ToList();
        if (missed.Count > 0)
            throw Errors.DockerUnreachable(
                $"Topology '{name}' was removed from every Docker host but {string.Join(", ", missed)}, which did "
                + $"not answer: run Remove-RedisTopology {name} again when it is back.",
                name);
        _session.ForgetPassword(name);
    }

    private async Task RemoveFromEngineAsync(DockerClient docker, string name, Dictionary<string, string?> labels,
        bool keepVolumes, CancellationToken ct)
    {
        await Task.WhenAll((await docker.ListContainersAsync(labels, all: true, ct).ConfigureAwait(false))
            .Select(async c =>
        {
            _sink.Verbose($"Removing container '{c.Names.FirstOrDefault()}'.");
            await WhileOtherRemovalAsync(() => docker.RemoveContainerAsync(c.Id, force: true, removeVolumes: false, ct),
                async () =>
                await docker.InspectContainerAsync(c.Id, ct).ConfigureAwait(false) is null, ct).ConfigureAwait(false);
            foreach (var n in c.Names) _session.EndpointMap.ForgetNode(n);
        })).ConfigureAwait(false);
        if (!keepVolumes)
            await Task.WhenAll((await docker.ListVolumesAsync(labels, ct).ConfigureAwait(false)).Select(async v =>
            {
                _sink.Verbose($"Removing volume '{v.Name}'.");
                await WhileOtherRemovalAsync(() => docker.RemoveVolumeAsync(v.Name, force: true, ct), null, ct)
                    .ConfigureAwait(false);
            })).ConfigureAwait(false);
        var networks = await docker.ListNetworksAsync(labels, ct).ConfigureAwait(false);
        foreach (var n in networks.Where(n => n.Scope != "swarm"))
        {
            _sink.Verbose($"Removing network '{n.Name}'.");
            await WhileOtherRemovalAsync(() => docker.RemoveNetworkAsync(n.Id, ct), null, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One removal step that another removal of the same topology may be doing at the same time: Docker answers 409
    /// (removal already in progress, volume or network still in use by a container being removed). That counts as
    /// done once the other removal finishes; the step is retried (bounded) until it succeeds or the object is gone.
    /// </summary>
    private static async Task WhileOtherRemovalAsync(Func<Task> remove, Func<Task<bool>>? gone, CancellationToken ct)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await remove().ConfigureAwait(false);
                return;
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict
                && sw.Elapsed < TimeSpan.FromSeconds(60))
            {
                if (gone is not null && await gone().ConfigureAwait(false)) return;
                await Task.Delay(250, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops the whole topology: sentinels first (no failover while it goes down), then replicas, then
    /// primaries.</summary>
    public async Task<RedisTopology> StopAsync(string name, CancellationToken ct)
    {
        await RequireAsync(name, ct).ConfigureAwait(false);
        var nodes = await Nodes.GetAsync(new NodeFilter { Topology = name }, ct).ConfigureAwait(false);
        var order = nodes.Where(n => n.State == "running")
            .OrderBy(n => n.Kind == RedisNodeKind.Sentinel ? 0 : n.Role == RedisRole.Replica ? 1 : 2).ToList();
        foreach (var wave in order.GroupBy(n => n.Kind == RedisNodeKind.Sentinel ? 0 : n.Role == RedisRole.Replica ? 1
            : 2))
            await Task.WhenAll(wave.Select(n => Nodes.StopAsync(n.Name, 10, ct))).ConfigureAwait(false);
        return await RequireAsync(name, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the whole topology (primaries, then replicas, then sentinels; cluster nodes together)
    /// and waits until it is healthy: the cluster converged, every sentinel group with its quorum, every replica
    /// linked.
    /// </summary>
    public async Task<RedisTopology> StartAsync(string name, CancellationToken ct)
    {
        await RequireAsync(name, ct).ConfigureAwait(false);
        var nodes = await Nodes.GetAsync(new NodeFilter { Topology = name }, ct).ConfigureAwait(false);
        var stopped = nodes.Where(n => n.State != "running").ToList();
        // Roles of stopped nodes come from their configuration (CONFIG REWRITE keeps replicaof).
        var waves = new List<List<RedisNode>> { new(), new(), new() };
        foreach (var n in stopped)
        {
            if (n.Kind == RedisNodeKind.Sentinel) { waves[2].Add(n); continue; }
            var config = await ReadConfigAsync(await _session.GetDockerAsync(n.DockerHost, ct).ConfigureAwait(false), n,
                ct).ConfigureAwait(false);
            waves[n.ClusterEnabled || RedisConfigRenderer.ReadDirective(config ?? "", "replicaof") is null ? 0
                : 1].Add(n);
        }
        // While sentinels still run, a returning node asks them who is primary now (never a stray primary);
        // when the whole group was stopped, each node starts with the role its configuration kept.
        var sentinelsRunning = nodes.Any(n => n.Kind == RedisNodeKind.Sentinel && n.State == "running");
        foreach (var wave in waves.Where(w => w.Count > 0))
            await Task.WhenAll(wave.Select(n => Nodes.StartAsync(n.Name, ct, consultSentinels: sentinelsRunning)))
                .ConfigureAwait(false);
        await WaitHealthyAsync(name, ct).ConfigureAwait(false);
        return await RequireAsync(name, ct).ConfigureAwait(false);
    }

    private async Task WaitHealthyAsync(string name, CancellationToken ct)
    {
        var nodes = await Nodes.GetAsync(new NodeFilter { Topology = name }, ct).ConfigureAwait(false);
        if (nodes.Any(n => n.ClusterEnabled))
            await _cluster.WaitHealthyAsync(name, ct).ConfigureAwait(false);
        var sentinels = _sentinels;
        foreach (var group in nodes.Where(n => n.SentinelGroup is not null).Select(n => n.SentinelGroup!).Distinct())
        {
            await Waiter.UntilAsync(_sink, $"Sentinel group '{group}' healthy", TimeSpan.FromSeconds(90), async c =>
            {
                var g = (await sentinels.GetAsync(name, group, c).ConfigureAwait(false)).Single();
                var ok = g.QuorumOk && g.ReachableSentinels == g.SentinelCount && g.Flags == "master";
                return (ok, $"{g.Flags}; {g.ReachableSentinels} of {g.SentinelCount} sentinels; {g.CkQuorum}");
            }, ct, pollMs: 250).ConfigureAwait(false);
        }
        await WaitReplicasLinkedAsync(nodes, ct).ConfigureAwait(false);
    }

    /// <summary>How long Start-RedisTopology waits for the replicas outside a cluster to link to their
    /// primary.</summary>
    public TimeSpan ReplicaLinkTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Replicas outside a cluster (a sentinel group's, or plain ones) link to their primary only after both started,
    /// and a full sync may follow: health reports a replica that is not linked, so the start waits for the links
    /// (cluster replicas are waited for with the cluster). A replica that cannot link within the bound (its primary
    /// gone) is left to the health the cmdlet returns.
    /// </summary>
    private async Task WaitReplicasLinkedAsync(IReadOnlyList<RedisNode> nodes, CancellationToken ct)
    {
        var replicas = nodes.Where(n => n.Kind == RedisNodeKind.Redis && !n.ClusterEnabled
            && n.HostEndpoint is not null && n.Role == RedisRole.Replica).ToList();
        if (replicas.Count == 0) return;
        try
        {
            await Waiter.UntilAsync(_sink, "Replicas linking to their primary", ReplicaLinkTimeout, async c =>
            {
                var unlinked = new List<string>();
                foreach (var n in replicas)
                {
                    var conn = await _session.ConnectAsync(n, c).ConfigureAwait(false);
                    var role = await conn.SendAsync(new object[] { "ROLE" }, c).ConfigureAwait(false);
                    // A replica that the sentinels promoted meanwhile has no link to wait for.
                    if (TopologyHealth.IsUnlinkedReplica(role)) unlinked.Add($"{n.Name} {role.Items![3].Text}");
                }
                return (unlinked.Count == 0, unlinked.Count == 0 ? "linked" : string.Join(", ", unlinked));
            }, ct, pollMs: 250).ConfigureAwait(false);
        }
        catch (RedisDockerException e) when (e.ErrorId == ErrorIds.Timeout && !ct.IsCancellationRequested)
        {
            _sink.Verbose($"Not every replica linked to its primary within {ReplicaLinkTimeout.TotalSeconds:0} s: "
                + "the topology's health names them.");
        }
    }

    private static async Task<string?> ReadConfigAsync(DockerClient docker, RedisNode n, CancellationToken ct)
    {
        var path = n.Labels.Get(Labels.ConfigPath);
        if (path is null) return null;
        var bytes = await docker.ReadFileAsync(n.Id, path, ct).ConfigureAwait(false);
        return bytes is null ? null : Encoding.UTF8.GetString(bytes);
    }
}
