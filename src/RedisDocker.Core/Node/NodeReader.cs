using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>
/// Reads nodes from their containers (labels, state, addresses) and the role each reports now. Its own piece so
/// that the workflows which only read nodes (sentinel start preparation, the cluster router) need not depend on
/// <see cref="NodeOperations"/>, which starts nodes through them.
/// </summary>
public sealed class NodeReader : Workflow
{
    internal NodeReader(RedisDockerSession session, IOperationSink sink)
        : base(session, sink)
    {
    }

    private static RedisDockerException NotFound(string name) => NodeOperations.NotFound(name);

    /// <summary>Reads nodes from Docker labels, with the role each reports now.</summary>
    public async Task<IReadOnlyList<RedisNode>> GetAsync(NodeFilter filter, CancellationToken ct) =>
        (await ReadAsync(filter, ct).ConfigureAwait(false)).Select(x => x.Node).ToArray();

    /// <summary>
    /// The topology's nodes (sentinels too when asked), with the role each reports now, and the translation of
    /// their container endpoints to host endpoints: one explicit read, passed along by the workflow that made it.
    /// </summary>
    public async Task<TopologySnapshot> SnapshotAsync(string topology, CancellationToken ct,
        bool includeSentinels = true) =>
        TopologySnapshot.From(topology, (await ReadAsync(
            new NodeFilter { Topology = topology, IncludeSentinels = includeSentinels }, ct).ConfigureAwait(false))
            .Select(x => (x.Node, (IEnumerable<string>)x.Addresses)));

    private async Task<IReadOnlyList<(RedisNode Node, IReadOnlyList<string> Addresses)>> ReadAsync(NodeFilter filter,
        CancellationToken ct)
    {
        var labels = new Dictionary<string, string?> { [Labels.Managed] = "true" };
        if (filter.Topology is not null) labels[Labels.Topology] = filter.Topology;
        if (filter.Network is not null) labels[Labels.Network] = filter.Network;
        var summaries = (await _session.OnEveryEngineAsync((d, c) => d.ListContainersAsync(labels, all: true, c), _sink,
            ct).ConfigureAwait(false))
            .SelectMany(x => x.Result.Select(c => (Docker: x.Docker, Summary: c))).ToList();
        var selected = summaries.Where(x =>
                (x.Summary.Labels.Get(Labels.Kind) is Labels.KindNode or Labels.KindSentinel) &&
                (filter.Names is null || filter.Names.Count == 0
                    || filter.Names.Any(n => x.Summary.Names.Any(cn => NetworkOperations.WildcardMatch(cn, n))
                        || string.Equals(x.Summary.Id, n, StringComparison.OrdinalIgnoreCase))) &&
                (!filter.SentinelsOnly || x.Summary.Labels.Get(Labels.Kind) == Labels.KindSentinel) &&
                (filter.IncludeSentinels || filter.SentinelsOnly
                    || x.Summary.Labels.Get(Labels.Kind) == Labels.KindNode))
            .ToArray();
        var nodes = await Task.WhenAll(selected.Select(async x =>
        {
            var info = await x.Docker.InspectContainerAsync(x.Summary.Id, ct).ConfigureAwait(false);
            if (info is null) return ((RedisNode, IReadOnlyList<string>)?)null;
            var node = await ReadLiveAsync(info, ct, x.Docker).ConfigureAwait(false);
            return (node, AddressesOf(info, node));
        })).ConfigureAwait(false);
        return nodes.Where(n => n is { } x && (filter.Role is null || x.Item1.Role == filter.Role))
            .Select(n => n!.Value).OrderBy(n => n.Item1.Topology, StringComparer.Ordinal)
                .ThenBy(n => n.Item1.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>One node by name, or NodeNotFound.</summary>
    public async Task<RedisNode> GetOneAsync(string name, CancellationToken ct)
    {
        var (docker, info) = await RequireManagedAsync(name, ct).ConfigureAwait(false);
        return await ReadLiveAsync(info, ct, docker).ConfigureAwait(false);
    }

    /// <summary>The node from its container, with ROLE and version read live when it runs.</summary>
    public async Task<RedisNode> ReadLiveAsync(ContainerInfo info, CancellationToken ct, DockerClient? docker = null)
    {
        var node = ToRedisNode(info, RedisRole.Unknown, docker);
        if (!info.State.Running || node.HostEndpoint is null) return node;
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(TimeSpan.FromSeconds(5));
            var conn = await _session.ConnectAsync(node, bound.Token).ConfigureAwait(false);
            var replies = await conn.PipelineAsync(new[] { new object[] { "ROLE" }, new object[] { "INFO", "server" } },
                bound.Token).ConfigureAwait(false);
            var (role, primary) = ParseRole(replies[0]);
            var version = replies[1].IsError ? null : RedisInfo.Parse(replies[1].AsString())
                .GetValueOrDefault("redis_version");
            return node with { Role = role, PrimaryEndpoint = primary, RedisVersion = version };
        }
        catch (Exception e) when (e is RedisException or IOException or OperationCanceledException
            or RedisDockerException && !ct.IsCancellationRequested)
        {
            _sink.Verbose($"Node '{node.Name}' did not answer ROLE ({e.Message}); its role shows as Unknown.");
            _session.Evict(node.HostEndpoint);
            return node;
        }
    }

    public static (RedisRole Role, string? Primary) ParseRole(RespValue role)
    {
        if (role.IsError || role.Items is not { Count: > 0 } items) return (RedisRole.Unknown, null);
        return items[0].Text switch
        {
            "master" => (RedisRole.Primary, null),
            "slave" or "replica" => (RedisRole.Replica, items.Count > 2 ? $"{items[1].Text}:{items[2].AsInt64()}"
                : null),
            "sentinel" => (RedisRole.Sentinel, null),
            _ => (RedisRole.Unknown, null),
        };
    }

    /// <summary>Builds the snapshot from the container (labels, state, addresses) and records its endpoints in the
    /// map.</summary>
    public RedisNode ToRedisNode(ContainerInfo info, RedisRole role, IDockerEngine? docker = null)
    {
        var endpoint = docker?.Endpoint ?? _session.Endpoint;
        var port = int.TryParse(info.Labels.Get(Labels.Port), out var p) ? p : 6379;
        var network = info.Labels.Get(Labels.Network);
        string? ip = null;
        if (network is not null && info.Networks.TryGetValue(network, out var netInfo)
            && !string.IsNullOrEmpty(netInfo.IPAddress)) ip = netInfo.IPAddress;
        ip ??= info.Networks.Values.Select(n => n.IPAddress).FirstOrDefault(a => !string.IsNullOrEmpty(a));
        // A stopped container has no address, but keeps the static one it was given (and gets it back on start).
        if (ip is null && network is not null && info.Networks.TryGetValue(network, out var cfg)
            && cfg.ConfiguredIPAddress.Length > 0) ip = cfg.ConfiguredIPAddress;
        ip ??= info.Networks.Values.Select(n => n.ConfiguredIPAddress).FirstOrDefault(a => a.Length > 0);
        string? hostEndpoint = null;
        int? hostPort = null;
        var announce = info.Labels.Get(Labels.Announce);
        if (info.Labels.Get(Labels.HostNetwork) == "true" && announce is not null)
        {
            // Host network mode: the node listens on its host's address; no port is published.
            ip = announce;
            if (info.State.Running) { hostEndpoint = $"{announce}:{port}"; hostPort = port; }
        }
        else if (info.State.Running)
        {
            var pub = info.Ports.FirstOrDefault(x => x.ContainerPort == port && x.HostPort is > 0
                && (x.HostIp is "127.0.0.1" or "0.0.0.0" or "" or null))
                   ?? info.Ports.FirstOrDefault(x => x.ContainerPort == port && x.HostPort is > 0);
            if (pub is not null)
            {
                hostPort = pub.HostPort;
                var host = pub.HostIp is "0.0.0.0" or "" or null or "::" ? endpoint.HostAddressForPorts() : pub.HostIp;
                hostEndpoint = $"{host}:{pub.HostPort}";
            }
        }
        var kind = info.Labels.Get(Labels.Kind) == Labels.KindSentinel ? RedisNodeKind.Sentinel : RedisNodeKind.Redis;
        var node = new RedisNode
        {
            Name = info.Name,
            Id = info.Id,
            Topology = info.Labels.Get(Labels.Topology) ?? "",
            Kind = kind,
            Role = role,
            State = info.State.Status,
            Network = network,
            IPAddress = ip,
            Port = port,
            HostEndpoint = hostEndpoint,
            HostPort = hostPort,
            Image = info.Image,
            ClusterEnabled = info.Labels.Get(Labels.ClusterEnabled) == "true",
            SentinelGroup = info.Labels.Get(Labels.SentinelGroup),
            DockerHost = endpoint.ToString(),
            SwarmNode = _session.Swarm.NodeOf(endpoint.ToString())?.Name,
            SwarmNodeState = _session.Swarm.NodeOf(endpoint.ToString())?.State,
            DataVolume = info.Labels.Get(Labels.DataVolume),
            Created = info.Created,
            Labels = info.Labels,
        };
        _session.Tls.Observe(node);
        if (node.SwarmNode is { } swarmNode && node.Topology.Length > 0) _session.Swarm.Saw(node.Topology, swarmNode);
        _session.ObserveAdminUser(node);
        // The session's map stays filled as a cache for the paths that do not read a TopologySnapshot yet.
        _session.EndpointMap.Record(node, AddressesOf(info, node));
        _session.Routes.Note(node, node.DockerHost == _session.DockerHost && endpoint.IsLocal());
        return node;
    }

    /// <summary>Every address of the node's container on its networks (the static one when stopped).</summary>
    internal static IReadOnlyList<string> AddressesOf(ContainerInfo info, RedisNode node) =>
        info.Networks.Values.Select(n => n.IPAddress).Where(a => !string.IsNullOrEmpty(a))
            .Append(node.IPAddress ?? "").Where(a => a.Length > 0).Distinct().ToArray();

    /// <summary>The node's container and the engine that holds it (any engine of the session), or
    /// NodeNotFound.</summary>
    internal async Task<(DockerClient Docker, ContainerInfo Info)> RequireManagedAsync(string name,
        CancellationToken ct)
    {
        var found = await _session.FindContainerAsync(name, ct).ConfigureAwait(false);
        if (found is not { } f || f.Info.Labels.Get(Labels.Managed) != "true") throw NotFound(name);
        return f;
    }
}
