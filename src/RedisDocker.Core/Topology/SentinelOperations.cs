using System.Diagnostics;
using System.Globalization;
using System.Text;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Sentinel;

namespace RedisDocker.Core.Topology;

/// <summary>What New-RedisSentinel asks for.</summary>
public sealed record SentinelGroupSpec
{
    public required string Primary { get; init; }
    public int Count { get; init; } = 3;
    public int Quorum { get; init; } = 2;
    public string? MasterName { get; init; }
    public int DownAfterMs { get; init; } = 5000;
    public int FailoverTimeoutMs { get; init; } = 60000;
    public int ParallelSyncs { get; init; } = 1;
    public string? Image { get; init; }
    /// <summary>The sentinel port (bridged sentinels), or the first port (host-network sentinels: one more per sentinel).</summary>
    public int Port { get; init; } = 26379;
    /// <summary>Host-network primary: the Docker engines of the sentinels, in turn (null = the session's primary engine).</summary>
    public IReadOnlyList<string?>? DockerHosts { get; init; }
    /// <summary>Host-network primary: the announce address of each sentinel's host, in the same turn as <see cref="DockerHosts"/>.</summary>
    public IReadOnlyList<string>? AnnounceAddresses { get; init; }
    /// <summary>
    /// Split-brain bound set on the primary and every replica (so a promoted replica keeps it): writes are refused
    /// unless this many replicas are connected and lag at most <see cref="MinReplicasMaxLag"/> s. Null: 1 when the
    /// primary has a replica, else 0. 0 turns the bound off.
    /// </summary>
    public int? MinReplicasToWrite { get; init; }
    public int MinReplicasMaxLag { get; init; } = 2;
    /// <summary>-Tls: asserts the group's topology uses TLS (sentinels always use the topology's TLS settings).
    /// </summary>
    public Security.TlsOptions? Tls { get; init; }
}

/// <summary>Sentinel groups: create, read, fail over, and keep a returning old primary from taking writes.</summary>
public sealed class SentinelOperations
{
    private readonly RedisDockerSession _session;
    private readonly IOperationSink _sink;

    public SentinelOperations(RedisDockerSession session, IOperationSink sink)
    {
        _session = session;
        _sink = sink;
    }

    public TimeSpan DiscoveryTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Checks a quorum against a sentinel count; returns warnings for fragile layouts.</summary>
    public static IReadOnlyList<string> ValidateQuorum(int count, int quorum)
    {
        if (count < 1)
            throw Errors.SentinelQuorumInvalid("-Count must be at least 1.", count);
        if (quorum < 1 || quorum > count)
            throw Errors.SentinelQuorumInvalid(
                $"-Quorum {quorum} cannot be reached by {count} sentinel(s): "
                + "the quorum must be between 1 and the sentinel count. "
                + $"Give -Quorum {count / 2 + 1} (usual for {count} sentinels) or add sentinels with -Count.",
                quorum);
        var warnings = new List<string>();
        if (count == 1)
            warnings.Add("A single sentinel dies with its one container, and then nothing fails over. Use -Count 3.");
        var majority = count / 2 + 1;
        if (count - 1 < Math.Max(quorum, majority))
            warnings.Add($"After the loss of one sentinel, {count - 1} remain: fewer than the {(quorum > majority ? $"quorum of {quorum}" : $"majority of {majority} needed to authorise a failover")}. Use at least 3 sentinels with a quorum of 2.");
        return warnings;
    }

    public async Task<RedisSentinelGroup> CreateAsync(SentinelGroupSpec spec, CancellationToken ct)
    {
        foreach (var w in ValidateQuorum(spec.Count, spec.Quorum)) _sink.Warning(w);
        var nodeOps = new NodeOperations(_session, _sink);
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
        var replicaCount = ReplicationOperations.ReplicaLines(RedisInfo.Parse((await primaryConn0.SendAsync(new object[] { "INFO", "replication" }, ct)
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
        var existing = await nodeOps.GetAsync(new NodeFilter { Topology = primary.Topology, SentinelsOnly = true }, ct).ConfigureAwait(false);
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
            DockerHost = hostNetwork ? HostOf(i) : primary.DockerHost,
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
            if (results.FirstOrDefault(r => r.Error is not null) is { } failed) throw ErrorTranslator.Translate(failed.Error!, failed.Name);
            var primaryConn = await _session.ConnectAsync(primary, ct).ConfigureAwait(false);
            var replicas = int.Parse(RedisInfo.Parse((await primaryConn.SendAsync(new object[] { "INFO", "replication" }, ct).ConfigureAwait(false)).AsString()).GetValueOrDefault("connected_slaves", "0"), CultureInfo.InvariantCulture);
            await WaitDiscoveryAsync(made, masterName, replicas, ct).ConfigureAwait(false);
            await ApplyWriteBoundAsync(primary, minReplicas, spec.MinReplicasMaxLag, ct).ConfigureAwait(false);
        }
        catch (Exception)
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            foreach (var s in made)
            {
                try { await nodeOps.RemoveAsync(s.Name, removeVolume: true, cleanup.Token).ConfigureAwait(false); }
                catch (Exception e) { _sink.Warning($"Could not remove sentinel '{s.Name}' after the failure: {e.Message}"); }
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
        var members = (await new NodeOperations(_session, NullSink.Instance).GetAsync(new NodeFilter { Topology = primary.Topology, IncludeSentinels = false }, ct)
                .ConfigureAwait(false))
            .Where(n => n.HostEndpoint is not null && !n.ClusterEnabled &&
                        (n.Name == primary.Name || (n.Role == RedisRole.Replica && n.PrimaryEndpoint == primary.ContainerEndpoint)))
            .ToList();
        _sink.Verbose(minReplicas == 0
            ? $"No split-brain bound: '{primary.Name}' accepts writes even when no replica receives them (min-replicas-to-write 0)."
            : $"Split-brain bound on '{primary.Name}' and its replicas: writes are refused unless {minReplicas} replica(s) lag at most {maxLag} s " +
              "(min-replicas-to-write, min-replicas-max-lag).");
        foreach (var n in members)
            await ReplicationOperations.SetWriteBoundAsync(_session, n, minReplicas, maxLag, ct).ConfigureAwait(false);
    }

    /// <summary>Waits until every sentinel sees the primary, all its replicas and all other sentinels.</summary>
    private async Task WaitDiscoveryAsync(IReadOnlyList<RedisNode> sentinels, string masterName, int replicas, CancellationToken ct)
    {
        await Waiter.UntilAsync(_sink, $"Sentinels discovering '{masterName}'", DiscoveryTimeout, async c =>
        {
            var missing = new List<string>();
            foreach (var s in sentinels)
            {
                try
                {
                    var conn = await _session.ConnectAsync(s, c).ConfigureAwait(false);
                    var m = ToMap(await conn.SendAsync(new object[] { "SENTINEL", "MASTER", masterName }, c).ConfigureAwait(false));
                    var others = int.Parse(m.GetValueOrDefault("num-other-sentinels", "0"), CultureInfo.InvariantCulture);
                    var slaves = int.Parse(m.GetValueOrDefault("num-slaves", "0"), CultureInfo.InvariantCulture);
                    if (m.GetValueOrDefault("flags") != "master") missing.Add($"{s.Name} sees flags {m.GetValueOrDefault("flags")}");
                    if (others < sentinels.Count - 1) missing.Add($"{s.Name} knows {others} of {sentinels.Count - 1} other sentinels");
                    if (slaves < replicas) missing.Add($"{s.Name} knows {slaves} of {replicas} replicas");
                }
                catch (RedisException e) { missing.Add($"{s.Name}: {e.Message}"); }
            }
            return (missing.Count == 0, missing.Count == 0 ? "all agree" : string.Join("; ", missing.Take(3)));
        }, ct, ErrorIds.Timeout, s => $"The sentinels did not all discover '{masterName}' within {DiscoveryTimeout.TotalSeconds:0} s: {s}.", pollMs: 200).ConfigureAwait(false);
    }

    internal static Dictionary<string, string> ToMap(RespValue reply)
    {
        reply.ThrowIfError();
        var items = reply.AsArray();
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < items.Count; i += 2) d[items[i].Text ?? ""] = items[i + 1].Text ?? items[i + 1].Integer.ToString(CultureInfo.InvariantCulture);
        return d;
    }

    private async Task<List<RedisNode>> GroupSentinelsAsync(string? topology, string masterName, CancellationToken ct)
    {
        var all = await new NodeOperations(_session, _sink).GetAsync(new NodeFilter { Topology = topology, SentinelsOnly = true }, ct).ConfigureAwait(false);
        var group = all.Where(s => s.SentinelGroup == masterName).ToList();
        if (group.Count == 0)
            throw Errors.SentinelNotFound(
                $"No sentinel group '{masterName}'{(topology is null ? "" : $" in topology '{topology}'")}. List groups with Get-RedisSentinel.",
                masterName);
        return group;
    }

    /// <summary>The sentinel groups (by topology and master name) as their sentinels see them now.</summary>
    public async Task<IReadOnlyList<RedisSentinelGroup>> GetAsync(string? topology, string? masterName, CancellationToken ct)
    {
        // Every node of the topologies, not only the sentinels: the endpoint map needs them to name what the sentinels
        // report (a new session asks here first).
        var nodeOps = new NodeOperations(_session, _sink);
        var all = (await nodeOps.GetAsync(new NodeFilter { Topology = topology, SentinelsOnly = true }, ct).ConfigureAwait(false))
            .Where(s => masterName is null || s.SentinelGroup == masterName).ToList();
        var everyone = new List<RedisNode>();
        foreach (var t in all.Select(s => s.Topology).Distinct(StringComparer.Ordinal))
            everyone.AddRange(await nodeOps.GetAsync(new NodeFilter { Topology = t, IncludeSentinels = false }, ct).ConfigureAwait(false));
        // Nodes that do not run (killed, stopped): named, but never listed as working replicas.
        var down = everyone.Where(n => n.Kind == RedisNodeKind.Redis && n.HostEndpoint is null && n.ContainerEndpoint is not null)
            .GroupBy(n => n.ContainerEndpoint!).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        var groups = all.Where(s => masterName is null || s.SentinelGroup == masterName).GroupBy(s => (s.Topology, s.SentinelGroup ?? "")).ToList();
        var result = new List<RedisSentinelGroup>();
        foreach (var g in groups)
        {
            var reachable = 0;
            RedisSentinelGroup? view = null;
            long viewEpoch = -1;
            foreach (var s in g.Where(s => s.HostEndpoint is not null))
            {
                try
                {
                    var conn = await _session.ConnectAsync(s, ct).ConfigureAwait(false);
                    var r = await conn.PipelineAsync(new[]
                    {
                        new object[] { "SENTINEL", "MASTER", g.Key.Item2 },
                        new object[] { "SENTINEL", "REPLICAS", g.Key.Item2 },
                        new object[] { "SENTINEL", "CKQUORUM", g.Key.Item2 },
                    }, ct).ConfigureAwait(false);
                    reachable++;
                    if (r[0].IsError) continue;
                    var m = ToMap(r[0]);
                    // Sentinels that have not heard of the last failover yet report an older configuration epoch.
                    var epoch = long.TryParse(m.GetValueOrDefault("config-epoch"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ep) ? ep : 0;
                    if (view is not null && epoch <= viewEpoch) continue;
                    viewEpoch = epoch;
                    var primaryEp = $"{m.GetValueOrDefault("ip")}:{m.GetValueOrDefault("port")}";
                    _session.EndpointMap.TryTranslate(primaryEp, out var pm);
                    var replicas = r[1].IsError ? new List<string>() : r[1].AsArray().Select(ToMap)
                        // A replica that is down (s_down) or that the sentinel lost its link to (a killed container) is not listed.
                        .Where(x => !(x.GetValueOrDefault("flags") ?? "").Split(',').Any(f => f is "s_down" or "disconnected"))
                        .Where(x => !down.ContainsKey($"{x.GetValueOrDefault("ip")}:{x.GetValueOrDefault("port")}"))
                        .Select(x => _session.EndpointMap.TryTranslate($"{x.GetValueOrDefault("ip")}:{x.GetValueOrDefault("port")}", out var rm) ? rm.NodeName : $"{x.GetValueOrDefault("ip")}:{x.GetValueOrDefault("port")}")
                        .OrderBy(x => x, StringComparer.Ordinal).ToList();
                    view = new RedisSentinelGroup
                    {
                        MasterName = g.Key.Item2,
                        Topology = g.Key.Topology,
                        Primary = pm?.NodeName ?? down.GetValueOrDefault(primaryEp),
                        PrimaryContainerEndpoint = primaryEp,
                        PrimaryHostEndpoint = pm?.HostEndpoint,
                        Replicas = replicas,
                        Sentinels = g.Select(x => x.Name).OrderBy(x => x, StringComparer.Ordinal).ToArray(),
                        Quorum = int.Parse(m.GetValueOrDefault("quorum", "0"), CultureInfo.InvariantCulture),
                        Flags = m.GetValueOrDefault("flags", ""),
                        CkQuorum = r[2].IsError ? r[2].Text : r[2].AsString(),
                        QuorumOk = !r[2].IsError,
                        DownAfterMilliseconds = long.Parse(m.GetValueOrDefault("down-after-milliseconds", "0"), CultureInfo.InvariantCulture),
                        FailoverTimeout = long.Parse(m.GetValueOrDefault("failover-timeout", "0"), CultureInfo.InvariantCulture),
                        ParallelSyncs = int.Parse(m.GetValueOrDefault("parallel-syncs", "0"), CultureInfo.InvariantCulture),
                        DockerHost = _session.DockerHost,
                    };
                }
                catch (RedisException e) { _sink.Verbose($"Sentinel '{s.Name}' does not answer ({e.Message})."); }
            }
            view ??= new RedisSentinelGroup
            {
                MasterName = g.Key.Item2, Topology = g.Key.Topology,
                Sentinels = g.Select(x => x.Name).OrderBy(x => x, StringComparer.Ordinal).ToArray(),
                CkQuorum = "no sentinel answers", DockerHost = _session.DockerHost,
            };
            if (view.PrimaryHostEndpoint is not null)
            {
                try
                {
                    var password = await _session.GetPasswordAsync(view.Topology, ct).ConfigureAwait(false);
                    var conn = await _session.ConnectAsync(view.PrimaryHostEndpoint, password, ct).ConfigureAwait(false);
                    var b = (await conn.SendAsync(new object[] { "CONFIG", "GET", "min-replicas-*" }, ct).ConfigureAwait(false)).AsArray();
                    var d = new Dictionary<string, int>(StringComparer.Ordinal);
                    for (var i = 0; i + 1 < b.Count; i += 2) d[b[i].AsString()] = int.Parse(b[i + 1].AsString(), CultureInfo.InvariantCulture);
                    view = view with { MinReplicasToWrite = d.GetValueOrDefault("min-replicas-to-write"), MinReplicasMaxLag = d.GetValueOrDefault("min-replicas-max-lag") };
                }
                catch (Exception e) when (e is RedisException or RedisDockerException) { _sink.Verbose($"The primary of '{view.MasterName}' does not answer ({e.Message})."); }
            }
            result.Add(view with { ReachableSentinels = reachable });
        }
        return result;
    }

    /// <summary>The primary's container endpoint as the sentinels of a topology report it, or null when no sentinel answers.</summary>
    public async Task<string?> CurrentPrimaryAsync(IReadOnlyList<RedisNode> sentinels, string masterName, CancellationToken ct)
    {
        foreach (var s in sentinels.Where(s => s.HostEndpoint is not null))
        {
            try
            {
                var conn = await _session.ConnectAsync(s, ct).ConfigureAwait(false);
                var r = await conn.SendAsync(new object[] { "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName }, ct).ConfigureAwait(false);
                if (!r.IsError && r.Items is { Count: 2 } a) return $"{a[0].Text}:{a[1].Text ?? a[1].Integer.ToString(CultureInfo.InvariantCulture)}";
            }
            catch (RedisException) { }
        }
        return null;
    }

    /// <summary>
    /// Before a Redis node of a sentinel-managed topology starts: if the sentinels say another node
    /// is primary now, its configuration is rewritten to start as that node's replica, so a
    /// returning old primary never accepts a write it would later lose.
    /// </summary>
    public async Task PrepareStartAsync(DockerClient docker, ContainerInfo info, CancellationToken ct)
    {
        if (info.Labels.Get(Labels.Kind) != Labels.KindNode || info.Labels.Get(Labels.ClusterEnabled) == "true") return;
        var topology = info.Labels.Get(Labels.Topology);
        if (topology is null) return;
        var sentinels = await new NodeOperations(_session, NullSink.Instance).GetAsync(new NodeFilter { Topology = topology, SentinelsOnly = true }, ct).ConfigureAwait(false);
        foreach (var group in sentinels.GroupBy(s => s.SentinelGroup).Where(g => g.Key is not null))
        {
            var current = await CurrentPrimaryAsync(group.ToList(), group.Key!, ct).ConfigureAwait(false);
            if (current is null)
            {
                _sink.Warning($"No sentinel of group '{group.Key}' answers, so '{info.Name}' starts with the role it had.");
                continue;
            }
            var port = int.TryParse(info.Labels.Get(Labels.Port), out var p) ? p : 6379;
            var mine = info.Networks.Values.SelectMany(n => new[] { n.IPAddress, n.ConfiguredIPAddress }).Where(a => a.Length > 0)
                .Select(a => $"{a}:{port}").ToHashSet();
            if (info.Labels.Get(Labels.Announce) is { } announce) mine.Add($"{announce}:{port}");
            var path = info.Labels.Get(Labels.ConfigPath) ?? RedisConfigRenderer.RedisConfigPath;
            var content = await docker.ReadFileAsync(info.Id, path, ct).ConfigureAwait(false);
            if (content is null) return;
            var lines = Encoding.UTF8.GetString(content).Split('\n')
                .Where(l => !l.TrimStart().StartsWith("replicaof ", StringComparison.OrdinalIgnoreCase) && !l.TrimStart().StartsWith("slaveof ", StringComparison.OrdinalIgnoreCase))
                .ToList();
            while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
            if (!mine.Contains(current))
            {
                var (ip, pport) = EndpointMap.Split(current);
                _sink.Verbose($"The sentinels of '{group.Key}' report {current} as primary: '{info.Name}' starts as its replica (never as a stray primary).");
                lines.Add($"replicaof {ip} {pport}");
            }
            var text = string.Join('\n', lines) + "\n";
            await NodeOperations.UploadConfigAsync(docker, info.Id, path, text, ct).ConfigureAwait(false);
            return;
        }
    }

    /// <summary>
    /// Coordinated failover (default): writes paused on the primary, replicas caught up, SENTINEL
    /// FAILOVER, the old primary turned into a replica before writes resume, then everyone agrees.
    /// With waitOnly: waits for the sentinels to promote after a primary loss.
    /// </summary>
    public Task<RedisFailoverResult> FailoverAsync(string? topology, string masterName, bool waitOnly, TimeSpan timeout, CancellationToken ct, bool force = false) =>
        FailoverAsync(topology, masterName, waitOnly, timeout, ct, force, expected: null);

    /// <summary>How long one CLIENT PAUSE of a coordinated failover lasts; renewed every third of it while the failover runs.</summary>
    public TimeSpan PauseLease { get; init; } = TimeSpan.FromSeconds(3);

    private async Task<RedisFailoverResult> FailoverAsync(string? topology, string masterName, bool waitOnly, TimeSpan timeout, CancellationToken ct, bool force,
        RedisNode? expected)
    {
        var sw = Stopwatch.StartNew();
        var sentinels = await GroupSentinelsAsync(topology, masterName, ct).ConfigureAwait(false);
        topology ??= sentinels[0].Topology;
        var password = await _session.GetPasswordAsync(topology, ct).ConfigureAwait(false);
        var before = await CurrentPrimaryAsync(sentinels, masterName, ct).ConfigureAwait(false)
            ?? throw Errors.NoSentinelAnswers(masterName);
        await new NodeOperations(_session, NullSink.Instance).GetAsync(new NodeFilter { Topology = topology }, ct).ConfigureAwait(false);   // refreshes the endpoint map
        _session.EndpointMap.TryTranslate(before, out var oldMapped);
        var oldName = oldMapped?.NodeName ?? before;

        if (waitOnly)
        {
            string? newEp = null;
            await Waiter.UntilAsync(_sink, $"Waiting for the sentinels of '{masterName}' to promote a replica", timeout, async c =>
            {
                var now = await CurrentPrimaryAsync(sentinels, masterName, c).ConfigureAwait(false);
                if (now is null) return (false, "no sentinel answers");
                if (!await AcceptsWritesAsync(now, password, c).ConfigureAwait(false)) return (false, $"{now} does not accept writes yet");
                newEp = now;
                return (true, now);
            }, ct, ErrorIds.FailoverFailed, s => $"The sentinels of '{masterName}' did not promote a working primary within {timeout.TotalSeconds:0} s ({s}). Check Get-RedisSentinel -MasterName {masterName} (quorum, flags).", pollMs: 50).ConfigureAwait(false);
            await WaitAgreementAsync(sentinels, masterName, newEp!, password, null, timeout, ct).ConfigureAwait(false);
            _session.EndpointMap.TryTranslate(newEp!, out var nm);
            return new RedisFailoverResult
            {
                Topology = topology, Kind = "Sentinel", Mode = "Automatic", OldPrimary = newEp == before ? null : oldName,
                NewPrimary = nm?.NodeName ?? newEp!, NewPrimaryHostEndpoint = nm?.HostEndpoint, Duration = sw.Elapsed,
                Detail = newEp == before ? "the primary is healthy; nothing to fail over" : "promoted by the sentinels after the primary was lost; writes not yet replicated may be lost",
            };
        }

        RespConnection? reachable = null;
        if (oldMapped is not null)
        {
            try
            {
                reachable = await _session.ConnectAsync(oldMapped.HostEndpoint, password, ct).ConfigureAwait(false);
                await reachable.ExecuteAsync(new object[] { "PING" }, ct).ConfigureAwait(false);
            }
            catch (RedisException)
            {
                _session.Evict(oldMapped.HostEndpoint);
                reachable = null;
            }
        }
        if (reachable is null)
        {
            if (!force)
                throw Errors.FailoverFailed(
                    $"The primary '{oldName}' does not answer, so a coordinated failover cannot run. Use -Force to "
                    + "have the sentinels promote a replica now (writes not yet replicated are lost), or -Wait to "
                    + "let them do it after down-after-milliseconds.",
                    masterName);
            return await ForcedFailoverAsync(sentinels, topology, masterName, before, oldName, password, timeout, sw, ct, expected).ConfigureAwait(false);
        }
        var askSentinel = sentinels.First(s => s.HostEndpoint is not null);
        var nodes = new SessionFailoverNodes(_session, reachable, oldMapped!.HostEndpoint, password)
        {
            WaitPromotable = c => WaitPromotableAsync(askSentinel, masterName, linkRequired: true, c),
            CurrentPrimary = c => CurrentPrimaryAsync(sentinels, masterName, c),
            WaitAgreement = (p, replicas, c) =>
                WaitAgreementAsync(sentinels, masterName, p, password, replicas, timeout, c),
        };
        var plan = new CoordinatedFailoverPlan
        {
            Topology = topology, MasterName = masterName, OldName = oldName, OldHostEndpoint = oldMapped.HostEndpoint,
            Before = before, SentinelName = askSentinel.Name, SentinelHostEndpoint = askSentinel.HostEndpoint!,
            Expected = expected, Timeout = timeout, LeaseMs = (long)PauseLease.TotalMilliseconds,
        };
        return await new CoordinatedFailover(nodes, _sink, plan).RunAsync(sw, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Coordinated failover to one chosen replica: the other replicas get replica-priority 0 until
    /// the sentinels have seen it, so the sentinels can only pick the chosen one; priorities are restored after.
    /// </summary>
    public async Task<RedisFailoverResult> FailoverToReplicaAsync(RedisNode replica, string masterName, TimeSpan timeout, CancellationToken ct, bool force = false)
    {
        var sentinels = await GroupSentinelsAsync(replica.Topology, masterName, ct).ConfigureAwait(false);
        var others = (await new NodeOperations(_session, _sink).GetAsync(new NodeFilter { Topology = replica.Topology, IncludeSentinels = false }, ct).ConfigureAwait(false))
            .Where(n => n.Role == RedisRole.Replica && n.Name != replica.Name && n.HostEndpoint is not null).ToList();
        var saved = new Dictionary<string, string>();
        try
        {
            // The chosen replica must be one the sentinels may pick: replica-priority 0 (left by an earlier drill,
            // persisted by the sentinels' CONFIG REWRITE) would make them refuse it.
            var mine = await _session.ConnectAsync(replica, ct).ConfigureAwait(false);
            var myPriority = (await mine.SendAsync(new object[] { "CONFIG", "GET", "replica-priority" }, ct).ConfigureAwait(false)).AsArray();
            if (myPriority.Count > 1 && myPriority[1].AsString() == "0")
            {
                _sink.Verbose($"{replica.Name}: CONFIG SET replica-priority 100 (it had 0, so the sentinels would never promote it).");
                (await mine.SendAsync(new object[] { "CONFIG", "SET", "replica-priority", "100" }, ct).ConfigureAwait(false)).ThrowIfError();
                (await mine.SendAsync(new object[] { "CONFIG", "REWRITE" }, ct).ConfigureAwait(false)).ThrowIfError();
            }
            foreach (var o in others)
            {
                var conn = await _session.ConnectAsync(o, ct).ConfigureAwait(false);
                var cur = (await conn.SendAsync(new object[] { "CONFIG", "GET", "replica-priority" }, ct).ConfigureAwait(false)).AsArray();
                saved[o.Name] = cur.Count > 1 ? cur[1].AsString() : "100";
                _sink.Verbose($"{o.Name}: CONFIG SET replica-priority 0 (only '{replica.Name}' may be promoted).");
                (await conn.SendAsync(new object[] { "CONFIG", "SET", "replica-priority", "0" }, ct).ConfigureAwait(false)).ThrowIfError();
            }
            if (others.Count > 0)
            {
                var otherEndpoints = others.Select(o => o.ContainerEndpoint).ToHashSet();
                await Waiter.UntilAsync(_sink, "Sentinels noticing the replica priorities", TimeSpan.FromSeconds(30), async c =>
                {
                    foreach (var s in sentinels.Where(s => s.HostEndpoint is not null))
                    {
                        var conn = await _session.ConnectAsync(s, c).ConfigureAwait(false);
                        var reps = (await conn.SendAsync(new object[] { "SENTINEL", "REPLICAS", masterName }, c).ConfigureAwait(false)).AsArray().Select(ToMap);
                        if (reps.Any(r => otherEndpoints.Contains($"{r.GetValueOrDefault("ip")}:{r.GetValueOrDefault("port")}") && r.GetValueOrDefault("slave-priority") != "0"))
                            return (false, $"{s.Name} has not seen the new priorities");
                    }
                    return (true, "seen");
                }, ct, ErrorIds.FailoverFailed, pollMs: 250).ConfigureAwait(false);
            }
            // With the primary down, no replica's link is up: a coordinated failover cannot run, and -Force needs no link.
            var primaryDown = false;
            if (await CurrentPrimaryAsync(sentinels, masterName, ct).ConfigureAwait(false) is { } current && current != replica.ContainerEndpoint)
            {
                var pw = await _session.GetPasswordAsync(replica.Topology, ct).ConfigureAwait(false);
                primaryDown = !_session.EndpointMap.TryTranslate(current, out var cm) || !await AnswersAsync(cm.HostEndpoint, pw, ct).ConfigureAwait(false);
                if (primaryDown && !force)
                    throw Errors.FailoverFailed(
                        $"The primary '{(cm?.NodeName ?? current)}' does not answer, so a coordinated failover to "
                        + $"'{replica.Name}' cannot run; nothing was changed. "
                        + $"Use Invoke-RedisFailover -Node {replica.Name} -Force to promote it now (writes not "
                        + "yet replicated are lost), or start the primary.",
                        replica.Name);
            }
            // A replica that just restarted or resynced is not yet one the sentinels may promote: wait until every
            // sentinel sees it linked and eligible, or say why not.
            await Waiter.UntilAsync(_sink, $"Sentinels seeing '{replica.Name}' as a replica they may promote", CandidateTimeout, async c =>
            {
                foreach (var s in sentinels.Where(s => s.HostEndpoint is not null))
                {
                    var conn = await _session.ConnectAsync(s, c).ConfigureAwait(false);
                    var reps = (await conn.SendAsync(new object[] { "SENTINEL", "REPLICAS", masterName }, c).ConfigureAwait(false)).AsArray().Select(ToMap);
                    var me = reps.FirstOrDefault(r => $"{r.GetValueOrDefault("ip")}:{r.GetValueOrDefault("port")}" == replica.ContainerEndpoint);
                    if (me is null) return (false, $"{s.Name} does not list it");
                    var why = CandidateProblem(me, linkRequired: !primaryDown);
                    if (why is not null) return (false, $"{s.Name}: {why}");
                }
                return (true, "eligible");
            }, ct, ErrorIds.FailoverFailed, st => $"The sentinels of '{masterName}' do not see '{replica.Name}' as a replica they may promote " +
                $"within {CandidateTimeout.TotalSeconds:0} s ({st}); nothing was changed. Check Get-RedisReplication {replica.Name} " +
                $"(link up, sync done), then run Invoke-RedisFailover -Node {replica.Name} again.", pollMs: 250).ConfigureAwait(false);
            return await FailoverAsync(replica.Topology, masterName, waitOnly: false, timeout, ct, force, expected: replica).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                try
                {
                    var o = others.First(x => x.Name == name);
                    using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    var password = await _session.GetPasswordAsync(o.Topology, bound.Token).ConfigureAwait(false);
                    (await _session.SendAsync(o.HostEndpoint!, password, new object[] { "CONFIG", "SET", "replica-priority", value }, bound.Token).ConfigureAwait(false)).ThrowIfError();
                    // The sentinels' CONFIG REWRITE during the failover persisted priority 0: persist the restored value.
                    (await _session.SendAsync(o.HostEndpoint!, password, new object[] { "CONFIG", "REWRITE" }, bound.Token).ConfigureAwait(false)).ThrowIfError();
                }
                catch (Exception e) { _sink.Warning($"Could not restore replica-priority {value} on '{name}': {e.Message}"); }
            }
        }
    }

    /// <summary>How long Invoke-RedisFailover -Node waits for the sentinels to see the chosen replica as eligible.</summary>
    public TimeSpan CandidateTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Why a sentinel would not promote a replica (its SENTINEL REPLICAS entry), or null when it may.</summary>
    internal static string? CandidateProblem(IReadOnlyDictionary<string, string> r, bool linkRequired = true,
        long infoValidityMs = 5000)
    {
        var flags = (r.GetValueOrDefault("flags") ?? "").Split(',');
        if (flags.Any(f => f is "s_down" or "o_down" or "disconnected")) return $"flags {string.Join(',', flags)}";
        if (linkRequired && r.GetValueOrDefault("master-link-status") != "ok") return $"master link {r.GetValueOrDefault("master-link-status")}";
        if (r.GetValueOrDefault("slave-priority") == "0") return "replica-priority 0";
        if (long.TryParse(r.GetValueOrDefault("last-ok-ping-reply"), NumberStyles.Integer, CultureInfo.InvariantCulture,
                out var ping) && ping > 5000)
            return $"no PING reply for {ping} ms";
        if (long.TryParse(r.GetValueOrDefault("info-refresh"), NumberStyles.Integer, CultureInfo.InvariantCulture,
                out var refresh) && refresh > infoValidityMs)
            return $"its INFO is {refresh} ms old";
        return null;
    }

    internal static RedisDockerException NoGoodReplica(string masterName, string? text, string? detail = null) =>
        Errors.FailoverFailed(
            $"The sentinels of '{masterName}' have no replica they can promote yet " +
            $"({text}{(detail is null ? "" : "; " + detail)}). " +
            $"Wait until Get-RedisReplication shows the replicas linked, or Start-RedisNode <stopped replica>, " +
            $"then run Invoke-RedisFailover -SentinelGroup {masterName} -Force again.",
            masterName);

    /// <summary>How long "no replica is coming" (all down or priority 0) may last before a failover gives up.</summary>
    public TimeSpan NoCandidateGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Waits (at most <see cref="CandidateTimeout"/>) until the sentinel that will run SENTINEL FAILOVER lists a
    /// replica it may promote. Just after a failover it re-creates its replica entries and has no INFO from them, and
    /// a restarted replica is still linking: both become promotable within seconds. When no replica is coming at all
    /// (every one down or priority 0 for <see cref="NoCandidateGrace"/>), it fails early with what to run.
    /// </summary>
    private async Task WaitPromotableAsync(RedisNode sentinel, string masterName, bool linkRequired,
        CancellationToken ct)
    {
        var none = Stopwatch.StartNew();
        var activity = $"Sentinels of '{masterName}' seeing a replica they may promote";
        await Waiter.UntilAsync(_sink, activity, CandidateTimeout, async c =>
        {
            var conn = await _session.ConnectAsync(sentinel, c).ConfigureAwait(false);
            var reply = await conn.SendAsync(new object[] { "SENTINEL", "REPLICAS", masterName }, c)
                .ConfigureAwait(false);
            var reps = reply.IsError ? new List<Dictionary<string, string>>() : reply.AsArray().Select(ToMap).ToList();
            var why = new List<string>();
            var coming = false;
            foreach (var r in reps)
            {
                // A sentinel takes INFO up to 30 s old while the primary is not down (it refreshes every 10 s).
                var problem = CandidateProblem(r, linkRequired, infoValidityMs: linkRequired ? 30000 : 5000);
                if (problem is null) return (true, "eligible");
                why.Add($"{r.GetValueOrDefault("ip")}:{r.GetValueOrDefault("port")} {problem}");
                var flags = (r.GetValueOrDefault("flags") ?? "").Split(',');
                if (!flags.Any(f => f is "s_down" or "o_down") && r.GetValueOrDefault("slave-priority") != "0")
                    coming = true;
            }
            var state = reps.Count == 0 ? "no replica listed" : string.Join("; ", why);
            if (coming) none.Restart();
            else if (none.Elapsed >= NoCandidateGrace)
                throw NoGoodReplica(masterName, "NOGOODSLAVE", $"{sentinel.Name}: {state}");
            return (false, state);
        }, ct, ErrorIds.FailoverFailed, st => $"The sentinels of '{masterName}' have no replica they can promote " +
            $"within {CandidateTimeout.TotalSeconds:0} s ({st}); nothing was changed. " +
            $"Wait until Get-RedisReplication shows the replicas linked, or Start-RedisNode <stopped replica>, then run " +
            $"Invoke-RedisFailover -SentinelGroup {masterName} again.",
            pollMs: 250).ConfigureAwait(false);
    }

    /// <summary>SENTINEL FAILOVER without pausing the (unreachable) primary: the sentinels pick and promote a replica now.</summary>
    private async Task<RedisFailoverResult> ForcedFailoverAsync(IReadOnlyList<RedisNode> sentinels, string topology, string masterName, string before,
        string oldName, string? password, TimeSpan timeout, Stopwatch sw, CancellationToken ct, RedisNode? expected)
    {
        var ask = sentinels.First(s => s.HostEndpoint is not null);
        await WaitPromotableAsync(ask, masterName, linkRequired: false, ct).ConfigureAwait(false);
        _sink.Verbose($"{ask.Name}: SENTINEL FAILOVER {masterName} (forced: '{oldName}' does not answer).");
        // A failover the sentinels still run (from an earlier drill) answers INPROG: wait for it to end, then ask again.
        await Waiter.UntilAsync(_sink, $"Sentinels accepting a failover of '{masterName}'", timeout, async c =>
        {
            var r = await _session.SendAsync(ask.HostEndpoint!, password, new object[] { "SENTINEL", "FAILOVER", masterName }, c).ConfigureAwait(false);
            if (!r.IsError) return (true, "accepted");
            if ((r.Text ?? "").Contains("INPROG", StringComparison.Ordinal)) return (false, "a failover is still in progress");
            if ((r.Text ?? "").Contains("NOGOODSLAVE", StringComparison.Ordinal))
                throw NoGoodReplica(masterName, r.Text);
            throw Errors.FailoverFailed(
                $"The sentinels refused the failover: {r.Text}. "
                + $"Check Get-RedisSentinel -MasterName {masterName}, "
                + $"then run Invoke-RedisFailover -SentinelGroup {masterName} -Force again.",
                masterName);
        }, ct, ErrorIds.FailoverFailed, s => $"The sentinels of '{masterName}' did not accept a failover within {timeout.TotalSeconds:0} s ({s}). " +
            $"Check Get-RedisSentinel -MasterName {masterName}, then retry.", pollMs: 250).ConfigureAwait(false);
        string? promoted = null;
        await Waiter.UntilAsync(_sink, $"Sentinels promoting a replica of '{oldName}'", timeout, async c =>
        {
            var now = await CurrentPrimaryAsync(sentinels, masterName, c).ConfigureAwait(false);
            if (now is null || now == before) return (false, "not promoted yet");
            if (!await AcceptsWritesAsync(now, password, c).ConfigureAwait(false)) return (false, $"{now} does not accept writes yet");
            promoted = now;
            return (true, now);
        }, ct, ErrorIds.FailoverFailed, s => $"The sentinels of '{masterName}' did not promote a replica within {timeout.TotalSeconds:0} s ({s}). " +
            $"Check Get-RedisSentinel -MasterName {masterName} (flags, quorum) and that a replica runs, then retry with -Force.", pollMs: 50).ConfigureAwait(false);
        await WaitAgreementAsync(sentinels, masterName, promoted!, password, null, timeout, ct).ConfigureAwait(false);
        _session.EndpointMap.TryTranslate(promoted!, out var m);
        if (expected is not null && promoted != expected.ContainerEndpoint)
            throw Errors.FailoverFailed(
                $"The sentinels promoted '{m?.NodeName ?? promoted}' instead of '{expected.Name}'. "
                + $"'{m?.NodeName ?? promoted}' is the primary now; "
                + $"run Invoke-RedisFailover -Node {expected.Name} to move the primary to '{expected.Name}'.",
                expected.Name);
        return new RedisFailoverResult
        {
            Topology = topology, Kind = "Sentinel", Mode = "Force", OldPrimary = oldName, NewPrimary = m?.NodeName ?? promoted!,
            NewPrimaryHostEndpoint = m?.HostEndpoint, Duration = sw.Elapsed,
            Detail = "promoted without the old primary; writes it had not replicated are lost",
        };
    }

    /// <summary>
    /// Waits until what Get-RedisSentinel reads agrees with the failover: every answering sentinel reports the new
    /// primary (SENTINEL MASTER and GET-MASTER-ADDR-BY-NAME) with no failover in progress, the new primary takes writes,
    /// and (when given) that many replicas are online on it. A sentinel still on the old address after a while is
    /// pointed at the new primary explicitly (SENTINEL REMOVE + MONITOR).
    /// </summary>
    private async Task WaitAgreementAsync(IReadOnlyList<RedisNode> sentinels, string masterName, string newPrimary, string? password, int? replicas,
        TimeSpan timeout, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        var repointed = new HashSet<string>(StringComparer.Ordinal);
        await Waiter.UntilAsync(_sink, "Every sentinel and replica agreeing on the new primary", timeout, async c =>
        {
            var missing = new List<string>();
            foreach (var s in sentinels.Where(s => s.HostEndpoint is not null))
            {
                try
                {
                    var conn = await _session.ConnectAsync(s, c).ConfigureAwait(false);
                    var r = await conn.PipelineAsync(new[]
                    {
                        new object[] { "SENTINEL", "MASTER", masterName },
                        new object[] { "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName },
                    }, c).ConfigureAwait(false);
                    if (r[0].IsError) { missing.Add($"{s.Name}: {r[0].Text}"); continue; }
                    var m = ToMap(r[0]);
                    var seen = $"{m.GetValueOrDefault("ip")}:{m.GetValueOrDefault("port")}";
                    var flags = m.GetValueOrDefault("flags") ?? "";
                    if (seen != newPrimary)
                    {
                        missing.Add($"{s.Name} still reports {seen}");
                        // Sentinels learn a new primary from each other's hello messages; one that hears none (it only knows dead
                        // instances) keeps the old address for ever. After a while it is told directly.
                        if (started.Elapsed > StaleSentinelAfter && repointed.Add(s.Name))
                            await RepointSentinelAsync(s, masterName, newPrimary, m, password, c).ConfigureAwait(false);
                    }
                    else if (flags.Contains("failover_in_progress", StringComparison.Ordinal)) missing.Add($"{s.Name} is still failing over");
                    else if (r[1].IsError || r[1].Items is not { Count: 2 } a || $"{a[0].Text}:{a[1].Text}" != newPrimary) missing.Add($"{s.Name} not yet");
                }
                catch (RedisException) { missing.Add($"{s.Name} unreachable"); }
            }
            if (replicas is { } want && _session.EndpointMap.TryTranslate(newPrimary, out var nm))
            {
                var nconn = await _session.ConnectAsync(nm.HostEndpoint, password, c).ConfigureAwait(false);
                var info = RedisInfo.Parse((await nconn.SendAsync(new object[] { "INFO", "replication" }, c).ConfigureAwait(false)).AsString());
                var online = ReplicationOperations.ReplicaLines(info).Count(f => f.GetValueOrDefault("state") == "online");
                if (online < want) missing.Add($"{online} of {want} replica(s) online on the new primary");
            }
            if (!await AcceptsWritesAsync(newPrimary, password, c).ConfigureAwait(false)) missing.Add("new primary refuses writes");
            return (missing.Count == 0, missing.Count == 0 ? "agreed" : string.Join("; ", missing.Take(3)));
        }, ct, ErrorIds.FailoverFailed, st => $"The failover of '{masterName}' to {newPrimary} happened, but not everything agrees on it within " +
            $"{timeout.TotalSeconds:0} s ({st}). Check Get-RedisSentinel -MasterName {masterName}; Start-RedisNode brings back stopped members.", pollMs: 100)
            .ConfigureAwait(false);
    }

    /// <summary>How long a sentinel may keep reporting the old primary after a failover before it is re-pointed.</summary>
    public TimeSpan StaleSentinelAfter { get; init; } = TimeSpan.FromSeconds(10);

    private async Task RepointSentinelAsync(RedisNode sentinel, string masterName, string newPrimary, IReadOnlyDictionary<string, string> master,
        string? password, CancellationToken ct)
    {
        var (ip, port) = EndpointMap.Split(newPrimary);
        _sink.Verbose($"{sentinel.Name}: still on the old primary; SENTINEL REMOVE {masterName}, SENTINEL MONITOR {masterName} {ip} {port}.");
        var conn = await _session.ConnectAsync(sentinel, ct).ConfigureAwait(false);
        var cmds = new List<object[]>
        {
            new object[] { "SENTINEL", "REMOVE", masterName },
            new object[] { "SENTINEL", "MONITOR", masterName, ip, port, master.GetValueOrDefault("quorum", "2") },
            new object[] { "SENTINEL", "SET", masterName, "down-after-milliseconds", master.GetValueOrDefault("down-after-milliseconds", "5000") },
            new object[] { "SENTINEL", "SET", masterName, "failover-timeout", master.GetValueOrDefault("failover-timeout", "60000") },
            new object[] { "SENTINEL", "SET", masterName, "parallel-syncs", master.GetValueOrDefault("parallel-syncs", "1") },
        };
        if (password is not null) cmds.Add(new object[] { "SENTINEL", "SET", masterName, "auth-pass", password });
        foreach (var cmd in cmds)
        {
            var r = await conn.SendAsync(cmd, ct).ConfigureAwait(false);
            if (r.IsError) { _sink.Warning($"{sentinel.Name}: {cmd[0]} {cmd[1]} failed: {r.Text}"); return; }
        }
    }

    private async Task<bool> AnswersAsync(string hostEndpoint, string? password, CancellationToken ct)
    {
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(TimeSpan.FromSeconds(3));
            return !(await _session.SendAsync(hostEndpoint, password, new object[] { "PING" }, bound.Token).ConfigureAwait(false)).IsError;
        }
        catch (Exception e) when (e is RedisException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            _session.Evict(hostEndpoint);
            return false;
        }
    }

    private async Task<bool> AcceptsWritesAsync(string containerEndpoint, string? password, CancellationToken ct)
    {
        if (!_session.EndpointMap.TryTranslate(containerEndpoint, out var m)) return false;
        try
        {
            var conn = await _session.ConnectAsync(m.HostEndpoint, password, ct).ConfigureAwait(false);
            // DEL is a write command, so a replica answers READONLY; deleting a key that is not there leaves the
            // user's data as it was (no key, nothing replicated), unlike a probe SET seen in DBSIZE.
            var r = await conn.SendAsync(new object[] { "DEL", "redisdocker:failover-probe" }, ct).ConfigureAwait(false);
            // NOREPLICAS: a primary that holds writes back until a replica follows it (the split-brain bound) is a primary.
            return !r.IsError || (r.Text ?? "").StartsWith("NOREPLICAS", StringComparison.Ordinal);
        }
        catch (RedisException)
        {
            _session.Evict(m.HostEndpoint);
            return false;
        }
    }
}
