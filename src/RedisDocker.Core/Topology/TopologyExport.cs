using System.Text.Json;
using System.Text.Json.Serialization;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Topology workflow: Export-RedisTopology to a JSON spec (no password in it), and the spec's JSON
/// form.</summary>
public sealed partial class TopologyOperations
{
    /// <summary>Directives the module renders or Redis rewrites: not exported as "extra" configuration.</summary>
    private static readonly HashSet<string> s_managedDirectives = new(StringComparer.OrdinalIgnoreCase)
    {
        "port", "bind", "protected-mode", "requirepass", "masterauth", "masteruser", "dir", "appendonly",
            "appendfsync", "repl-diskless-sync-delay",
        "replica-announce-ip", "replica-announce-port", "cluster-enabled", "cluster-config-file",
            "cluster-node-timeout",
        "cluster-announce-ip", "cluster-announce-port", "cluster-announce-bus-port", "maxmemory", "maxmemory-policy",
            "replicaof",
        "slaveof", "user", "aclfile", "save", "latency-tracking-info-percentiles", "replica-priority", "slave-priority",
        // Host endpoints of cluster nodes (set after start and kept by CONFIG REWRITE; made again on import).
        "cluster-announce-hostname", "cluster-preferred-endpoint-type", "cluster-port",
    };

    /// <summary>The topology as a JSON spec that <see cref="ImportAsync"/> rebuilds. No password: it stays inside the
    /// nodes; the ACL users come with their password hashes only.</summary>
    public async Task<TopologySpec> ExportAsync(string name, CancellationToken ct)
    {
        var topo = await RequireAsync(name, ct).ConfigureAwait(false);
        var docker = await _session.GetDockerAsync(ct).ConfigureAwait(false);
        var networks = new List<NetworkSpecDto>();
        IReadOnlyList<RedisSwarmNode> swarm = [];
        // An overlay is listed once per engine that uses it (Get-RedisTopology): once in the spec.
        foreach (var n in topo.Networks.Distinct(StringComparer.Ordinal))
        {
            // A worker lists an overlay only while one of its containers uses it: read it from every engine then.
            var net = await docker.InspectNetworkAsync(n, ct).ConfigureAwait(false)
                ?? await Swarm.OverlayNetworks.FindAsync(_session, n, _sink, ct).ConfigureAwait(false);
            if (net is null) continue;
            var overlay = Swarm.OverlayNetworks.IsOverlay(net.Driver);
            if (overlay && swarm.Count == 0)
                swarm = await new Swarm.SwarmOperations(_session, _sink).RefreshAsync(ct).ConfigureAwait(false);
            // An overlay is made (and re-made on import) through a manager of the swarm.
            var host = overlay ? swarm.FirstOrDefault(s => s.Role == "manager" && s.DockerHost is not null)?.DockerHost
                ?? _session.DockerHost : _session.DockerHost;
            networks.Add(new NetworkSpecDto(net.Name, net.Subnets.FirstOrDefault()?.Subnet,
                net.Subnets.FirstOrDefault()?.Gateway, net.Internal, host,
                overlay ? Swarm.OverlayNetworks.Driver : null));
        }
        var nodes = await Nodes.GetAsync(new NodeFilter { Topology = name }, ct).ConfigureAwait(false);
        var byIp = nodes.Where(n => n.ContainerEndpoint is not null)
            .ToDictionary(n => n.ContainerEndpoint!, n => n.Name);
        var nodeSpecs = new List<NodeSpecDto>();
        foreach (var n in nodes.Where(n => n.Kind == RedisNodeKind.Redis))
        {
            var config = await ReadConfigAsync(await _session.GetDockerAsync(n.DockerHost, ct).ConfigureAwait(false), n,
                ct).ConfigureAwait(false) ?? "";
            string? replicaOf = null;
            if (RedisConfigRenderer.ReadDirectiveLine(config, "replicaof") is { } line)
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2) replicaOf = byIp.GetValueOrDefault($"{parts[0]}:{parts[1]}")
                    ?? $"{parts[0]}:{parts[1]}";
            }
            var extra = config.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#')
                .Select(l => (Key: l.Split(' ', 2)[0], Value: l.Contains(' ') ? l.Split(' ', 2)[1] : ""))
                .Where(kv => !s_managedDirectives.Contains(kv.Key) && !Security.TlsFiles.IsTlsDirective(kv.Key))
                .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
            nodeSpecs.Add(new NodeSpecDto(n.Name, n.Network ?? "", n.IPAddress, n.Port, n.Image, n.ClusterEnabled,
                int.TryParse(RedisConfigRenderer.ReadDirective(config, "cluster-node-timeout"), out var cnt) ? cnt
                    : null,
                RedisConfigRenderer.ReadDirective(config, "appendonly") != "no",
                RedisConfigRenderer.ReadDirective(config, "maxmemory"),
                    RedisConfigRenderer.ReadDirective(config, "maxmemory-policy"),
                replicaOf, extra, n.DockerHost, n.Labels.Get(Labels.HostNetwork) == "true" ? n.IPAddress : null,
                    n.Topology,
                    n.Labels.Get(Security.TlsFiles.Label))
            {
                SwarmNode = _session.Swarm.NodeOf(n.DockerHost)?.Name ?? n.SwarmNode,
                SwarmNodeId = _session.Swarm.NodeOf(n.DockerHost)?.Id,
                HostAddress = n.Labels.Get(Labels.HostNetwork) == "true" ? null : PublishedAddress(n.HostEndpoint),
            });
        }
        ClusterSpecDto? cluster = null;
        if (nodes.Any(n => n.ClusterEnabled))
        {
            var members = await _cluster.GetNodesAsync(name, ct).ConfigureAwait(false);
            cluster = new ClusterSpecDto(members.Where(m => m.Role == RedisRole.Primary && m.Name is not null)
                .Select(p => new ClusterPrimaryDto(p.Name!, p.SlotRanges.Select(r => r.ToString()).ToArray(),
                    p.Replicas)).ToArray())
            {
                ClientEndpoint = await ClientEndpointAsync(nodes.Where(n => n.ClusterEnabled), ct)
                    .ConfigureAwait(false),
            };
        }
        var groups = new List<SentinelGroupDto>();
        foreach (var g in await _sentinels.GetAsync(name, null, ct).ConfigureAwait(false))
            groups.Add(new SentinelGroupDto(g.MasterName, g.Primary ?? "", g.SentinelCount, g.Quorum,
                (int)g.DownAfterMilliseconds, (int)g.FailoverTimeout, g.ParallelSyncs,
                nodes.FirstOrDefault(n => n.SentinelGroup == g.MasterName)?.Port ?? 26379,
                    nodes.FirstOrDefault(n => n.SentinelGroup == g.MasterName)?.Image));
        var acl = await Security.AclTransfer.ExportAsync(_session,
            nodes.Where(n => n.Kind == RedisNodeKind.Redis).ToList(), ct).ConfigureAwait(false);
        return new TopologySpec(TopologySpec.CurrentFormat, name, DateTimeOffset.UtcNow,
            new PasswordReferenceDto("node-configuration",
                "The password is not exported. Import with -Password, or a new one is generated. Read the current one "
                    + "with Get-RedisCredential."),
            networks, nodeSpecs, cluster, groups)
        {
            Users = acl.Users.Count > 0 ? acl.Users : null,
            DefaultUserOff = acl.DefaultOff ? true : null,
        };
    }

    /// <summary>The address a node is published on, null for 127.0.0.1 (the default) or when not published.</summary>
    private static string? PublishedAddress(string? hostEndpoint)
    {
        if (hostEndpoint is null) return null;
        var host = EndpointMap.Split(hostEndpoint).Host;
        return host == "127.0.0.1" ? null : host;
    }

    /// <summary>Host or Container (Set-RedisCluster -ClientEndpoint) as the first running cluster node says, null
    /// when none answers or Redis is older than 7.0.</summary>
    private async Task<string?> ClientEndpointAsync(IEnumerable<RedisNode> clusterNodes, CancellationToken ct)
    {
        foreach (var n in clusterNodes.Where(n => n.HostEndpoint is not null))
        {
            try
            {
                var password = await _session.GetPasswordAsync(n.Topology, ct).ConfigureAwait(false);
                var r = await _session.SendAsync(n.HostEndpoint!, password,
                    new object[] { "CONFIG", "GET", "cluster-preferred-endpoint-type" }, ct).ConfigureAwait(false);
                if (r.Items is not { Count: 2 } items) return null;
                return items[1].Text == "ip" ? nameof(ClusterClientEndpoint.Container)
                    : nameof(ClusterClientEndpoint.Host);
            }
            catch (RedisException e)
            {
                _sink.Verbose($"Could not read the client endpoint type of '{n.Name}': {e.Message}");
            }
        }
        return null;
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
}
