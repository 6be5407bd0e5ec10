using System.Diagnostics;
using System.Globalization;
using System.Text;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

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
            throw new RedisDockerException(ErrorIds.SentinelQuorumInvalid, "-Count must be at least 1.", ErrorKind.InvalidArgument, count);
        if (quorum < 1 || quorum > count)
            throw new RedisDockerException(ErrorIds.SentinelQuorumInvalid,
                $"-Quorum {quorum} cannot be reached by {count} sentinel(s): " +
                "the quorum must be between 1 and the sentinel count. " +
                $"Give -Quorum {count / 2 + 1} (usual for {count} sentinels) or add sentinels with -Count.",
                ErrorKind.InvalidArgument, quorum);
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
            throw new RedisDockerException(ErrorIds.ClusterModeNotAllowed,
                $"'{primary.Name}' runs in cluster mode; Redis Cluster fails over by itself, without sentinels. Use Invoke-RedisFailover on its replicas.",
                ErrorKind.InvalidOperation, primary.Name);
        if (primary.Kind != RedisNodeKind.Redis || primary.Role != RedisRole.Primary)
            throw new RedisDockerException(ErrorIds.InvalidArgument,
                $"'{primary.Name}' is not a running primary (it reports {primary.Role}). Give the current primary.", ErrorKind.InvalidArgument, primary.Name);
        var masterName = spec.MasterName ?? primary.Topology;
        NetworkOperations.ValidateName(masterName, "master");
        var existing = await nodeOps.GetAsync(new NodeFilter { Topology = primary.Topology, SentinelsOnly = true }, ct).ConfigureAwait(false);
        if (existing.Any(s => s.SentinelGroup == masterName))
            throw new RedisDockerException(ErrorIds.NodeNameTaken,
                $"Topology '{primary.Topology}' already has a sentinel group '{masterName}'. See it with Get-RedisSentinel -MasterName {masterName}.",
                ErrorKind.ResourceExists, masterName);
        var names = await nodeOps.NextNamesAsync($"{primary.Topology}-sentinel", spec.Count, ct).ConfigureAwait(false);
        var hostNetwork = primary.Labels.Get(Labels.HostNetwork) == "true";
        if (hostNetwork && spec.AnnounceAddresses is not { Count: > 0 })
            throw new RedisDockerException(ErrorIds.InvalidArgument,
                $"'{primary.Name}' uses its host's network, so the sentinels do too: give -AnnounceAddress (one per Docker host of -DockerHost, in the same order).",
                ErrorKind.InvalidArgument, primary.Name);
        string? HostOf(int i) => spec.DockerHosts is { Count: > 0 } h ? h[i % h.Count] : null;
        var results = await nodeOps.CreateAsync(names.Select((n, i) => new NodeSpec
        {
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
            throw new RedisDockerException(ErrorIds.SentinelNotFound,
                $"No sentinel group '{masterName}'{(topology is null ? "" : $" in topology '{topology}'")}. List groups with Get-RedisSentinel.",
                ErrorKind.ObjectNotFound, masterName);
        return group;
    }

    /// <summary>The sentinel groups (by topology and master name) as their sentinels see them now.</summary>
    public async Task<IReadOnlyList<RedisSentinelGroup>> GetAsync(string? topology, string? masterName, CancellationToken ct)
    {
        var all = await new NodeOperations(_session, _sink).GetAsync(new NodeFilter { Topology = topology, SentinelsOnly = true }, ct).ConfigureAwait(false);
        var groups = all.Where(s => masterName is null || s.SentinelGroup == masterName).GroupBy(s => (s.Topology, s.SentinelGroup ?? "")).ToList();
        var result = new List<RedisSentinelGroup>();
        foreach (var g in groups)
        {
            var reachable = 0;
            RedisSentinelGroup? view = null;
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
                    if (view is not null || r[0].IsError) continue;
                    var m = ToMap(r[0]);
                    var primaryEp = $"{m.GetValueOrDefault("ip")}:{m.GetValueOrDefault("port")}";
                    _session.EndpointMap.TryTranslate(primaryEp, out var pm);
                    var replicas = r[1].IsError ? new List<string>() : r[1].AsArray().Select(ToMap)
                        .Where(x => !(x.GetValueOrDefault("flags") ?? "").Contains("s_down", StringComparison.Ordinal))
                        .Select(x => _session.EndpointMap.TryTranslate($"{x.GetValueOrDefault("ip")}:{x.GetValueOrDefault("port")}", out var rm) ? rm.NodeName : $"{x.GetValueOrDefault("ip")}:{x.GetValueOrDefault("port")}")
                        .OrderBy(x => x, StringComparer.Ordinal).ToList();
                    view = new RedisSentinelGroup
                    {
                        MasterName = g.Key.Item2,
                        Topology = g.Key.Topology,
                        Primary = pm?.NodeName,
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
            var mine = info.Networks.Values.Select(n => $"{n.IPAddress}:{port}").ToHashSet();
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
    public async Task<RedisFailoverResult> FailoverAsync(string? topology, string masterName, bool waitOnly, TimeSpan timeout, CancellationToken ct, bool force = false)
    {
        var sw = Stopwatch.StartNew();
        var sentinels = await GroupSentinelsAsync(topology, masterName, ct).ConfigureAwait(false);
        topology ??= sentinels[0].Topology;
        var password = await _session.GetPasswordAsync(topology, ct).ConfigureAwait(false);
        var before = await CurrentPrimaryAsync(sentinels, masterName, ct).ConfigureAwait(false)
            ?? throw new RedisDockerException(ErrorIds.SentinelNotFound, $"No sentinel of '{masterName}' answers.", ErrorKind.ResourceUnavailable, masterName);
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
                throw new RedisDockerException(ErrorIds.FailoverFailed,
                    $"The primary '{oldName}' does not answer, so a coordinated failover cannot run. Use -Force to have the sentinels promote a replica now (writes not yet replicated are lost), or -Wait to let them do it after down-after-milliseconds.",
                    ErrorKind.InvalidOperation, masterName);
            return await ForcedFailoverAsync(sentinels, topology, masterName, before, oldName, password, timeout, sw, ct).ConfigureAwait(false);
        }
        var old = reachable;
        var oldHost = oldMapped!.HostEndpoint;
        // Sentinel kills normal clients of the instances it reconfigures: reconnect once when that happens.
        async Task<RespValue> OnOld(object[] args, CancellationToken c)
        {
            try { return await old.SendAsync(args, c).ConfigureAwait(false); }
            catch (RedisConnectionException)
            {
                _session.Evict(oldHost);
                old = await _session.ConnectAsync(oldHost, password, c).ConfigureAwait(false);
                return await old.SendAsync(args, c).ConfigureAwait(false);
            }
        }
        var oldInfo = RedisInfo.Parse((await old.SendAsync(new object[] { "INFO", "replication" }, ct).ConfigureAwait(false)).ThrowIfError().AsString());
        if (int.Parse(oldInfo.GetValueOrDefault("connected_slaves", "0"), CultureInfo.InvariantCulture) == 0)
            throw new RedisDockerException(ErrorIds.FailoverFailed, $"Primary '{oldName}' has no connected replica to fail over to.", ErrorKind.InvalidOperation, oldName);

        long pausedOffset;
        string newPrimary;
        var pauseMs = (long)Math.Max(5000, timeout.TotalMilliseconds + 5000);
        _sink.Verbose($"{oldName}: CLIENT PAUSE {pauseMs} WRITE (writes wait while the replicas catch up).");
        (await old.SendAsync(new object[] { "CLIENT", "PAUSE", pauseMs, "WRITE" }, ct).ConfigureAwait(false)).ThrowIfError();
        try
        {
            pausedOffset = 0;
            await Waiter.UntilAsync(_sink, "Replicas catching up with the primary", TimeSpan.FromSeconds(10), async c =>
            {
                var info = RedisInfo.Parse((await OnOld(new object[] { "INFO", "replication" }, c).ConfigureAwait(false)).AsString());
                pausedOffset = long.Parse(info.GetValueOrDefault("master_repl_offset", "0"), CultureInfo.InvariantCulture);
                var behind = new List<string>();
                foreach (var f in ReplicationOperations.ReplicaLines(info))
                {
                    if (f.GetValueOrDefault("state") == "online" && long.Parse(f.GetValueOrDefault("offset", "0"), CultureInfo.InvariantCulture) < pausedOffset)
                        behind.Add($"{f.GetValueOrDefault("ip")} at {f.GetValueOrDefault("offset")}");
                }
                return (behind.Count == 0, behind.Count == 0 ? "caught up" : $"primary at {pausedOffset}; behind: {string.Join(", ", behind)}");
            }, ct, ErrorIds.FailoverFailed).ConfigureAwait(false);

            var askSentinel = sentinels.First(s => s.HostEndpoint is not null);
            var sconn = await _session.ConnectAsync(askSentinel, ct).ConfigureAwait(false);
            _sink.Verbose($"{askSentinel.Name}: SENTINEL FAILOVER {masterName}");
            var fr = await sconn.SendAsync(new object[] { "SENTINEL", "FAILOVER", masterName }, ct).ConfigureAwait(false);
            if (fr.IsError)
                throw new RedisDockerException(ErrorIds.FailoverFailed, $"The sentinels refused the failover: {fr.Text}.", ErrorKind.InvalidOperation, masterName);

            string? promoted = null;
            await Waiter.UntilAsync(_sink, $"Sentinels promoting a replica of '{oldName}'", timeout, async c =>
            {
                var now = await CurrentPrimaryAsync(sentinels, masterName, c).ConfigureAwait(false);
                if (now is null || now == before) return (false, "not promoted yet");
                if (!_session.EndpointMap.TryTranslate(now, out var m)) return (false, $"{now} is unknown");
                var conn = await _session.ConnectAsync(m.HostEndpoint, password, c).ConfigureAwait(false);
                var (role, _) = NodeOperations.ParseRole(await conn.SendAsync(new object[] { "ROLE" }, c).ConfigureAwait(false));
                if (role != RedisRole.Primary) return (false, $"{m.NodeName} is still {role}");
                promoted = now;
                return (true, m.NodeName);
            }, ct, ErrorIds.FailoverFailed, pollMs: 50).ConfigureAwait(false);
            newPrimary = promoted!;

            // Demote the old primary before its paused writers resume: they then get READONLY instead of a write that would be lost.
            var (nip, nport) = EndpointMap.Split(newPrimary);
            _sink.Verbose($"{oldName}: REPLICAOF {nip} {nport}, CONFIG REWRITE.");
            (await OnOld(new object[] { "REPLICAOF", nip, nport }, ct).ConfigureAwait(false)).ThrowIfError();
            await OnOld(new object[] { "CONFIG", "REWRITE" }, ct).ConfigureAwait(false);
        }
        finally
        {
            try
            {
                using var unpause = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await OnOld(new object[] { "CLIENT", "UNPAUSE" }, unpause.Token).ConfigureAwait(false);
            }
            catch (Exception e) { _sink.Warning($"Could not unpause '{oldName}' ({e.Message}); its pause ends by itself within {pauseMs / 1000} s."); }
        }

        _session.EndpointMap.TryTranslate(newPrimary, out var newMapped);
        await Waiter.UntilAsync(_sink, "Every sentinel and replica agreeing on the new primary", timeout, async c =>
        {
            var missing = new List<string>();
            foreach (var s in sentinels.Where(s => s.HostEndpoint is not null))
            {
                try
                {
                    var conn = await _session.ConnectAsync(s, c).ConfigureAwait(false);
                    var r = await conn.SendAsync(new object[] { "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName }, c).ConfigureAwait(false);
                    if (r.IsError || r.Items is not { Count: 2 } a || $"{a[0].Text}:{a[1].Text}" != newPrimary) missing.Add($"{s.Name} not yet");
                }
                catch (RedisException) { missing.Add($"{s.Name} unreachable"); }
            }
            var nconn = await _session.ConnectAsync(newMapped!.HostEndpoint, password, c).ConfigureAwait(false);
            var info = RedisInfo.Parse((await nconn.SendAsync(new object[] { "INFO", "replication" }, c).ConfigureAwait(false)).AsString());
            var online = ReplicationOperations.ReplicaLines(info).Count(f => f.GetValueOrDefault("state") == "online");
            if (online < int.Parse(oldInfo.GetValueOrDefault("connected_slaves", "0"), CultureInfo.InvariantCulture)) missing.Add($"{online} replica(s) online on the new primary");
            if (!await AcceptsWritesAsync(newPrimary, password, c).ConfigureAwait(false)) missing.Add("new primary refuses writes");
            return (missing.Count == 0, missing.Count == 0 ? "agreed" : string.Join("; ", missing.Take(3)));
        }, ct, ErrorIds.FailoverFailed, pollMs: 100).ConfigureAwait(false);

        // WAIT-based verification: the promoted replica had the primary's offset when writes were paused.
        var nc = await _session.ConnectAsync(newMapped!.HostEndpoint, password, ct).ConfigureAwait(false);
        var ni = RedisInfo.Parse((await nc.SendAsync(new object[] { "INFO", "replication" }, ct).ConfigureAwait(false)).AsString());
        var switchedAt = long.Parse(ni.GetValueOrDefault("second_repl_offset", "-1"), CultureInfo.InvariantCulture) - 1;
        long? lost = switchedAt >= pausedOffset ? 0 : null;
        return new RedisFailoverResult
        {
            Topology = topology,
            Kind = "Sentinel",
            Mode = "Coordinated",
            OldPrimary = oldName,
            NewPrimary = newMapped.NodeName,
            NewPrimaryHostEndpoint = newMapped.HostEndpoint,
            Duration = sw.Elapsed,
            LostWrites = lost,
            Detail = lost == 0 ? $"the new primary took over at offset {switchedAt}, at or past the paused primary's {pausedOffset}" : $"the new primary took over at offset {switchedAt}, before the paused primary's {pausedOffset}",
        };
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
            return await FailoverAsync(replica.Topology, masterName, waitOnly: false, timeout, ct, force).ConfigureAwait(false);
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
                }
                catch (Exception e) { _sink.Warning($"Could not restore replica-priority {value} on '{name}': {e.Message}"); }
            }
        }
    }

    /// <summary>SENTINEL FAILOVER without pausing the (unreachable) primary: the sentinels pick and promote a replica now.</summary>
    private async Task<RedisFailoverResult> ForcedFailoverAsync(IReadOnlyList<RedisNode> sentinels, string topology, string masterName, string before, string oldName, string? password, TimeSpan timeout, Stopwatch sw, CancellationToken ct)
    {
        var ask = sentinels.First(s => s.HostEndpoint is not null);
        _sink.Verbose($"{ask.Name}: SENTINEL FAILOVER {masterName} (forced: '{oldName}' does not answer).");
        var r = await _session.SendAsync(ask.HostEndpoint!, password, new object[] { "SENTINEL", "FAILOVER", masterName }, ct).ConfigureAwait(false);
        if (r.IsError && !(r.Text ?? "").Contains("INPROG", StringComparison.Ordinal))
            throw new RedisDockerException(ErrorIds.FailoverFailed, $"The sentinels refused the failover: {r.Text}.", ErrorKind.InvalidOperation, masterName);
        string? promoted = null;
        await Waiter.UntilAsync(_sink, $"Sentinels promoting a replica of '{oldName}'", timeout, async c =>
        {
            var now = await CurrentPrimaryAsync(sentinels, masterName, c).ConfigureAwait(false);
            if (now is null || now == before) return (false, "not promoted yet");
            if (!await AcceptsWritesAsync(now, password, c).ConfigureAwait(false)) return (false, $"{now} does not accept writes yet");
            promoted = now;
            return (true, now);
        }, ct, ErrorIds.FailoverFailed, pollMs: 50).ConfigureAwait(false);
        _session.EndpointMap.TryTranslate(promoted!, out var m);
        return new RedisFailoverResult
        {
            Topology = topology, Kind = "Sentinel", Mode = "Force", OldPrimary = oldName, NewPrimary = m?.NodeName ?? promoted!,
            NewPrimaryHostEndpoint = m?.HostEndpoint, Duration = sw.Elapsed,
            Detail = "promoted without the old primary; writes it had not replicated are lost",
        };
    }

    private async Task<bool> AcceptsWritesAsync(string containerEndpoint, string? password, CancellationToken ct)
    {
        if (!_session.EndpointMap.TryTranslate(containerEndpoint, out var m)) return false;
        try
        {
            var conn = await _session.ConnectAsync(m.HostEndpoint, password, ct).ConfigureAwait(false);
            var r = await conn.SendAsync(new object[] { "SET", "redisdocker:failover-probe", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "PX", 60000 }, ct).ConfigureAwait(false);
            return !r.IsError;
        }
        catch (RedisException)
        {
            _session.Evict(m.HostEndpoint);
            return false;
        }
    }
}
