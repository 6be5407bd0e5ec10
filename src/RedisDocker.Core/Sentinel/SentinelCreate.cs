using System.Globalization;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Sentinel workflow: New-RedisSentinel (sentinels made, primary write bound, discovery awaited).</summary>
public sealed partial class SentinelOperations
{
    public async Task<RedisSentinelGroup> CreateAsync(SentinelGroupSpec spec, CancellationToken ct)
    {
        foreach (var w in ValidateQuorum(spec.Count, spec.Quorum)) _sink.Warning(w);
        var nodeOps = _nodes;
        var primary = await nodeOps.GetOneAsync(spec.Primary, ct).ConfigureAwait(false);
        if (primary.ClusterEnabled)
            throw Errors.ClusterModeNotAllowed(
                $"'{primary.Name}' runs in cluster mode; Redis Cluster fails over by itself, without sentinels. Use "
                + "Invoke-RedisFailover on its replicas.",
                primary.Name);
        if (primary.Kind != RedisNodeKind.Redis || primary.Role != RedisRole.Primary)
            throw Errors.InvalidArgument(
                $"'{primary.Name}' is not a running primary (it reports {primary.Role}). Give the current primary.",
                primary.Name);
        var masterName = spec.MasterName ?? primary.Topology;
        NetworkOperations.ValidateName(masterName, "master");
        var primaryConn0 = await _session.ConnectAsync(primary, ct).ConfigureAwait(false);
        var replicaCount = ReplicationOperations.ReplicaLines(RedisInfo.Parse((await primaryConn0.SendAsync(new object[]
            { "INFO", "replication" }, ct)
            .ConfigureAwait(false)).ThrowIfError().AsString())).Count;
        var minReplicas = spec.MinReplicasToWrite ?? (replicaCount > 0 ? 1 : 0);
        if (minReplicas < 0 || minReplicas > replicaCount)
            throw Errors.InvalidArgument(
                $"-MinReplicasToWrite {minReplicas} cannot be met: '{primary.Name}' has {replicaCount} "
                + "replica(s), so it would refuse every write. "
                + $"Give a value from 0 to {replicaCount} (0 turns the split-brain bound off).",
                minReplicas);
        if (spec.MinReplicasMaxLag < 1)
            throw Errors.InvalidArgument("-MinReplicasMaxLag must be at least 1 (seconds).", spec.MinReplicasMaxLag);
        var existing = await nodeOps.GetAsync(new NodeFilter { Topology = primary.Topology, SentinelsOnly = true }, ct)
            .ConfigureAwait(false);
        if (existing.Any(s => s.SentinelGroup == masterName))
            throw Errors.NodeNameTaken(
                $"Topology '{primary.Topology}' already has a sentinel group '{masterName}'. See it with "
                + $"Get-RedisSentinel -MasterName {masterName}.",
                masterName);
        var names = await nodeOps.NextNamesAsync($"{primary.Topology}-sentinel", spec.Count, ct).ConfigureAwait(false);
        var hostNetwork = primary.Labels.Get(Labels.HostNetwork) == "true";
        if (hostNetwork && spec.AnnounceAddresses is not { Count: > 0 })
            throw Errors.InvalidArgument(
                $"'{primary.Name}' uses its host's network, so the sentinels do too: give -AnnounceAddress (one per "
                + "Docker host of -DockerHost, in the same order).",
                primary.Name);
        string? HostOf(int i) => spec.DockerHosts is { Count: > 0 } h ? h[i % h.Count] : null;
        // On an overlay the sentinels spread over the swarm's nodes (one per swarm node first).
        var overlay = !hostNetwork && await nodeOps.IsOverlayAsync(primary.Network!, ct).ConfigureAwait(false);
        if (spec.SwarmNodeLabels is { Count: > 0 } && !overlay)
            throw Errors.InvalidArgument(
                $"-SwarmNodeLabel places sentinels on Docker Swarm nodes: '{primary.Name}' is not on an overlay "
                + "network.", primary.Name);
        var results = await nodeOps.CreateAsync(names.Select((n, i) => new NodeSpec
        {
            Tls = spec.Tls,
            Name = n,
            Network = hostNetwork ? "host" : primary.Network!,
            Image = spec.Image ?? primary.Image,
            // Host-network sentinels of one host need their own ports: one more per sentinel.
            Port = hostNetwork ? spec.Port + i : spec.Port,
            HostNetwork = hostNetwork,
            AnnounceAddress = hostNetwork ? spec.AnnounceAddresses![i % spec.AnnounceAddresses.Count] : null,
            DockerHost = hostNetwork ? HostOf(i) : overlay ? null : primary.DockerHost,
            SwarmNodeLabels = overlay ? spec.SwarmNodeLabels : null,
            Topology = hostNetwork ? primary.Topology : null,
            Sentinel = new SentinelConfig
            {
                Password = "",
                AnnounceIp = "",
                MasterName = masterName,
                PrimaryIp = primary.IPAddress!,
                PrimaryPort = primary.Port,
                Quorum = spec.Quorum,
                DownAfterMs = spec.DownAfterMs,
                FailoverTimeoutMs = spec.FailoverTimeoutMs,
                ParallelSyncs = spec.ParallelSyncs,
            },
        }).ToArray(), ct).ConfigureAwait(false);
        var made = results.Where(r => r.Node is not null).Select(r => r.Node!).ToList();
        try
        {
            if (results.FirstOrDefault(r =>
                r.Error is not null) is { } failed) throw ErrorTranslator.Translate(failed.Error!, failed.Name);
            var primaryConn = await _session.ConnectAsync(primary, ct).ConfigureAwait(false);
            var replicas = int.Parse(RedisInfo.Parse((await primaryConn.SendAsync(new object[] { "INFO",
                "replication" }, ct).ConfigureAwait(false)).AsString()).GetValueOrDefault("connected_slaves", "0"),
                    CultureInfo.InvariantCulture);
            await WaitDiscoveryAsync(made, masterName, replicas, ct).ConfigureAwait(false);
            await ApplyWriteBoundAsync(primary, minReplicas, spec.MinReplicasMaxLag, ct).ConfigureAwait(false);
        }
        catch (Exception)
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            foreach (var s in made)
            {
                try { await nodeOps.RemoveAsync(s.Name, removeVolume: true, cleanup.Token).ConfigureAwait(false); }
                catch (Exception e) { _sink.Warning($"Could not remove sentinel '{s.Name}' after the failure: "
                    + $"{e.Message}"); }
            }
            throw;
        }
        return (await GetAsync(primary.Topology, masterName, ct).ConfigureAwait(false)).Single();
    }

    /// <summary>
    /// Sets min-replicas-to-write / min-replicas-max-lag on the primary and on each of its replicas (a replica the
    /// sentinels promote keeps the bound), persisted with CONFIG REWRITE.
    /// </summary>
    private async Task ApplyWriteBoundAsync(RedisNode primary, int minReplicas, int maxLag, CancellationToken ct)
    {
        var members = (await _quietNodes.GetAsync(new NodeFilter { Topology = primary.Topology,
            IncludeSentinels = false }, ct)
                .ConfigureAwait(false))
            .Where(n => n.HostEndpoint is not null && !n.ClusterEnabled &&
                        (n.Name == primary.Name || (n.Role == RedisRole.Replica
                            && n.PrimaryEndpoint == primary.ContainerEndpoint)))
            .ToList();
        _sink.Verbose(minReplicas == 0
            ? $"No split-brain bound: '{primary.Name}' accepts writes even when no replica receives them "
                + "(min-replicas-to-write 0)."
            : $"Split-brain bound on '{primary.Name}' and its replicas: writes are refused unless {minReplicas} "
                + $"replica(s) lag at most {maxLag} s " +
              "(min-replicas-to-write, min-replicas-max-lag).");
        foreach (var n in members)
            await ReplicationOperations.SetWriteBoundAsync(_session, n, minReplicas, maxLag, ct).ConfigureAwait(false);
    }

    /// <summary>Waits until every sentinel sees the primary, all its replicas and all other sentinels.</summary>
    private async Task WaitDiscoveryAsync(IReadOnlyList<RedisNode> sentinels, string masterName, int replicas,
        CancellationToken ct)
    {
        await Waiter.UntilAsync(_sink, $"Sentinels discovering '{masterName}'", DiscoveryTimeout, async c =>
        {
            var missing = new List<string>();
            foreach (var s in sentinels)
            {
                try
                {
                    var conn = await _session.ConnectAsync(s, c).ConfigureAwait(false);
                    var m = ToMap(await conn.SendAsync(new object[] { "SENTINEL", "MASTER", masterName }, c)
                        .ConfigureAwait(false));
                    var others = int.Parse(m.GetValueOrDefault("num-other-sentinels", "0"),
                        CultureInfo.InvariantCulture);
                    var slaves = int.Parse(m.GetValueOrDefault("num-slaves", "0"), CultureInfo.InvariantCulture);
                    if (m.GetValueOrDefault("flags") != "master") missing.Add($"{s.Name} sees flags "
                        + $"{m.GetValueOrDefault("flags")}");
                    if (others < sentinels.Count
                        - 1) missing.Add($"{s.Name} knows {others} of {sentinels.Count - 1} other sentinels");
                    if (slaves < replicas) missing.Add($"{s.Name} knows {slaves} of {replicas} replicas");
                }
                catch (RedisException e) { missing.Add($"{s.Name}: {e.Message}"); }
            }
            return (missing.Count == 0, missing.Count == 0 ? "all agree" : string.Join("; ", missing.Take(3)));
        }, ct, ErrorIds.Timeout, s =>
            $"The sentinels did not all discover '{masterName}' within {DiscoveryTimeout.TotalSeconds:0} s: {s}.",
                pollMs: 200).ConfigureAwait(false);
    }
}
