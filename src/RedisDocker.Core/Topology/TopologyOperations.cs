using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RedisDocker.Core.Docker;

namespace RedisDocker.Core.Topology;

/// <summary>A topology as a unit: read, stop, start, remove, export (JSON or Compose) and import.</summary>
public sealed class TopologyOperations
{
    private readonly RedisDockerSession _session;
    private readonly IOperationSink _sink;

    public TopologyOperations(RedisDockerSession session, IOperationSink sink)
    {
        _session = session;
        _sink = sink;
    }

    private NodeOperations Nodes => new(_session, _sink);

    public async Task<IReadOnlyList<RedisTopology>> GetAsync(string? name, CancellationToken ct)
    {
        var containers = new List<ContainerSummary>();
        var networks = new List<DockerNetwork>();
        foreach (var (_, (c, n)) in await _session.OnEveryEngineAsync(async (d, c) =>
                     (await d.ListContainersAsync(new Dictionary<string, string?> { [Labels.Managed] = "true" }, all: true, c).ConfigureAwait(false),
                      await d.ListNetworksAsync(Labels.ForKind(Labels.KindNetwork), c).ConfigureAwait(false)), _sink, ct).ConfigureAwait(false))
        {
            containers.AddRange(c);
            networks.AddRange(n);
        }
        var names = containers.Select(c => c.Labels.Get(Labels.Topology)).Concat(networks.Select(n => n.Labels.Get(Labels.Topology)))
            .Where(t => !string.IsNullOrEmpty(t) && (name is null || NetworkOperations.WildcardMatch(t!, name))).Distinct().OrderBy(t => t, StringComparer.Ordinal);
        var result = new List<RedisTopology>();
        foreach (var t in names)
        {
            var nodes = await Nodes.GetAsync(new NodeFilter { Topology = t }, ct).ConfigureAwait(false);
            var redis = nodes.Where(n => n.Kind == RedisNodeKind.Redis).ToList();
            var sentinels = nodes.Where(n => n.Kind == RedisNodeKind.Sentinel).ToList();
            string? clusterState = null;
            if (redis.Any(n => n.ClusterEnabled && n.HostEndpoint is not null))
            {
                try { clusterState = (await new ClusterOperations(_session, NullSink.Instance).GetAsync(t!, ct).ConfigureAwait(false)).State; }
                catch (RedisDockerException e) when (e.ErrorId == ErrorIds.ClusterNotFound) { }
                catch (RedisDockerException) { clusterState = "unreachable"; }
            }
            var running = nodes.Count(n => n.State == "running");
            // Health from every node's own view, each problem named (issue 9: health that does not lie).
            var problems = running == 0 ? Array.Empty<string>()
                : await new TopologyHealth(_session, _sink).ProblemsAsync(t!, nodes, ct).ConfigureAwait(false);
            var health = nodes.Count == 0 || running == 0 ? "Down"
                : running < nodes.Count || problems.Count > 0 || (clusterState is not null && clusterState != "ok")
                  || nodes.Any(n => n.State == "running" && n.Role == RedisRole.Unknown) ? "Degraded" : "Healthy";
            result.Add(new RedisTopology
            {
                Name = t!,
                DockerHosts = nodes.Select(n => n.DockerHost).Distinct().OrderBy(x => x, StringComparer.Ordinal).ToArray(),
                Networks = networks.Where(n => n.Labels.Get(Labels.Topology) == t).Select(n => n.Name).OrderBy(x => x, StringComparer.Ordinal).ToArray(),
                Nodes = redis.Select(n => n.Name).ToArray(),
                Sentinels = sentinels.Select(n => n.Name).ToArray(),
                Running = running,
                Stopped = nodes.Count - running,
                ClusterState = clusterState,
                SentinelGroups = sentinels.Select(s => s.SentinelGroup).Where(g => g is not null).Select(g => g!).Distinct().ToArray(),
                Health = health,
                Problems = problems,
            });
        }
        return result;
    }

    private async Task<RedisTopology> RequireAsync(string name, CancellationToken ct) =>
        (await GetAsync(name, ct).ConfigureAwait(false)).FirstOrDefault(t => t.Name == name)
        ?? throw Errors.TopologyNotFound($"No topology named '{name}'. List them with Get-RedisTopology.", name);

    /// <summary>Removes every container, volume (unless kept) and network of the topology, like compose down.</summary>
    public async Task RemoveAsync(string name, bool keepVolumes, CancellationToken ct)
    {
        await RequireAsync(name, ct).ConfigureAwait(false);
        var labels = Labels.ForTopology(name);
        var engines = await _session.OnEveryEngineAsync((d, c) => Task.FromResult(d), _sink, ct).ConfigureAwait(false);
        foreach (var (docker, _) in engines)
            await RemoveFromEngineAsync(docker, name, labels, keepVolumes, ct).ConfigureAwait(false);
        var missed = _session.Hosts.Select(h => h.ToString()).Except(engines.Select(e => e.Docker.Endpoint.ToString())).ToList();
        if (missed.Count > 0)
            throw Errors.DockerUnreachable(
                $"Topology '{name}' was removed from every Docker host but {string.Join(", ", missed)}, which did "
                + $"not answer: run Remove-RedisTopology {name} again when it is back.",
                name);
        _session.ForgetPassword(name);
    }

    private async Task RemoveFromEngineAsync(DockerClient docker, string name, Dictionary<string, string?> labels, bool keepVolumes, CancellationToken ct)
    {
        await Task.WhenAll((await docker.ListContainersAsync(labels, all: true, ct).ConfigureAwait(false)).Select(async c =>
        {
            _sink.Verbose($"Removing container '{c.Names.FirstOrDefault()}'.");
            await WhileOtherRemovalAsync(() => docker.RemoveContainerAsync(c.Id, force: true, removeVolumes: false, ct), async () =>
                await docker.InspectContainerAsync(c.Id, ct).ConfigureAwait(false) is null, ct).ConfigureAwait(false);
            foreach (var n in c.Names) _session.EndpointMap.ForgetNode(n);
        })).ConfigureAwait(false);
        if (!keepVolumes)
            await Task.WhenAll((await docker.ListVolumesAsync(labels, ct).ConfigureAwait(false)).Select(async v =>
            {
                _sink.Verbose($"Removing volume '{v.Name}'.");
                await WhileOtherRemovalAsync(() => docker.RemoveVolumeAsync(v.Name, force: true, ct), null, ct).ConfigureAwait(false);
            })).ConfigureAwait(false);
        foreach (var n in await docker.ListNetworksAsync(labels, ct).ConfigureAwait(false))
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
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict && sw.Elapsed < TimeSpan.FromSeconds(60))
            {
                if (gone is not null && await gone().ConfigureAwait(false)) return;
                await Task.Delay(250, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops the whole topology: sentinels first (no failover while it goes down), then replicas, then primaries.</summary>
    public async Task<RedisTopology> StopAsync(string name, CancellationToken ct)
    {
        await RequireAsync(name, ct).ConfigureAwait(false);
        var nodes = await Nodes.GetAsync(new NodeFilter { Topology = name }, ct).ConfigureAwait(false);
        var order = nodes.Where(n => n.State == "running")
            .OrderBy(n => n.Kind == RedisNodeKind.Sentinel ? 0 : n.Role == RedisRole.Replica ? 1 : 2).ToList();
        foreach (var wave in order.GroupBy(n => n.Kind == RedisNodeKind.Sentinel ? 0 : n.Role == RedisRole.Replica ? 1 : 2))
            await Task.WhenAll(wave.Select(n => Nodes.StopAsync(n.Name, 10, ct))).ConfigureAwait(false);
        return await RequireAsync(name, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the whole topology (primaries, then replicas, then sentinels; cluster nodes together)
    /// and waits until it is healthy: the cluster converged, every sentinel group with its quorum.
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
            var config = await ReadConfigAsync(await _session.GetDockerAsync(n.DockerHost, ct).ConfigureAwait(false), n, ct).ConfigureAwait(false);
            waves[n.ClusterEnabled || RedisConfigRenderer.ReadDirective(config ?? "", "replicaof") is null ? 0 : 1].Add(n);
        }
        // While sentinels still run, a returning node asks them who is primary now (never a stray primary);
        // when the whole group was stopped, each node starts with the role its configuration kept.
        var sentinelsRunning = nodes.Any(n => n.Kind == RedisNodeKind.Sentinel && n.State == "running");
        foreach (var wave in waves.Where(w => w.Count > 0))
            await Task.WhenAll(wave.Select(n => Nodes.StartAsync(n.Name, ct, consultSentinels: sentinelsRunning))).ConfigureAwait(false);
        await WaitHealthyAsync(name, ct).ConfigureAwait(false);
        return await RequireAsync(name, ct).ConfigureAwait(false);
    }

    private async Task WaitHealthyAsync(string name, CancellationToken ct)
    {
        var nodes = await Nodes.GetAsync(new NodeFilter { Topology = name }, ct).ConfigureAwait(false);
        if (nodes.Any(n => n.ClusterEnabled))
            await new ClusterOperations(_session, _sink).WaitHealthyAsync(name, ct).ConfigureAwait(false);
        var sentinels = new SentinelOperations(_session, _sink);
        foreach (var group in nodes.Where(n => n.SentinelGroup is not null).Select(n => n.SentinelGroup!).Distinct())
        {
            await Waiter.UntilAsync(_sink, $"Sentinel group '{group}' healthy", TimeSpan.FromSeconds(90), async c =>
            {
                var g = (await sentinels.GetAsync(name, group, c).ConfigureAwait(false)).Single();
                var ok = g.QuorumOk && g.ReachableSentinels == g.SentinelCount && g.Flags == "master";
                return (ok, $"{g.Flags}; {g.ReachableSentinels} of {g.SentinelCount} sentinels; {g.CkQuorum}");
            }, ct, pollMs: 250).ConfigureAwait(false);
        }
    }

    private static async Task<string?> ReadConfigAsync(DockerClient docker, RedisNode n, CancellationToken ct)
    {
        var path = n.Labels.Get(Labels.ConfigPath);
        if (path is null) return null;
        var bytes = await docker.ReadFileAsync(n.Id, path, ct).ConfigureAwait(false);
        return bytes is null ? null : Encoding.UTF8.GetString(bytes);
    }

    // ------------------------------------------------------------------ export / import

    /// <summary>Directives the module renders or Redis rewrites: not exported as "extra" configuration.</summary>
    private static readonly HashSet<string> s_managedDirectives = new(StringComparer.OrdinalIgnoreCase)
    {
        "port", "bind", "protected-mode", "requirepass", "masterauth", "dir", "appendonly", "appendfsync", "repl-diskless-sync-delay",
        "replica-announce-ip", "replica-announce-port", "cluster-enabled", "cluster-config-file", "cluster-node-timeout",
        "cluster-announce-ip", "cluster-announce-port", "cluster-announce-bus-port", "maxmemory", "maxmemory-policy", "replicaof",
        "slaveof", "user", "aclfile", "save", "latency-tracking-info-percentiles", "replica-priority", "slave-priority",
        // Host endpoints of cluster nodes (set after start and kept by CONFIG REWRITE; made again on import).
        "cluster-announce-hostname", "cluster-preferred-endpoint-type", "cluster-port",
    };

    /// <summary>The topology as a JSON spec that <see cref="ImportAsync"/> rebuilds. No password: it stays inside the nodes.</summary>
    public async Task<TopologySpec> ExportAsync(string name, CancellationToken ct)
    {
        var topo = await RequireAsync(name, ct).ConfigureAwait(false);
        var docker = await _session.GetDockerAsync(ct).ConfigureAwait(false);
        var networks = new List<NetworkSpecDto>();
        foreach (var n in topo.Networks)
        {
            var net = await docker.InspectNetworkAsync(n, ct).ConfigureAwait(false);
            if (net is null) continue;
            networks.Add(new NetworkSpecDto(net.Name, net.Subnets.FirstOrDefault()?.Subnet, net.Subnets.FirstOrDefault()?.Gateway, net.Internal, _session.DockerHost));
        }
        var nodes = await Nodes.GetAsync(new NodeFilter { Topology = name }, ct).ConfigureAwait(false);
        var byIp = nodes.Where(n => n.ContainerEndpoint is not null).ToDictionary(n => n.ContainerEndpoint!, n => n.Name);
        var nodeSpecs = new List<NodeSpecDto>();
        foreach (var n in nodes.Where(n => n.Kind == RedisNodeKind.Redis))
        {
            var config = await ReadConfigAsync(await _session.GetDockerAsync(n.DockerHost, ct).ConfigureAwait(false), n, ct).ConfigureAwait(false) ?? "";
            string? replicaOf = null;
            if (RedisConfigRenderer.ReadDirectiveLine(config, "replicaof") is { } line)
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2) replicaOf = byIp.GetValueOrDefault($"{parts[0]}:{parts[1]}") ?? $"{parts[0]}:{parts[1]}";
            }
            var extra = config.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#')
                .Select(l => (Key: l.Split(' ', 2)[0], Value: l.Contains(' ') ? l.Split(' ', 2)[1] : ""))
                .Where(kv => !s_managedDirectives.Contains(kv.Key) && !Security.TlsFiles.IsTlsDirective(kv.Key))
                .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
            nodeSpecs.Add(new NodeSpecDto(n.Name, n.Network ?? "", n.IPAddress, n.Port, n.Image, n.ClusterEnabled,
                int.TryParse(RedisConfigRenderer.ReadDirective(config, "cluster-node-timeout"), out var cnt) ? cnt : null,
                RedisConfigRenderer.ReadDirective(config, "appendonly") != "no",
                RedisConfigRenderer.ReadDirective(config, "maxmemory"), RedisConfigRenderer.ReadDirective(config, "maxmemory-policy"),
                replicaOf, extra, n.DockerHost, n.Labels.Get(Labels.HostNetwork) == "true" ? n.IPAddress : null,
                n.Topology,
                n.Labels.Get(Security.TlsFiles.Label)));
        }
        ClusterSpecDto? cluster = null;
        if (nodes.Any(n => n.ClusterEnabled))
        {
            var members = await new ClusterOperations(_session, _sink).GetNodesAsync(name, ct).ConfigureAwait(false);
            cluster = new ClusterSpecDto(members.Where(m => m.Role == RedisRole.Primary && m.Name is not null)
                .Select(p => new ClusterPrimaryDto(p.Name!, p.SlotRanges.Select(r => r.ToString()).ToArray(), p.Replicas)).ToArray());
        }
        var groups = new List<SentinelGroupDto>();
        foreach (var g in await new SentinelOperations(_session, _sink).GetAsync(name, null, ct).ConfigureAwait(false))
            groups.Add(new SentinelGroupDto(g.MasterName, g.Primary ?? "", g.SentinelCount, g.Quorum, (int)g.DownAfterMilliseconds, (int)g.FailoverTimeout, g.ParallelSyncs,
                nodes.FirstOrDefault(n => n.SentinelGroup == g.MasterName)?.Port ?? 26379, nodes.FirstOrDefault(n => n.SentinelGroup == g.MasterName)?.Image));
        return new TopologySpec(TopologySpec.CurrentFormat, name, DateTimeOffset.UtcNow,
            new PasswordReferenceDto("node-configuration", "The password is not exported. Import with -Password, or a new one is generated. Read the current one with Get-RedisCredential."),
            networks, nodeSpecs, cluster, groups);
    }

    public static string ToJson(TopologySpec spec) => JsonSerializer.Serialize(spec, JsonOptions);

    public static TopologySpec FromJson(string json)
    {
        TopologySpec? spec;
        try { spec = JsonSerializer.Deserialize<TopologySpec>(json, JsonOptions); }
        catch (JsonException e) { throw Errors.SpecNotJson(e); }
        if (spec is null || spec.Format != TopologySpec.CurrentFormat)
            throw Errors.NotATopologySpec();
        return spec;
    }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Rebuilds a topology from a spec: networks, nodes, replication, cluster layout, sentinels. All or nothing.</summary>
    /// <param name="dockerHost">Rebuild everything on this engine instead of the engines the spec records (a move to another host).</param>
    public async Task<RedisTopology> ImportAsync(TopologySpec spec, string? password, CancellationToken ct, string? dockerHost = null)
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
                Nodes = spec.Nodes.Select(n => n with { DockerHost = dockerHost }).ToArray(),
            };
        }
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
            keptVolumes.UnionWith((await engine.ListVolumesAsync(Labels.ForTopology(spec.Name), ct).ConfigureAwait(false)).Select(v => v.Name));
        try
        {
            var netOps = new NetworkOperations(_session, _sink);
            foreach (var n in spec.Networks)
                await netOps.CreateAsync(new NetworkSpec { Name = n.Name, Subnet = n.Subnet, Gateway = n.Gateway, Internal = n.Internal, Topology = spec.Name, DockerHost = n.DockerHost }, ct).ConfigureAwait(false);
            var made = await Nodes.CreateAsync(spec.Nodes.Select(n => InputValidation.ToNodeSpec(spec, n, password)).ToArray(), ct).ConfigureAwait(false);
            if (made.FirstOrDefault(r => r.Error is not null) is { } failed) throw ErrorTranslator.Translate(failed.Error!, failed.Name);

            var replication = new ReplicationOperations(_session, _sink);
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
                await new ClusterOperations(_session, _sink).CreateAsync(members, plan, ct).ConfigureAwait(false);
            }
            foreach (var g in spec.SentinelGroups)
                await new SentinelOperations(_session, _sink).CreateAsync(new SentinelGroupSpec
                {
                    Primary = g.Primary, Count = g.Count, Quorum = g.Quorum, MasterName = g.MasterName, DownAfterMs = g.DownAfterMs,
                    FailoverTimeoutMs = g.FailoverTimeoutMs, ParallelSyncs = g.ParallelSyncs, Image = g.Image, Port = g.Port,
                }, ct).ConfigureAwait(false);
        }
        catch (Exception)
        {
            using var cleanup = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await RemoveAsync(spec.Name, keepVolumes: true, cleanup.Token).ConfigureAwait(false);
                foreach (var engine in await _session.GetAllDockerAsync(cleanup.Token).ConfigureAwait(false))
                    foreach (var v in await engine.ListVolumesAsync(Labels.ForTopology(spec.Name), cleanup.Token).ConfigureAwait(false))
                        if (!keptVolumes.Contains(v.Name)) await engine.RemoveVolumeAsync(v.Name, force: true, cleanup.Token).ConfigureAwait(false);
            }
            catch (Exception e) { _sink.Warning($"Could not remove the partly imported topology '{spec.Name}': {e.Message}. Remove it with Remove-RedisTopology {spec.Name}."); }
            throw;
        }
        return await RequireAsync(spec.Name, ct).ConfigureAwait(false);
    }

    private static SlotRange ParseRange(string text)
    {
        var parts = text.Split('-');
        var a = int.Parse(parts[0], CultureInfo.InvariantCulture);
        return new SlotRange(a, parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : a);
    }

    /// <summary>File names of the secrets a Compose export reads the password from (never on a command line or in the environment).</summary>
    public const string ComposeNodeSecret = "redis-auth.conf";
    public const string ComposeSentinelSecret = "sentinel-auth.conf";

    /// <summary>
    /// docker-compose.yml files (one per Docker host) that reproduce the topology with the official
    /// image. The password is read from two secret files (redis.conf fragments next to the compose
    /// file, mounted under /run/secrets/ and included by redis-server), so it appears neither on a
    /// command line nor in the environment (docker inspect). The cluster still has to be formed (or
    /// the data volumes reused) after `docker-compose up`.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ToCompose(TopologySpec spec)
    {
        InputValidation.ValidateSpec(spec, null);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var host in spec.Nodes.Select(n => n.DockerHost ?? "").Concat(spec.Networks.Select(n => n.DockerHost ?? "")).Distinct())
        {
            var sb = new StringBuilder();
            var withSentinels = spec.SentinelGroups.Count > 0 && host == (spec.Networks.FirstOrDefault()?.DockerHost ?? "");
            sb.Append("# Generated by RedisDocker (Export-RedisTopology -Format Compose) for topology '").Append(spec.Name).Append("'.\n");
            sb.Append("# The password is not stored here. Before docker-compose up, create next to this file (readable by uid 999):\n");
            sb.Append("#   ").Append(ComposeNodeSecret).Append(", two lines:  requirepass \"<password>\"  and  masterauth \"<password>\"\n");
            if (withSentinels)
            {
                sb.Append("#   ").Append(ComposeSentinelSecret).Append(", the lines:  requirepass \"<password>\"  sentinel sentinel-pass \"<password>\"");
                foreach (var g in spec.SentinelGroups) sb.Append("  sentinel auth-pass ").Append(g.MasterName).Append(" \"<password>\"");
                sb.Append('\n');
            }
            sb.Append("# Inside the double quotes write \\\\ for a backslash and \\\" for a quote (Get-RedisCredential reads the password).\n");
            sb.Append("version: \"3.8\"\nservices:\n");
            var nodes = spec.Nodes.Where(n => (n.DockerHost ?? "") == host).ToList();
            var byName = spec.Nodes.ToDictionary(n => n.Name);
            foreach (var n in nodes)
            {
                var cmd = new List<string> { "redis-server", "--port", n.Port.ToString(CultureInfo.InvariantCulture),
                    "--appendonly", n.AppendOnly ? "yes" : "no", "--protected-mode", "yes" };
                if (n.AnnounceAddress is not null) cmd.AddRange(new[] { "--bind", n.AnnounceAddress, "127.0.0.1" });
                if (n.IPAddress is not null) cmd.AddRange(new[] { "--replica-announce-ip", n.IPAddress });
                if (n.ClusterEnabled)
                {
                    cmd.AddRange(new[] { "--cluster-enabled", "yes", "--cluster-config-file", "/data/nodes.conf", "--cluster-node-timeout", (n.ClusterNodeTimeoutMs ?? 5000).ToString(CultureInfo.InvariantCulture) });
                    if (n.IPAddress is not null) cmd.AddRange(new[] { "--cluster-announce-ip", n.IPAddress });
                }
                if (n.MaxMemory is not null) cmd.AddRange(new[] { "--maxmemory", n.MaxMemory });
                if (n.MaxMemoryPolicy is not null) cmd.AddRange(new[] { "--maxmemory-policy", n.MaxMemoryPolicy });
                if (n.ReplicaOf is not null && !n.ClusterEnabled && byName.TryGetValue(n.ReplicaOf, out var p) && p.IPAddress is not null)
                    cmd.AddRange(new[] { "--replicaof", p.IPAddress, p.Port.ToString(CultureInfo.InvariantCulture) });
                foreach (var kv in n.Config ?? new Dictionary<string, string>()) { cmd.Add("--" + kv.Key); cmd.AddRange(RedisConfigRenderer.SplitArgs(kv.Value) ?? Array.Empty<string>()); }
                // Last, so the password lines come from the secret (a redis.conf fragment), not from the command line.
                cmd.AddRange(new[] { "--include", "/run/secrets/" + ComposeNodeSecret });
                Service(sb, n.Name, ComposeImage(n.Image), cmd, n.Network, n.IPAddress, n.Port, spec.Name, "node", hostNetwork: n.AnnounceAddress is not null, secret: ComposeNodeSecret);
            }
            foreach (var g in spec.SentinelGroups.Where(_ => withSentinels))
            {
                var primary = byName.GetValueOrDefault(g.Primary);
                for (var i = 1; i <= g.Count; i++)
                {
                    // Sentinel needs a writable configuration file: written at start into the data volume (the official image has a shell).
                    // Every value in it is validated (names, addresses, numbers): nothing the shell would expand.
                    var conf = $"port {g.Port}\\nsentinel monitor {g.MasterName} {primary?.IPAddress} {primary?.Port ?? 6379} {g.Quorum}\\n" +
                               $"sentinel down-after-milliseconds {g.MasterName} {g.DownAfterMs}\\nsentinel failover-timeout {g.MasterName} {g.FailoverTimeoutMs}\\nsentinel parallel-syncs {g.MasterName} {g.ParallelSyncs}\\n";
                    var cmd = new List<string> { "sh", "-c", $"test -f /data/sentinel.conf || printf '{conf}' > /data/sentinel.conf; exec redis-sentinel /data/sentinel.conf --include /run/secrets/{ComposeSentinelSecret}" };
                    Service(sb, $"{spec.Name}-sentinel-{i}", ComposeImage(g.Image), cmd, primary?.Network ?? spec.Networks.First().Name, null, g.Port, spec.Name, "sentinel",
                        secret: ComposeSentinelSecret);
                }
            }
            var nets = spec.Networks.Where(n => (n.DockerHost ?? "") == host).ToList();
            if (nets.Count > 0)
            {
                sb.Append("networks:\n");
                foreach (var n in nets)
                {
                    sb.Append("  ").Append(n.Name).Append(":\n    name: ").Append(n.Name).Append('\n');
                    if (n.Internal) sb.Append("    internal: true\n");
                    if (n.Subnet is not null)
                    {
                        sb.Append("    ipam:\n      config:\n        - subnet: ").Append(n.Subnet).Append('\n');
                        if (n.Gateway is not null) sb.Append("          gateway: ").Append(n.Gateway).Append('\n');
                    }
                    sb.Append("    labels:\n      ").Append(Labels.Managed).Append(": \"true\"\n      ").Append(Labels.Topology).Append(": \"").Append(spec.Name).Append("\"\n");
                }
            }
            var volumes = nodes.Select(n => n.Name + "-data").Concat(spec.SentinelGroups.SelectMany(g => Enumerable.Range(1, g.Count).Select(i => $"{spec.Name}-sentinel-{i}-data"))).ToList();
            sb.Append("volumes:\n");
            foreach (var v in volumes) sb.Append("  ").Append(v).Append(":\n    name: ").Append(v).Append('\n');
            if (nodes.Count > 0 || withSentinels) sb.Append("secrets:\n");
            if (nodes.Count > 0) sb.Append("  ").Append(ComposeNodeSecret).Append(":\n    file: ./").Append(ComposeNodeSecret).Append('\n');
            if (withSentinels) sb.Append("  ").Append(ComposeSentinelSecret).Append(":\n    file: ./").Append(ComposeSentinelSecret).Append('\n');
            result[host] = sb.ToString();
        }
        return result;
    }

    /// <summary>The offline test image has no shell; compose files target the official image unless another was used on purpose.</summary>
    private static string ComposeImage(string? image) => image is null || image.StartsWith("redisdocker/", StringComparison.Ordinal) ? "redis:7.4" : image;

    private static void Service(StringBuilder sb, string name, string image, IReadOnlyList<string> cmd, string network, string? ip, int port, string topology, string kind, bool hostNetwork = false, string? secret = null)
    {
        sb.Append("  ").Append(name).Append(":\n");
        sb.Append("    image: ").Append(Yaml(image)).Append('\n');
        sb.Append("    container_name: ").Append(name).Append('\n');
        sb.Append("    command: [").Append(string.Join(", ", cmd.Select(Yaml))).Append("]\n");
        if (secret is not null) sb.Append("    secrets:\n      - ").Append(secret).Append('\n');
        sb.Append("    volumes:\n      - ").Append(name).Append("-data:/data\n");
        if (hostNetwork) sb.Append("    network_mode: host\n");
        else
        {
            sb.Append("    ports:\n      - \"127.0.0.1::").Append(port).Append("\"\n");
            sb.Append("    networks:\n      ").Append(network).Append(":\n");
            if (ip is not null) sb.Append("        ipv4_address: ").Append(ip).Append('\n');
        }
        sb.Append("    labels:\n      ").Append(Labels.Managed).Append(": \"true\"\n      ").Append(Labels.Topology).Append(": \"").Append(topology).Append("\"\n      ")
          .Append(Labels.Kind).Append(": \"").Append(kind).Append("\"\n");
        sb.Append("    restart: unless-stopped\n");
    }

    private static string Yaml(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}

/// <summary>The exported form of a topology (Export-RedisTopology). Contains no password.</summary>
public sealed record TopologySpec(
    string Format, string Name, DateTimeOffset ExportedAt, PasswordReferenceDto Password,
    IReadOnlyList<NetworkSpecDto> Networks, IReadOnlyList<NodeSpecDto> Nodes, ClusterSpecDto? Cluster, IReadOnlyList<SentinelGroupDto> SentinelGroups)
{
    public const string CurrentFormat = "redisdocker/topology@1";
}

public sealed record PasswordReferenceDto(string Source, string Note);
public sealed record NetworkSpecDto(string Name, string? Subnet, string? Gateway, bool Internal, string? DockerHost);
public sealed record NodeSpecDto(string Name, string Network, string? IPAddress, int Port, string? Image, bool ClusterEnabled, int? ClusterNodeTimeoutMs,
    bool AppendOnly, string? MaxMemory, string? MaxMemoryPolicy, string? ReplicaOf, IReadOnlyDictionary<string, string>? Config, string? DockerHost,
    string? AnnounceAddress = null, string? Topology = null, string? Tls = null);
public sealed record ClusterSpecDto(IReadOnlyList<ClusterPrimaryDto> Primaries);
public sealed record ClusterPrimaryDto(string Name, IReadOnlyList<string> Slots, IReadOnlyList<string> Replicas);
public sealed record SentinelGroupDto(string MasterName, string Primary, int Count, int Quorum, int DownAfterMs, int FailoverTimeoutMs, int ParallelSyncs, int Port, string? Image);
