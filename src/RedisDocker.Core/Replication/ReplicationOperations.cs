using System.Globalization;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Primary/replica replication: REPLICAOF with masterauth, persisted, waited for.</summary>
public sealed class ReplicationOperations : Workflow
{
    private readonly NodeOperations _nodes;

    internal ReplicationOperations(RedisDockerSession session, IOperationSink sink, NodeOperations nodes)
        : base(session, sink) => _nodes = nodes;

    public TimeSpan SyncTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Makes the node a replica of the primary, persists it (CONFIG REWRITE) and waits for the initial
    /// sync.</summary>
    public async Task<RedisNode> SetReplicaAsync(string replicaName, string primaryName, CancellationToken ct)
    {
        var nodes = _nodes;
        var replica = await nodes.GetOneAsync(replicaName, ct).ConfigureAwait(false);
        var primary = await nodes.GetOneAsync(primaryName, ct).ConfigureAwait(false);
        if (string.Equals(replica.Name, primary.Name, StringComparison.OrdinalIgnoreCase))
            throw Errors.InvalidArgument($"'{replica.Name}' cannot be a replica of itself.", replicaName);
        foreach (var n in new[] { replica, primary })
        {
            if (n.ClusterEnabled)
                throw Errors.ClusterModeNotAllowed(
                    $"'{n.Name}' runs in cluster mode, where Redis refuses REPLICAOF ('replicaof directive not "
                    + "allowed in cluster mode'). In a cluster, attach a replica with Add-RedisClusterNode -Cluster "
                    + $"{n.Topology} -Node <name> -Primary <primary>, or create it with New-RedisCluster "
                    + "-ReplicasPerPrimary.",
                    n.Name);
            if (n.Kind != RedisNodeKind.Redis)
                throw Errors.SentinelIsNotARedisNode(n.Name);
            if (n.HostEndpoint is null)
                throw Errors.NodeNotRunning(n.Name, n.State);
        }
        if (replica.Topology != primary.Topology)
            throw Errors.TopologyMismatch(
                $"'{replica.Name}' (topology '{replica.Topology}') and '{primary.Name}' (topology "
                + $"'{primary.Topology}') do not share a password; replication works inside one topology.",
                replicaName);
        var primaryIp = await AddressReachableFromAsync(replica, primary, ct).ConfigureAwait(false);

        var conn = await _session.ConnectAsync(replica, ct).ConfigureAwait(false);
        _sink.Verbose($"{replica.Name}: REPLICAOF {primaryIp} {primary.Port} ({primary.Name}), then CONFIG REWRITE so "
            + "a restart keeps the role.");
        (await conn.SendAsync(new object[] { "REPLICAOF", primaryIp, primary.Port }, ct).ConfigureAwait(false))
            .ThrowIfError();
        // The primary's split-brain bound goes with the replica: if the sentinels promote it, the bound holds there
        // too.
        var (minReplicas, maxLag) = await GetWriteBoundAsync(_session, primary, ct).ConfigureAwait(false);
        if (minReplicas > 0)
        {
            _sink.Verbose($"{replica.Name}: min-replicas-to-write {minReplicas}, min-replicas-max-lag {maxLag} (as on "
                + $"{primary.Name}).");
            await SetWriteBoundAsync(_session, replica, minReplicas, maxLag, ct, rewrite: false).ConfigureAwait(false);
        }
        (await conn.SendAsync(new object[] { "CONFIG", "REWRITE" }, ct).ConfigureAwait(false)).ThrowIfError();
        await WaitLinkedAsync(replica, conn, ct).ConfigureAwait(false);
        return await nodes.GetOneAsync(replica.Name, ct).ConfigureAwait(false);
    }

    /// <summary>min-replicas-to-write and min-replicas-max-lag of a node (the split-brain bound).</summary>
    public static async Task<(int MinReplicas, int MaxLag)> GetWriteBoundAsync(RedisDockerSession session,
        RedisNode node, CancellationToken ct)
    {
        var conn = await session.ConnectAsync(node, ct).ConfigureAwait(false);
        var r = (await conn.SendAsync(new object[] { "CONFIG", "GET", "min-replicas-*" }, ct).ConfigureAwait(false))
            .ThrowIfError().AsArray();
        int min = 0, lag = 10;
        for (var i = 0; i + 1 < r.Count; i += 2)
        {
            var v = int.Parse(r[i + 1].AsString(), CultureInfo.InvariantCulture);
            if (r[i].AsString() == "min-replicas-to-write") min = v;
            else if (r[i].AsString() == "min-replicas-max-lag") lag = v;
        }
        return (min, lag);
    }

    /// <summary>Sets the split-brain bound on a node and, unless told otherwise, persists it (CONFIG
    /// REWRITE).</summary>
    public static async Task SetWriteBoundAsync(RedisDockerSession session, RedisNode node, int minReplicas, int maxLag,
        CancellationToken ct,
        bool rewrite = true)
    {
        var conn = await session.ConnectAsync(node, ct).ConfigureAwait(false);
        (await conn.SendAsync(new object[] { "CONFIG", "SET", "min-replicas-max-lag", maxLag }, ct)
            .ConfigureAwait(false)).ThrowIfError();
        (await conn.SendAsync(new object[] { "CONFIG", "SET", "min-replicas-to-write", minReplicas }, ct)
            .ConfigureAwait(false)).ThrowIfError();
        if (rewrite) (await conn.SendAsync(new object[] { "CONFIG", "REWRITE" }, ct).ConfigureAwait(false))
            .ThrowIfError();
    }

    /// <summary>Waits until master_link_status:up and the initial sync is done.</summary>
    public async Task WaitLinkedAsync(RedisNode replica, RespConnection conn, CancellationToken ct)
    {
        await Waiter.UntilAsync(_sink, $"Initial sync of {replica.Name}", SyncTimeout, async c =>
        {
            var info = RedisInfo.Parse((await conn.SendAsync(new object[] { "INFO", "replication" }, c)
                .ConfigureAwait(false)).ThrowIfError().AsString());
            var link = info.GetValueOrDefault("master_link_status");
            var syncing = info.GetValueOrDefault("master_sync_in_progress") == "1";
            return (link == "up" && !syncing, syncing ? "sync in progress" : $"link {link}");
        }, ct, ErrorIds.ReplicationFailed, s =>
            $"'{replica.Name}' did not finish its initial sync within {SyncTimeout.TotalSeconds:0} s ({s}). Check the "
                + $"primary is running and reachable, and Get-RedisReplication {replica.Name}.").ConfigureAwait(false);
    }

    /// <summary>The primary's address on a network the replica is attached to, or a clear error.</summary>
    private async Task<string> AddressReachableFromAsync(RedisNode replica, RedisNode primary, CancellationToken ct)
    {
        // Host-network nodes reach each other at their announce addresses, across Docker hosts.
        if (replica.Labels.Get(Labels.HostNetwork) == "true" && primary.Labels.Get(Labels.HostNetwork) == "true"
            && primary.IPAddress is not null)
            return primary.IPAddress;
        var r = (await _session.FindContainerAsync(replica.Id, ct).ConfigureAwait(false)
            ?? throw NodeOperations.NotFound(replica.Name)).Info;
        var p = (await _session.FindContainerAsync(primary.Id, ct).ConfigureAwait(false)
            ?? throw NodeOperations.NotFound(primary.Name)).Info;
        // Across Docker hosts only a swarm overlay joins them: the same network (one id on every engine).
        var overlay = p.Networks.FirstOrDefault(kv => r.Networks.TryGetValue(kv.Key, out var rn)
            && rn.NetworkId == kv.Value.NetworkId && kv.Value.NetworkId.Length > 0
            && !string.IsNullOrEmpty(kv.Value.IPAddress));
        if (replica.DockerHost != primary.DockerHost && overlay.Value is not null) return overlay.Value.IPAddress;
        if (replica.DockerHost != primary.DockerHost)
            throw Errors.NodeNotReachable(
                $"'{replica.Name}' ({replica.DockerHost}) and '{primary.Name}' ({primary.DockerHost}) are on "
                + "different Docker hosts and share no overlay network; across hosts, put both on an overlay "
                + "(New-RedisNetwork -Driver Overlay), or create both with -HostNetwork and -AnnounceAddress.",
                replica.Name);
        foreach (var (net, info) in p.Networks)
            if (r.Networks.ContainsKey(net) && !string.IsNullOrEmpty(info.IPAddress)) return info.IPAddress;
        throw Errors.NodeNotReachable(
            $"'{replica.Name}' cannot reach '{primary.Name}': they share no network "
            + $"({string.Join(", ", r.Networks.Keys)} vs {string.Join(", ", p.Networks.Keys)}). Connect one to the "
            + "other's network with Connect-RedisNetwork.",
            replica.Name);
    }

    /// <summary>REPLICAOF NO ONE: the node becomes a standalone primary (persisted).</summary>
    public async Task<RedisNode> PromoteAsync(string name, CancellationToken ct)
    {
        var nodes = _nodes;
        var node = await nodes.GetOneAsync(name, ct).ConfigureAwait(false);
        if (node.ClusterEnabled)
            throw Errors.ClusterModeNotAllowed(
                $"'{node.Name}' runs in cluster mode; promote a cluster replica with Invoke-RedisFailover.",
                name);
        var conn = await _session.ConnectAsync(node, ct).ConfigureAwait(false);
        _sink.Verbose($"{node.Name}: REPLICAOF NO ONE, then CONFIG REWRITE.");
        (await conn.SendAsync(new object[] { "REPLICAOF", "NO", "ONE" }, ct).ConfigureAwait(false)).ThrowIfError();
        // A standalone primary has no replicas: the split-brain bound of its former group would refuse every write.
        var (minReplicas, maxLag) = await GetWriteBoundAsync(_session, node, ct).ConfigureAwait(false);
        if (minReplicas > 0)
        {
            _sink.Warning($"'{node.Name}' is a standalone primary now: its min-replicas-to-write {minReplicas} (the "
                + "bound of " +
                "its former group) would refuse every write without replicas, so it is set to 0. Set-RedisReplica " +
                "nodes to it and New-RedisSentinel -MinReplicasToWrite bring a bound back.");
            await SetWriteBoundAsync(_session, node, 0, maxLag, ct, rewrite: false).ConfigureAwait(false);
        }
        (await conn.SendAsync(new object[] { "CONFIG", "REWRITE" }, ct).ConfigureAwait(false)).ThrowIfError();
        return await nodes.GetOneAsync(name, ct).ConfigureAwait(false);
    }

    /// <summary>A primary's replicas from INFO replication: each slaveN line
    /// ("ip=..,port=..,state=..,offset=..,lag=..") as fields.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string,
        string>> ReplicaLines(IReadOnlyDictionary<string, string> info)
    {
        var list = new List<IReadOnlyDictionary<string, string>>();
        for (var i = 0; info.TryGetValue($"slave{i}", out var line); i++)
            list.Add(line.Split(',').Select(x => x.Split('=', 2)).Where(x => x.Length == 2)
                .ToDictionary(x => x[0], x => x[1]));
        return list;
    }

    /// <summary>INFO replication of a node, its primary and replicas named from a snapshot of the topology.</summary>
    public async Task<RedisReplicationInfo> GetAsync(string name, CancellationToken ct)
    {
        var node = await _nodes.GetOneAsync(name, ct).ConfigureAwait(false);
        // Its primary and replicas are named from one read of the topology (Redis reports container addresses).
        var snapshot = await _nodes.SnapshotAsync(node.Topology, ct, includeSentinels: false).ConfigureAwait(false);
        var conn = await _session.ConnectAsync(node, ct).ConfigureAwait(false);
        var info = RedisInfo.Parse((await conn.SendAsync(new object[] { "INFO", "replication" }, ct)
            .ConfigureAwait(false)).ThrowIfError().AsString());
        long L(string k) => long.TryParse(info.GetValueOrDefault(k), NumberStyles.Integer, CultureInfo.InvariantCulture,
            out var v) ? v : 0;
        var role = info.GetValueOrDefault("role") == "slave" ? RedisRole.Replica : RedisRole.Primary;
        string? primaryEndpoint = null, primaryHost = null, primaryName = null;
        long? lag = null;
        if (role == RedisRole.Replica)
        {
            primaryEndpoint = $"{info.GetValueOrDefault("master_host")}:{info.GetValueOrDefault("master_port")}";
            if (snapshot.TryTranslate(primaryEndpoint,
                out var mapped)) { primaryHost = mapped.HostEndpoint; primaryName = mapped.NodeName; }
            if (primaryHost is not null)
            {
                try
                {
                    var pconn = await _session.ConnectAsync(primaryHost,
                        await _session.GetPasswordAsync(node.Topology, ct).ConfigureAwait(false), ct)
                            .ConfigureAwait(false);
                    var pinfo = RedisInfo.Parse((await pconn.SendAsync(new object[] { "INFO", "replication" }, ct)
                        .ConfigureAwait(false)).AsString());
                    if (long.TryParse(pinfo.GetValueOrDefault("master_repl_offset"), out var po)) lag =
                        Math.Max(0, po - L("slave_repl_offset"));
                }
                catch (RedisException) { }
            }
        }
        var replicas = new List<RedisReplicaLink>();
        foreach (var f in ReplicaLines(info))
        {
            var ep = $"{f.GetValueOrDefault("ip")}:{f.GetValueOrDefault("port")}";
            snapshot.TryTranslate(ep, out var m);
            replicas.Add(new RedisReplicaLink(m?.NodeName, ep, m?.HostEndpoint, f.GetValueOrDefault("state") ?? "",
                long.TryParse(f.GetValueOrDefault("offset"), out var off) ? off : 0,
                long.TryParse(f.GetValueOrDefault("lag"), out var lg) ? lg : 0));
        }
        return new RedisReplicationInfo
        {
            Name = node.Name,
            Topology = node.Topology,
            Role = role,
            PrimaryName = primaryName,
            PrimaryContainerEndpoint = primaryEndpoint,
            PrimaryHostEndpoint = primaryHost,
            LinkStatus = info.GetValueOrDefault("master_link_status"),
            SyncInProgress = info.GetValueOrDefault("master_sync_in_progress") == "1",
            LastIOSecondsAgo = info.TryGetValue("master_last_io_seconds_ago", out var io)
                && long.TryParse(io, out var iov) ? iov : null,
            ReplicationOffset = L("master_repl_offset"),
            LagBytes = lag,
            ConnectedReplicas = (int)L("connected_slaves"),
            Replicas = replicas,
        };
    }
}
