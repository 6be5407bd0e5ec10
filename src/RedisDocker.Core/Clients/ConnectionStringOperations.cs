using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>
/// Client configuration strings for applications on the host, in StackExchange.Redis's syntax
/// ("127.0.0.1:p1,127.0.0.1:p2,password=..."): endpoints the host reaches, never a container address
/// (Docker Desktop cannot route to those).
/// </summary>
public sealed class ConnectionStringOperations : Workflow
{
    private readonly NodeOperations _nodes;
    private readonly SentinelOperations _sentinels;

    internal ConnectionStringOperations(RedisDockerSession session, IOperationSink sink,
        NodeOperations nodes, SentinelOperations sentinels)
        : base(session, sink)
    {
        _nodes = nodes;
        _sentinels = sentinels;
    }

    /// <summary>
    /// The configuration string. A cluster: every running node's host endpoint (the client learns the slot map
    /// from any of them; redirects name host endpoints, see <see cref="HostEndpoints"/>). A Sentinel group: the
    /// group's primary first, then its replicas (the client finds the primary by role and finds the new one
    /// after a failover among the same endpoints: the sentinels' own replies name container addresses).
    /// A Sentinel group's string also carries configCheckSeconds=5, so the client finds a new primary within seconds.
    /// A node: its host endpoint. The password only when asked for.
    /// </summary>
    public async Task<string> GetAsync(ConnectionTarget target, string name, bool includePassword, CancellationToken ct,
        ConnectionRoute route = ConnectionRoute.Published) =>
        (await DescribeAsync(target, name, includePassword, ct, route).ConfigureAwait(false)).Text;

    /// <summary>Whether the last <see cref="DescribeAsync"/> named container addresses (the direct route).</summary>
    internal bool LastWasDirect { get; private set; }

    /// <summary>The configuration string and the topology it belongs to (whose password the client needs).</summary>
    /// <param name="tunnelled">The client translates container addresses itself (Connect-RedisClient): no warning about
    /// them.</param>
    internal async Task<(string Text, string Topology)> DescribeAsync(ConnectionTarget target, string name,
        bool includePassword,
        CancellationToken ct, ConnectionRoute route = ConnectionRoute.Published, bool tunnelled = false)
    {
        var nodeOps = _nodes;
        IReadOnlyList<RedisNode> endpoints;
        string topology;
        switch (target)
        {
            case ConnectionTarget.Node:
            {
                var node = await nodeOps.GetOneAsync(name, ct).ConfigureAwait(false);
                topology = node.Topology;
                endpoints = node.HostEndpoint is null ? throw NotRunning(node.Name) : new[] { node };
                break;
            }
            case ConnectionTarget.Cluster:
            {
                var nodes = (await nodeOps.GetAsync(new NodeFilter { Topology = name, IncludeSentinels = false }, ct)
                    .ConfigureAwait(false))
                    .Where(n => n.ClusterEnabled).ToList();
                if (nodes.Count == 0)
                    throw Errors.ClusterNotFound($"No cluster named '{name}'. List them with Get-RedisCluster.", name);
                topology = name;
                endpoints = nodes.Where(n => n.HostEndpoint is not null)
                    .OrderBy(n => n.Role == RedisRole.Primary ? 0 : 1).ThenBy(n => n.Name, StringComparer.Ordinal)
                        .ToList();
                if (endpoints.Count == 0) throw NotRunning(name);
                var type = await PreferredEndpointTypeAsync(endpoints[0], ct).ConfigureAwait(false);
                // Redirects name host endpoints: a client given container addresses would be sent to the published
                // ports by the first MOVED anyway, so the direct route is for clusters that name container addresses.
                if (route == ConnectionRoute.Auto && type == "hostname") route = ConnectionRoute.Published;
                if (route == ConnectionRoute.Direct && type == "hostname" && !tunnelled)
                    _sink.Warning($"Cluster '{name}' names host endpoints in its redirects: clients given container "
                        + "addresses "
                        + "follow them to the published ports. For the direct route throughout, Set-RedisCluster "
                            + $"-Cluster {name} "
                        + "-ClientEndpoint Container (then only clients that route to containers can use it).");
                if (route != ConnectionRoute.Direct && type != "hostname" && !tunnelled) WarnContainerEndpoints(name,
                    type);
                break;
            }
            default:
            {
                var group = (await _sentinels.GetAsync(null, name, ct).ConfigureAwait(false)).FirstOrDefault()
                    ?? throw Errors.SentinelNotFound($"No Sentinel group named '{name}'. List them with "
                        + "Get-RedisSentinel.", name);
                topology = group.Topology;
                var data = await nodeOps.GetAsync(new NodeFilter { Topology = topology, IncludeSentinels = false }, ct)
                    .ConfigureAwait(false);
                var members = new HashSet<string>(group.Replicas.Append(group.Primary ?? ""),
                    StringComparer.OrdinalIgnoreCase);
                endpoints = data.Where(n => members.Contains(n.Name) && n.HostEndpoint is not null)
                    .OrderBy(n => string.Equals(n.Name, group.Primary, StringComparison.OrdinalIgnoreCase) ? 0 : 1)
                    .ThenBy(n => n.Name, StringComparer.Ordinal).ToList();
                if (endpoints.Count == 0) throw NotRunning(name);
                break;
            }
        }
        var direct = route switch
        {
            ConnectionRoute.Direct => true,
            ConnectionRoute.Published => false,
            _ => await RoutesToContainersAsync(endpoints[0], ct).ConfigureAwait(false),
        };
        if (direct && endpoints.Any(n => n.ContainerEndpoint is null))
            throw Errors.NodeNotReachable($"A node of '{name}' has no container address. Use -Route Published.", name);
        LastWasDirect = direct;
        var text = string.Join(",", endpoints.Select(n => direct ? n.ContainerEndpoint! : n.HostEndpoint!));
        text = Security.ClientTls.WithSsl(text, endpoints[0]);
        // Without serviceName the client learns of a failover at its next configuration check (every 60 s by
        // default, refusing writes with READONLY meanwhile): every 5 s finds the new primary within seconds.
        if (target == ConnectionTarget.SentinelGroup) text += $",{SentinelConfigCheck}";
        if (!includePassword) return (text, topology);
        var password = await _session.GetPasswordAsync(topology, ct).ConfigureAwait(false)
            ?? throw Errors.NodeNotReachable($"The password of topology '{topology}' could not be read from its "
                + "nodes. Start one of them, then try again.",
                topology);
        if (password.IndexOfAny(new[] { ',', '=', '"' }) >= 0)
            throw Errors.InvalidArgument($"The password of topology '{topology}' has a ',', '=' or '\"', which a "
                + "StackExchange.Redis configuration string "
                + "cannot carry. Leave -IncludePassword out and set ConfigurationOptions.Password in code.",
                topology);
        if (await DefaultDisabledAsync(topology, ct).ConfigureAwait(false))
            _sink.Warning($"The user 'default' is off on topology '{topology}' (Set-RedisUser -Name default "
                + "-Disabled): a connection string with only a password authenticates as default and is refused "
                + "(WRONGPASS). Give the client an ACL user instead: leave -IncludePassword out and add ',user=NAME,"
                + "password=...' for a user made with New-RedisUser.");
        return ($"{text},password={password}", topology);
    }

    /// <summary>Whether default is off on the topology (false when that cannot be read: the string is made
    /// anyway).</summary>
    internal async Task<bool> DefaultDisabledAsync(string topology, CancellationToken ct)
    {
        try
        {
            return await new Security.AclOperations(_session, NullSink.Instance, _nodes)
                .DefaultDisabledAsync(topology, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisDockerException or RedisException)
        {
            _sink.Verbose($"Could not read whether user 'default' is on in topology '{topology}': {e.Message}");
            return false;
        }
    }

    /// <summary>The cluster's cluster-preferred-endpoint-type (hostname or ip), null before Redis 7.0.</summary>
    private async Task<string?> PreferredEndpointTypeAsync(RedisNode node, CancellationToken ct)
    {
        try
        {
            var password = await _session.GetPasswordAsync(node.Topology, ct).ConfigureAwait(false);
            var r = await _session.SendAsync(node.HostEndpoint!, password,
                new object[] { "CONFIG", "GET", "cluster-preferred-endpoint-type" }, ct).ConfigureAwait(false);
            return r.Items is { Count: 2 } items ? items[1].Text : null;
        }
        catch (RedisException e)
        {
            _sink.Verbose($"Could not read the client endpoint type of '{node.Name}': {e.Message}");
            return null;
        }
    }

    /// <summary>A cluster that names container addresses to its clients works only where they route: say so.</summary>
    private void WarnContainerEndpoints(string cluster, string? type) =>
        _sink.Warning($"Cluster '{cluster}' names container addresses in its redirects "
            + (type is null ? "(Redis before 7.0 cannot announce host endpoints)"
                : $"(cluster-preferred-endpoint-type {type})")
            + ": clients on the host follow them only where the host routes to containers (a Linux engine on this "
                + "host, "
            + "not Docker Desktop)." + (type is null ? ""
                : $" Set-RedisCluster -Cluster {cluster} -ClientEndpoint Host names host endpoints again."));

    /// <summary>
    /// Whether this host reaches the node's container address: a TCP connect with a short bound, once per session
    /// for each engine and network. Never for a remote engine (its containers are behind another host).
    /// </summary>
    public async Task<bool> RoutesToContainersAsync(RedisNode node, CancellationToken ct)
    {
        if (node.ContainerEndpoint is null || node.HostEndpoint is null) return false;
        if (!string.Equals(node.DockerHost, _session.DockerHost, StringComparison.Ordinal)
            || !_session.Endpoint.IsLocal())
            return false;
        var key = $"{node.DockerHost}|{node.Network}";
        if (_session.ContainerRoutes.TryGetValue(key, out var known)) return known;
        var routes = await NodeRoutes.ProbeAsync(node.ContainerEndpoint, ct).ConfigureAwait(false);
        _sink.Verbose(routes
            ? $"This host reaches the container addresses of network '{node.Network}' ({node.ContainerEndpoint}): "
                + "using them."
            : $"This host does not reach the container addresses of network '{node.Network}': using the published "
                + "ports.");
        _session.ContainerRoutes[key] = routes;
        return routes;
    }

    /// <summary>The StackExchange.Redis option a Sentinel group's string carries (see <see
    /// cref="GetAsync"/>).</summary>
    public const string SentinelConfigCheck = "configCheckSeconds=5";

    private static RedisDockerException NotRunning(string name) =>
        Errors.NodeNotReachable($"'{name}' has no running node with a published port. Start it (Start-RedisTopology "
            + "or Start-RedisNode).",
            name);
}
