using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>What New-RedisNode asks for, one node.</summary>
public sealed record NodeSpec
{
    public required string Name { get; init; }
    public required string Network { get; init; }
    public string? Image { get; init; }
    public int Port { get; init; } = 6379;
    /// <summary>Host port to publish on; null lets Docker pick a free one.</summary>
    public int? HostPort { get; init; }
    /// <summary>Host address the port is published on: 127.0.0.1 unless the user asks otherwise.</summary>
    public string HostIp { get; init; } = "127.0.0.1";
    /// <summary>Allows <see cref="HostIp"/> 0.0.0.0 or :: (every interface of the host), with a warning.</summary>
    public bool AllowAllInterfaces { get; init; }
    public string? IPAddress { get; init; }
    /// <summary>The topology's password; null reuses the topology's or generates one.</summary>
    public string? Password { get; init; }
    public bool ClusterEnabled { get; init; }
    public int ClusterNodeTimeoutMs { get; init; } = 5000;
    public bool AppendOnly { get; init; } = true;
    public string? MaxMemory { get; init; }
    public string? MaxMemoryPolicy { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Config { get; init; } = Array.Empty<KeyValuePair<string, string>>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Start as a replica of this container endpoint ("ip port").</summary>
    public string? ReplicaOf { get; init; }
    /// <summary>Sentinel settings: the node is a Sentinel when set.</summary>
    public SentinelConfig? Sentinel { get; init; }
    /// <summary>The Docker engine to create the node on; the session's primary engine when null.</summary>
    public string? DockerHost { get; init; }
    /// <summary>Host network mode: the node listens on <see cref="AnnounceAddress"/>:<see cref="Port"/> of its Docker host.</summary>
    public bool HostNetwork { get; init; }
    /// <summary>With host networking: the address of the Docker host other nodes (and this host) reach it at.</summary>
    public string? AnnounceAddress { get; init; }
    /// <summary>With host networking: the cluster bus port (port + 10000 when null).</summary>
    public int? BusPort { get; init; }
    /// <summary>The topology (required with host networking, where no network carries it).</summary>
    public string? Topology { get; init; }
    /// <summary>
    /// Cluster nodes on a Docker network: listen inside the container on the port number they are published
    /// on and announce the host address (cluster-announce-hostname), so any client on the host follows
    /// redirects and slot maps to endpoints it reaches (see <see cref="HostEndpoints"/>). True by default.
    /// </summary>
    public bool AnnounceHostEndpoint { get; init; } = true;
    /// <summary>TLS only (-Tls); a node added to a TLS topology gets its TLS options when null.</summary>
    public Security.TlsOptions? Tls { get; init; }
}

/// <summary>
/// Host endpoints for cluster nodes: why a node listens on its host port number and what it announces.
/// Redis >= 7.0 sends cluster-announce-hostname in client-facing replies (MOVED, ASK, CLUSTER SLOTS/SHARDS)
/// when cluster-preferred-endpoint-type is hostname, while the cluster bus, replication and CLUSTER NODES
/// keep the container IP. A redirect names hostname:port with the port the node listens on, so the node
/// listens inside its container on the same number it is published on: host clients reach
/// hostaddress:port through the published port, nodes and in-network clients reach containerip:port.
/// </summary>
public static class HostEndpoints
{
    /// <summary>The port every spec has unless the user chose one (-Port).</summary>
    public const int DefaultPort = 6379;

    /// <summary>True when the node listens on its host port number and announces its host address.</summary>
    public static bool Applies(NodeSpec s) =>
        s.ClusterEnabled && s.AnnounceHostEndpoint && !s.HostNetwork && s.Sentinel is null;

    /// <summary>The cluster bus port inside the container: port + 10000, or port - 10000 above 55535.</summary>
    public static int BusPortOf(int port) => port > 55535 ? port - 10000 : port + 10000;

    /// <summary>The value of cluster-preferred-endpoint-type for a choice.</summary>
    public static string PreferredType(ClusterClientEndpoint e) => e == ClusterClientEndpoint.Host ? "hostname" : "ip";
}

/// <summary>Nodes: create, read (labels + live ROLE), start, stop, restart, remove.</summary>
public sealed class NodeOperations
{
    private readonly RedisDockerSession _session;
    private readonly IOperationSink _sink;

    public NodeOperations(RedisDockerSession session, IOperationSink sink)
    {
        _session = session;
        _sink = sink;
    }

    public TimeSpan ReadyTimeout { get; init; } = Defaults.ReadyTimeout;

    internal static RedisDockerException NotFound(string name) =>
        Errors.NodeNotFound($"No RedisDocker node named '{name}'. List them with Get-RedisNode.", name);

    /// <summary>
    /// Creates nodes in parallel. Each result is the node or the failure of that node; a failed
    /// node leaves nothing behind (its container and volume are removed).
    /// Batch-level problems (bad names, network missing, password conflict, image missing) throw
    /// before anything is created.
    /// </summary>
    public async Task<IReadOnlyList<NodeResult>> CreateAsync(IReadOnlyList<NodeSpec> specs, CancellationToken ct)
    {
        if (specs.Count == 0) return Array.Empty<NodeResult>();
        // 0. Every value checked before anything is created (or any engine contacted).
        var warnings = new List<string>();
        foreach (var s in specs)
        {
            warnings.AddRange(InputValidation.ValidateNode(s));
            if (!s.HostNetwork && InputValidation.IsAnyAddress(s.HostIp))
                warnings.Add($"Node '{s.Name}' is published on every interface of the host ({s.HostIp}): anyone who can reach this machine can reach it.");
        }
        foreach (var w in warnings.Distinct()) _sink.Warning(w);
        // Each node on its own engine (-DockerHost), the session's primary engine by default.
        var engines = new DockerClient[specs.Count];
        for (var i = 0; i < specs.Count; i++) engines[i] = await _session.GetDockerAsync(specs[i].DockerHost, ct).ConfigureAwait(false);

        // A host-network node on a tcp:// engine announces that engine's address unless told otherwise.
        specs = specs.Select((s, i) => s.HostNetwork && s.AnnounceAddress is null && engines[i].Endpoint.Uri.Scheme is "tcp" or "https" or "http"
                && IPv4Cidr.TryParseAddress(engines[i].Endpoint.HostAddress, out _)
            ? s with { AnnounceAddress = engines[i].Endpoint.HostAddress }
            : s).ToArray();

        // Cluster nodes with host endpoints listen on their host port number: a -Port is also the host port.
        foreach (var s in specs.Where(x => HostEndpoints.Applies(x) && x.Port != HostEndpoints.DefaultPort
                     && x.HostPort is int hp && hp != x.Port))
            throw Errors.InvalidConfig($"Cluster node '{s.Name}' listens on the port number it is published on (so clients on the host follow " +
                $"its redirects): give -Port or -HostPort, not both with different numbers ({s.Port}, {s.HostPort}).",
                s.Name);
        specs = specs.Select(x => HostEndpoints.Applies(x) && x.Port != HostEndpoints.DefaultPort && x.HostPort is null
            ? x with { HostPort = x.Port } : x).ToArray();

        // 1. Names: valid, unique in the batch, free on every engine.
        var dup = specs.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw Errors.NameGivenTwice(dup.Key);
        foreach (var s in specs)
        {
            NetworkOperations.ValidateName(s.Name, "node");
            if (s.Port is < 1 or > 65535 || (s.ClusterEnabled && s.BusPort is null && s.Port > 55535))
                throw Errors.InvalidConfig(
                    s.ClusterEnabled ? $"Port {s.Port} is out of range for a cluster node (1-55535: the bus port is port+10000)." : $"Port {s.Port} is out of range (1-65535).",
                    s.Name);
            if (s.HostPort is < 1 or > 65535)
                throw Errors.InvalidConfig($"Host port {s.HostPort} is out of range (1-65535).", s.Name);
            if (s.HostNetwork && (s.AnnounceAddress is null || !IPv4Cidr.TryParseAddress(s.AnnounceAddress, out _)))
                throw Errors.IPAddressInvalid(
                    $"Node '{s.Name}' uses the host's network: give -AnnounceAddress, the address of its Docker "
                    + "host that the other nodes reach (it defaults to the address of a tcp:// engine).",
                    s.Name);
            if (s.HostNetwork && s.Topology is null)
                throw Errors.InvalidArgument($"Node '{s.Name}' uses the host's network: give -Topology.", s.Name);
            foreach (var kv in s.Config)
                if (RedisConfigRenderer.ValidateExtra(kv.Key, kv.Value) is { } problem)
                    throw Errors.InvalidConfig(problem, kv.Key);
            if (await _session.FindContainerAsync(s.Name, ct).ConfigureAwait(false) is not null)
                throw Errors.NodeNameTaken(
                    $"A container named '{s.Name}' already exists. Choose another name, or remove it with "
                    + $"Remove-RedisNode {s.Name}.",
                    s.Name);
        }
        var hostPorts = specs.Select((s, i) => (s, i)).Where(x => x.s.HostPort is not null).GroupBy(x => (engines[x.i].Endpoint.ToString(), x.s.HostPort)).FirstOrDefault(g => g.Count() > 1);
        if (hostPorts is not null)
            throw Errors.HostPortConflict($"Host port {hostPorts.Key.HostPort} is given to more than one node.",
                hostPorts.Key.HostPort);
        // Host network: two nodes of one Docker host cannot share a port (nor its bus port).
        var hostNet = specs.Select((s, i) => (s, i)).Where(x => x.s.HostNetwork)
            .SelectMany(x => PortsOf(x.s).Select(port => (Host: engines[x.i].Endpoint.ToString(), Port: port, x.s.Name)))
            .GroupBy(x => (x.Host, x.Port)).FirstOrDefault(g => g.Select(x => x.Name).Distinct().Count() > 1);
        if (hostNet is not null)
            throw Errors.HostPortConflict(
                $"Nodes {string.Join(" and ", hostNet.Select(x => x.Name).Distinct())} would both use port "
                + $"{hostNet.Key.Port} on Docker host {hostNet.Key.Host}. Give each node of a host its own -Port.",
                hostNet.Key.Port);
        for (var i = 0; i < specs.Count; i++)
        {
            var s = specs[i];
            if (!engines[i].Endpoint.IsLocal()) continue;
            if (!s.HostNetwork && !InputValidation.IsAnyAddress(s.HostIp) && !IsAddressOfThisMachine(s.HostIp))
                throw Errors.IPAddressInvalid(
                    $"-HostAddress {s.HostIp} is not an address of this host. Give one of its addresses (127.0.0.1 "
                    + "by default).",
                    s.Name);
            if (s.HostPort is int hp && !IsHostPortFree(s.HostIp, hp)) throw HostPortTaken(s.HostIp, hp, null);
            if (s.HostNetwork && !IsAddressOfThisMachine(s.AnnounceAddress!))
                throw Errors.IPAddressInvalid(
                    $"{s.AnnounceAddress} is not an address of Docker host {engines[i].Endpoint}. Give "
                    + "-AnnounceAddress with an address of that host.",
                    s.Name);
            if (s.HostNetwork)
                foreach (var port in PortsOf(s))
                    if (!IsHostPortFree(s.AnnounceAddress!, port)) throw HostPortTaken(s.AnnounceAddress!, port, null);
        }

        // A node keeps its host port for life: the port Docker would pick changes at every start, restart and
        // network connect, so one is chosen now (free on this machine when the engine is local) and pinned.
        var pickedPorts = PickHostPorts(specs, engines);
        specs = specs.Select((x, i) => HostEndpoints.Applies(x) && (x.HostPort ?? pickedPorts[i]) is int hp
            ? x with { Port = hp } : x).ToArray();

        // 2. Networks, topology, addresses (host-network nodes use their host's address).
        var networks = new DockerNetwork?[specs.Count];
        var netOps = new NetworkOperations(_session, _sink);
        var topologyOf = new string[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            if (specs[i].HostNetwork) { topologyOf[i] = specs[i].Topology!; continue; }
            networks[i] = await netOps.RequireAsync(engines[i], specs[i].Network, ct).ConfigureAwait(false);
            if (networks[i]!.Labels.Get(Labels.Managed) != "true")
                throw Errors.NotARedisDockerNetwork(
                    $"'{specs[i].Network}' is not a network made by RedisDocker (nodes need its fixed subnet and "
                    + "labels). Create one with New-RedisNetwork.",
                    specs[i].Network);
            topologyOf[i] = TopologyOf(networks[i]!);
            if (specs[i].Topology is { } t && t != topologyOf[i])
                throw Errors.TopologyMismatch(
                    $"Network '{specs[i].Network}' belongs to topology '{topologyOf[i]}', not '{t}'.",
                    specs[i].Name);
        }
        var topologies = topologyOf.Distinct().ToList();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var addresses = new string[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            if (specs[i].HostNetwork) { addresses[i] = specs[i].AnnounceAddress!; continue; }
            if (specs[i].IPAddress is { } ip)
            {
                NetworkOperations.ValidateAddressFree(networks[i]!, ip);
                if (!taken.Add(ip))
                    throw Errors.IPAddressGivenTwice(ip);
                addresses[i] = ip;
            }
        }
        for (var i = 0; i < specs.Count; i++)
        {
            if (addresses[i] is not null) continue;
            var free = NetworkOperations.FreeAddresses(networks[i]!, taken).FirstOrDefault()
                ?? throw Errors.NoFreeAddress(specs[i].Network);
            taken.Add(free);
            addresses[i] = free;
        }

        // 3. One password per topology: reuse, check, or generate.
        var passwords = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var topo in topologies)
        {
            var existing = await _session.GetPasswordAsync(topo, ct).ConfigureAwait(false);
            var given = specs.Where((s, i) => topologyOf[i] == topo).Select(s => s.Password).FirstOrDefault(p => p is not null);
            if (given is not null && existing is not null && given != existing)
                throw Errors.TopologyMismatch(
                    $"Topology '{topo}' already uses another password, and replication needs one password per "
                    + "topology. Leave -Password out to reuse it.",
                    topo);
            var pw = existing ?? given ?? Secrets.GeneratePassword();
            if (existing is null) _sink.Verbose(given is null
                ? $"Generated a password for topology '{topo}' (kept in the nodes' configuration; read it back with Get-RedisCredential)."
                : $"Using the given password for topology '{topo}'.");
            passwords[topo] = pw;
            _session.RememberPassword(topo, pw);
        }

        // 3b. TLS: the topology's own (a node joins its topology's TLS or plain text), and its CA.
        specs = await Security.NodeTls.ResolveAsync(_session, specs, topologyOf, ct).ConfigureAwait(false);

        // 4. Images present on each engine, or pulled with progress.
        foreach (var (engine, image) in specs.Select((s, i) => (engines[i], s.Image ?? _session.DefaultImage)).DistinctBy(x => (x.Item1.Endpoint.ToString(), x.Item2)))
            await EnsureImageAsync(engine, image, ct).ConfigureAwait(false);

        // 5. Create, upload configuration, start, wait: all nodes at once.
        var activity = ProgressReport.NextActivityId();
        var ready = 0;
        var total = specs.Count;
        var kind = specs.All(s => s.Sentinel is not null) ? "sentinel" : "Redis node";
        _sink.Progress(new ProgressReport(activity, $"Starting {total} {kind}{(total == 1 ? "" : "s")}", $"0 of {total} ready", 0));
        var tasks = specs.Select((s, i) => CreateOneAsync(engines[i], s, networks[i], topologyOf[i], addresses[i], passwords[topologyOf[i]], pickedPorts[i], ct)
            .ContinueWith(t =>
            {
                var n = Interlocked.Increment(ref ready);
                _sink.Progress(new ProgressReport(activity, $"Starting {total} {kind}{(total == 1 ? "" : "s")}", $"{n} of {total} done ({s.Name})", n * 100 / total));
                return t;
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap()).ToArray();
        var results = new List<NodeResult>();
        for (var i = 0; i < tasks.Length; i++)
        {
            try { results.Add(new NodeResult(specs[i].Name, await tasks[i].ConfigureAwait(false), null)); }
            catch (Exception e) { results.Add(new NodeResult(specs[i].Name, null, e)); }
        }
        _sink.Progress(new ProgressReport(activity, $"Starting {total} {kind}{(total == 1 ? "" : "s")}", "done", 100, Completed: true));
        if (ct.IsCancellationRequested)
        {
            // Stopped (Ctrl+C): the nodes that did start are removed too, so nothing is left half-made.
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var removed = new List<string>();
            foreach (var made in results.Where(r => r.Node is not null))
            {
                try
                {
                    await RemoveAsync(made.Name, removeVolume: true, cleanup.Token).ConfigureAwait(false);
                    removed.Add(made.Name);
                }
                catch (Exception e) { _sink.Warning($"Stopped: could not remove node '{made.Name}' ({e.Message}); remove it with Remove-RedisNode {made.Name}."); }
            }
            if (removed.Count > 0)
                _sink.Warning($"Stopped: removed the node(s) started before the stop, with their volumes: {string.Join(", ", removed)}.");
            ct.ThrowIfCancellationRequested();
        }
        return results;
    }

    /// <summary>
    /// Writes a node's configuration file into its container through the archive API (created, stopped
    /// or running). uid/gid 999: the official image runs redis as the 'redis' user, which must be able to
    /// rewrite the file (CONFIG REWRITE, Sentinel).
    /// </summary>
    internal static Task UploadConfigAsync(DockerClient docker, string container, string path, string text, CancellationToken ct) =>
        docker.UploadFilesAsync(container, RedisConfigRenderer.ConfigDirectory,
            new[] { new ArchiveFile(Path.GetFileName(path), Encoding.UTF8.GetBytes(text), Mode: 0b110_110_000, Uid: RedisUid, Gid: RedisUid) },
            ct, dirMode: 0b111_111_000, uid: RedisUid, gid: RedisUid);

    /// <summary>The uid and gid Redis and Sentinel run as: the official image's redis user.</summary>
    public const int RedisUid = 999;
    /// <summary>The container user of every node and sentinel.</summary>
    public const string RedisUser = "999:999";

    /// <summary>The host ports a host-network node listens on: its port, and the bus port for cluster nodes.</summary>
    private static IEnumerable<int> PortsOf(NodeSpec s) =>
        s.ClusterEnabled ? new[] { s.Port, s.BusPort ?? s.Port + 10000 } : new[] { s.Port };

    /// <summary>The redis.conf settings of a node (also rendered with placeholders to validate a spec before creation).</summary>
    internal static RedisServerConfig ServerConfigOf(NodeSpec s, string ip, string password) => new()
    {
        Port = s.Port,
        Password = password,
        AppendOnly = s.AppendOnly,
        ClusterEnabled = s.ClusterEnabled,
        ClusterNodeTimeoutMs = s.ClusterNodeTimeoutMs,
        AnnounceIp = ip,
        AnnounceBusPort = s.HostNetwork ? s.BusPort : null,
        BusPort = s.HostNetwork ? s.BusPort : s.ClusterEnabled && s.Port > 55535 ? HostEndpoints.BusPortOf(s.Port) : null,
        // On the host's network the node listens on its announce address (and loopback) only.
        Bind = s.HostNetwork ? $"{ip} 127.0.0.1" : null,
        MaxMemory = s.MaxMemory,
        MaxMemoryPolicy = s.MaxMemoryPolicy,
        ReplicaOf = s.ReplicaOf,
        Extra = s.Config,
        Tls = s.Tls,
    };

    private static string TopologyOf(DockerNetwork n) => n.Labels.Get(Labels.Topology) ?? n.Name;

    /// <summary>
    /// Host ports for the nodes that publish one and were given none: free ports of this machine (held open
    /// together, so the batch gets distinct ones) for a local engine, random ephemeral ones for a remote engine
    /// (a port taken there is picked again at start). Null where the user chose the port or none is published.
    /// </summary>
    private static int?[] PickHostPorts(IReadOnlyList<NodeSpec> specs, DockerClient[] engines)
    {
        var picked = new int?[specs.Count];
        var held = new List<TcpListener>();
        try
        {
            for (var i = 0; i < specs.Count; i++)
            {
                if (specs[i].HostNetwork || specs[i].HostPort is not null) continue;
                picked[i] = engines[i].Endpoint.IsLocal() ? HoldFreePort(specs[i].HostIp, held) : null;
                picked[i] ??= RandomEphemeralPort(picked);
            }
        }
        finally
        {
            foreach (var l in held) l.Stop();
        }
        return picked;
    }

    private static int? HoldFreePort(string hostIp, List<TcpListener> held)
    {
        try
        {
            var l = new TcpListener(hostIp is "0.0.0.0" or "" ? IPAddress.Any : IPAddress.Parse(hostIp), 0);
            l.Start();
            held.Add(l);
            return ((IPEndPoint)l.LocalEndpoint).Port;
        }
        catch (Exception e) when (e is SocketException or FormatException) { return null; }
    }

    private static int RandomEphemeralPort(IReadOnlyCollection<int?> avoid)
    {
        while (true)
        {
            var p = Random.Shared.Next(32768, 61000);
            if (!avoid.Contains(p)) return p;
        }
    }

    internal static bool IsPortInUse(DockerApiException e) =>
        e.EngineMessage.Contains("port is already allocated", StringComparison.OrdinalIgnoreCase)
        || e.EngineMessage.Contains("address already in use", StringComparison.OrdinalIgnoreCase);

    private async Task<RedisNode> CreateOneAsync(DockerClient docker, NodeSpec s, DockerNetwork? net, string topology, string ip, string password,
        int? pickedHostPort, CancellationToken ct)
    {
        var image = s.Image ?? _session.DefaultImage;
        var volume = s.Name + "-data";
        var isSentinel = s.Sentinel is not null;
        var configPath = isSentinel ? RedisConfigRenderer.SentinelConfigPath : RedisConfigRenderer.RedisConfigPath;
        string Config() => isSentinel
            ? RedisConfigRenderer.Render(s.Sentinel! with { Password = password, AnnounceIp = ip, Port = s.Port, Bind = s.HostNetwork ? $"{ip} 127.0.0.1" : null,
                Tls = s.Tls })
            : RedisConfigRenderer.Render(ServerConfigOf(s, ip, password));
        var config = Config();
        var labels = new Dictionary<string, string>(s.Labels)
        {
            [Labels.Managed] = "true",
            [Labels.Kind] = isSentinel ? Labels.KindSentinel : Labels.KindNode,
            [Labels.Topology] = topology,
            [Labels.Network] = net?.Name ?? "host",
            [Labels.DockerHost] = docker.Endpoint.ToString(),
            [Labels.Port] = s.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [Labels.ConfigPath] = configPath,
            [Labels.DataVolume] = volume,
            [Labels.Version] = ModuleInfo.Version,
        };
        if (s.ClusterEnabled) labels[Labels.ClusterEnabled] = "true";
        if (s.Tls is not null) labels[Security.TlsFiles.Label] = s.Tls.AuthClientsValue;
        if (s.HostNetwork) { labels[Labels.HostNetwork] = "true"; labels[Labels.Announce] = ip; }
        else labels[Labels.Address] = ip;
        if (isSentinel) { labels[Labels.SentinelGroup] = s.Sentinel!.MasterName; labels[Labels.Role] = "sentinel"; }
        else if (!labels.ContainsKey(Labels.Role)) labels[Labels.Role] = s.ReplicaOf is null ? "primary" : "replica";

        var existingVolume = true;   // until known otherwise, never remove a volume that may have been there before
        try
        {
            existingVolume = (await docker.ListVolumesAsync(null, ct).ConfigureAwait(false)).Any(v => v.Name == volume);
            if (existingVolume)
                _sink.Verbose($"Reusing the existing volume '{volume}' (kept by Remove-RedisNode -KeepVolume): '{s.Name}' finds its data again.");
            else
            {
                _sink.Verbose($"Creating volume '{volume}' for the data of '{s.Name}'.");
                await docker.CreateVolumeAsync(volume, new Dictionary<string, string>
                {
                    [Labels.Managed] = "true", [Labels.Kind] = Labels.KindVolume, [Labels.Topology] = topology,
                }, ct).ConfigureAwait(false);
            }

            var cmd = isSentinel
                ? new[] { "redis-server", configPath, "--sentinel" }
                : new[] { "redis-server", configPath };
            for (var attempt = 1; ; attempt++)
            {
                var hostPort = s.HostPort ?? pickedHostPort;
                if (hostPort is int chosen) labels[Labels.HostPort] = chosen.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (s.HostNetwork)
                    _sink.Verbose($"Creating container '{s.Name}' from {image} in host network mode on {docker.Endpoint}, listening on {ip}:{s.Port} (bus {s.BusPort ?? s.Port + 10000}).");
                else
                    _sink.Verbose($"Creating container '{s.Name}' from {image} on network '{net!.Name}' at {ip}, port {s.Port} published on {s.HostIp}:{hostPort} (kept for the node's life).");
                await docker.CreateContainerAsync(new ContainerCreateSpec
                {
                    Name = s.Name,
                    Image = image,
                    Cmd = cmd,
                    Labels = labels,
                    Hostname = s.HostNetwork ? null : s.Name,
                    Ports = s.HostNetwork ? Array.Empty<PortBinding>() : new[] { new PortBinding(s.Port, "tcp", s.HostIp, hostPort) },
                    Volumes = new[] { new VolumeMount(volume, "/data") },
                    NetworkMode = s.HostNetwork ? "host" : null,
                    Network = s.HostNetwork ? null : net!.Name,
                    IPv4Address = s.HostNetwork ? null : ip,
                    NetworkAliases = s.HostNetwork ? Array.Empty<string>() : new[] { s.Name },
                    StopTimeoutSeconds = 10,
                    // Redis runs as the unprivileged redis user (uid 999, as in the official image), never as root.
                    User = RedisUser,
                }, ct).ConfigureAwait(false);

                // Its data directory (the volume's root, whatever the image made it) belongs to that user.
                await docker.UploadFilesAsync(s.Name, "/data", Array.Empty<ArchiveFile>(), ct, dirMode: 0b111_101_000, uid: RedisUid, gid: RedisUid)
                    .ConfigureAwait(false);
                _sink.Verbose($"Uploading {configPath} into '{s.Name}'.");
                await UploadConfigAsync(docker, s.Name, configPath, config, ct).ConfigureAwait(false);
                await Security.NodeTls.UploadAsync(_session, docker, s, topology, ip, ct).ConfigureAwait(false);
                await Security.NodeAcl.UploadAsync(_session, docker, s, topology, password, ct).ConfigureAwait(false);

                _sink.Verbose($"Starting '{s.Name}'.");
                try { await docker.StartContainerAsync(s.Name, ct).ConfigureAwait(false); }
                catch (DockerApiException e) when (s.HostPort is int hp && IsPortInUse(e))
                {
                    throw HostPortTaken(s.HostIp, hp, e);
                }
                catch (DockerApiException e) when (s.HostPort is null && hostPort is not null && IsPortInUse(e) && attempt < 5)
                {
                    // The port picked for it was taken meanwhile by another process: pick another one.
                    _sink.Verbose($"Host port {hostPort} was taken meanwhile; creating '{s.Name}' again on another one.");
                    await docker.RemoveContainerAsync(s.Name, force: true, removeVolumes: false, ct).ConfigureAwait(false);
                    var held = new List<TcpListener>();
                    pickedHostPort = (docker.Endpoint.IsLocal() ? HoldFreePort(s.HostIp, held) : null) ?? RandomEphemeralPort(new int?[] { hostPort });
                    foreach (var l in held) l.Stop();
                    if (HostEndpoints.Applies(s) && pickedHostPort is int again)
                    {
                        // It listens on its host port number: the new port goes into its configuration too.
                        s = s with { Port = again };
                        labels[Labels.Port] = again.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        config = Config();
                    }
                    continue;
                }
                var readyNode = await WaitReadyAsync(docker, s.Name, password, ct).ConfigureAwait(false);
                if (!s.HostNetwork) await CheckPublishedAddressAsync(docker, s, ct).ConfigureAwait(false);
                if (HostEndpoints.Applies(s)) await AnnounceHostEndpointAsync(readyNode, password, ct).ConfigureAwait(false);
                return readyNode;
            }
        }
        catch (Exception)
        {
            // Leave nothing half-built: the container, then its volume. A request cancelled in flight may
            // still complete in the engine (and a container creates its missing volume), so remove whatever
            // exists by name, again after in-flight requests had time to land: after Ctrl+C (a request may have
            // been cut off in flight) for 3 s, as a loaded engine can take that long to act on it.
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            int[] pauses = ct.IsCancellationRequested ? [0, 500, 1000, 1500, 2000] : [0, 500];
            Exception? cleanupError = null;
            foreach (var pause in pauses)
            {
                // Each round on its own: a removal refused while the engine still creates the container (in flight
                // when the request was cut off) must not end the rounds that would remove it once it exists.
                try
                {
                    if (pause > 0) await Task.Delay(pause, cleanup.Token).ConfigureAwait(false);
                    // Docker resolves a name that is no container's as an id prefix: a name of hex digits only is
                    // removed by its exact match, any other name cannot be an id prefix.
                    if (!s.Name.All(char.IsAsciiHexDigitLower))
                        await docker.RemoveContainerAsync(s.Name, force: true, removeVolumes: false, cleanup.Token)
                            .ConfigureAwait(false);
                    else if (await docker.InspectContainerAsync(s.Name, cleanup.Token).ConfigureAwait(false) is { } own
                        && RedisDockerSession.IsExactly(own, s.Name))
                        await docker.RemoveContainerAsync(own.Id, force: true, removeVolumes: false, cleanup.Token)
                            .ConfigureAwait(false);
                    if (!existingVolume)
                        await docker.RemoveVolumeAsync(volume, force: true, cleanup.Token).ConfigureAwait(false);
                    cleanupError = null;
                }
                catch (Exception e)
                {
                    cleanupError = e;
                }
            }
            if (cleanupError is not null)
                _sink.Warning($"Could not clean up after the failed node '{s.Name}': {cleanupError.Message}. Remove "
                    + $"container '{s.Name}' and volume '{volume}' by hand.");
            else if (ct.IsCancellationRequested)
                _sink.Warning($"Stopped: removed the half-made node '{s.Name}' (container"
                    + $"{(existingVolume ? "" : $" and volume '{volume}'")}).");
            throw;
        }
    }

    /// <summary>
    /// Makes a cluster node name its host endpoint to clients: cluster-announce-hostname = the host address its
    /// port is published on, cluster-preferred-endpoint-type = hostname, kept by CONFIG REWRITE. Redis before
    /// 7.0 has neither setting: the node keeps announcing its container address (a warning says what works).
    /// </summary>
    private async Task AnnounceHostEndpointAsync(RedisNode node, string password, CancellationToken ct)
    {
        if (node.HostEndpoint is null) return;
        var host = EndpointMap.Split(node.HostEndpoint).Host;
        var set = await _session.SendAsync(node.HostEndpoint, password,
            new object[] { "CONFIG", "SET", "cluster-announce-hostname", host }, ct).ConfigureAwait(false);
        if (set.IsError)
        {
            _sink.Warning($"Node '{node.Name}' cannot announce its host endpoint {node.HostEndpoint} ({set.Text}): "
                + "Redis 7.0 or later is needed for that. The module's cmdlets still reach the cluster from the host, "
                + "but other clients on the host follow redirects to container addresses, which only route on a Linux "
                + "host (not on Docker Desktop). Use an image with Redis >= 7.0 (e.g. redis:7.4).");
            return;
        }
        _sink.Verbose($"Node '{node.Name}' announces {node.HostEndpoint} to clients (cluster-announce-hostname {host}).");
        await _session.SendAsync(node.HostEndpoint, password,
            new object[] { "CONFIG", "SET", "cluster-preferred-endpoint-type", "hostname" }, ct).ConfigureAwait(false);
        await _session.SendAsync(node.HostEndpoint, password, new object[] { "CONFIG", "REWRITE" }, ct).ConfigureAwait(false);
    }

    /// <summary>The node's port is published where it was asked to be (Docker publishes an address it cannot use on every interface).</summary>
    private static async Task CheckPublishedAddressAsync(DockerClient docker, NodeSpec s, CancellationToken ct)
    {
        var info = await docker.InspectContainerAsync(s.Name, ct).ConfigureAwait(false) ?? throw NotFound(s.Name);
        var wanted = IPAddress.Parse(s.HostIp);
        var bound = info.Ports.Where(p => p.ContainerPort == s.Port && p.HostPort > 0).ToList();
        var stray = bound.FirstOrDefault(p => !(IPAddress.TryParse(p.HostIp is "" ? "0.0.0.0" : p.HostIp, out var a) &&
            (a.Equals(wanted) || (InputValidation.IsAnyAddress(s.HostIp) && InputValidation.IsAnyAddress(a.ToString())))));
        if (bound.Count == 0 || stray is not null)
            throw Errors.IPAddressInvalid(
                $"Docker published node '{s.Name}' on {(stray is null ? "no address" : $"{stray.HostIp}:{stray.HostPort}")} instead of {s.HostIp}. Give -HostAddress with an address of this host.",
                s.Name);
    }

    private static RedisDockerException HostPortTaken(string hostIp, int port, Exception? inner) =>
        Errors.HostPortTaken(
            $"Host port {hostIp}:{port} is already in use. Choose another -HostPort, or leave it out to let Docker "
            + "pick a free one.",
            port, inner);

    /// <summary>A node's pinned host port (or, on the host's network, its port) is used by another process now.</summary>
    private static RedisDockerException KeptHostPortTaken(ContainerInfo info, DockerApiException e)
    {
        var port = info.Labels.Get(Labels.HostPort) ?? info.Labels.Get(Labels.Port) ?? "?";
        return Errors.HostPortTaken(
            $"Node '{info.Name}' keeps host port {port} for life, but another process uses it now "
            + $"({e.EngineMessage.Trim()}). Stop that process and start the node again, or recreate the node on "
            + $"another port (Remove-RedisNode {info.Name} -KeepVolume, then New-RedisNode with the same name and "
            + "-HostPort).",
            info.Name, e);
    }

    private static bool IsAddressOfThisMachine(string address)
    {
        try
        {
            using var l = new TcpListener(IPAddress.Parse(address), 0);
            l.Start();
            l.Stop();
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable) { return false; }
        catch (Exception) { return true; }
    }

    private static bool IsHostPortFree(string hostIp, int port)
    {
        try
        {
            var addr = hostIp is "0.0.0.0" or "" ? IPAddress.Any : IPAddress.Parse(hostIp);
            using var l = new TcpListener(addr, port);
            l.Server.ExclusiveAddressUse = true;
            l.Start();
            l.Stop();
            return true;
        }
        catch (SocketException) { return false; }
        catch (FormatException) { return true; }
    }

    public async Task EnsureImageAsync(DockerClient docker, string image, CancellationToken ct)
    {
        if (await docker.InspectImageAsync(image, ct).ConfigureAwait(false) is not null) return;
        var activity = ProgressReport.NextActivityId();
        _sink.Verbose($"Image {image} is not present: pulling it.");
        var progress = new Progress<PullProgress>(p =>
        {
            var pct = p.Total is > 0 && p.Current is long c ? (int)Math.Clamp(c * 100 / p.Total.Value, 0, 100) : -1;
            _sink.Progress(new ProgressReport(activity, $"Pulling {image}", $"{p.Id} {p.Status}".Trim(), pct));
        });
        try
        {
            await docker.PullImageAsync(image, progress, ct).ConfigureAwait(false);
        }
        catch (DockerException e)
        {
            throw Errors.ImageUnavailable(
                $"Image '{image}' is not present and could not be pulled: {e.Message}. Check the registry is "
                + $"reachable (docker pull {image}), or give -Image with an image that is present (docker images).",
                image, e);
        }
        finally
        {
            _sink.Progress(new ProgressReport(activity, $"Pulling {image}", "done", 100, Completed: true));
        }
        if (await docker.InspectImageAsync(image, ct).ConfigureAwait(false) is null)
            throw Errors.ImageUnavailable($"Pulling '{image}' finished but the image is not present.", image);
    }

    /// <summary>
    /// Waits until the node answers PING with its password and has finished loading its data,
    /// bounded by <see cref="ReadyTimeout"/>. Fails early, with the container's last log lines,
    /// when the container exits.
    /// </summary>
    public async Task<RedisNode> WaitReadyAsync(DockerClient docker, string name, string? password, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        string lastProblem = "not started";
        var delay = 25;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var info = await docker.InspectContainerAsync(name, ct).ConfigureAwait(false) ?? throw NotFound(name);
            if (!info.State.Running && !info.State.Restarting && info.State.Status is "exited" or "dead")
            {
                var logs = await SafeLogsAsync(docker, name, password, ct).ConfigureAwait(false);
                var announce = info.Labels.Get(Labels.Announce);
                if (logs.Contains("Cannot assign requested address", StringComparison.Ordinal))
                    throw Errors.IPAddressInvalid(
                        $"Node '{name}' cannot listen on {announce}: it is not an address of Docker host "
                        + $"{docker.Endpoint}. Give -AnnounceAddress with an address of that host.",
                        name);
                if (logs.Contains("Address already in use", StringComparison.Ordinal))
                    throw Errors.HostPortTaken(
                        $"Node '{name}' cannot listen on port {info.Labels.Get(Labels.Port)} (or its bus port) of "
                        + $"Docker host {docker.Endpoint}: it is already in use. Choose another -Port.",
                        name);
                throw Errors.NodeExitedWhileStarting(name, info.State.ExitCode, logs);
            }
            var node = ToRedisNode(info, RedisRole.Unknown, docker);
            if (node.HostEndpoint is not null && info.State.Running)
            {
                try
                {
                    var conn = await _session.ConnectAsync(node.HostEndpoint, password, ct).ConfigureAwait(false);
                    var replies = await conn.PipelineAsync(new[] { new object[] { "PING" }, new object[] { "INFO", "persistence" } }, ct).ConfigureAwait(false);
                    var ping = replies[0];
                    if (ping.IsError && ping.Text is { } err && (err.StartsWith("WRONGPASS", StringComparison.Ordinal) || err.StartsWith("NOAUTH", StringComparison.Ordinal)))
                        throw Errors.WrongPassword(
                            $"Node '{name}' refused the topology's password ({err.Split(' ')[0]}).",
                            name);
                    if (!ping.IsError && !replies[1].IsError && RedisInfo.Parse(replies[1].AsString()).GetValueOrDefault("loading") != "1")
                    {
                        _sink.Verbose($"Node '{name}' is ready at {node.HostEndpoint} after {sw.ElapsedMilliseconds} ms.");
                        return await ReadLiveAsync(info, ct, docker).ConfigureAwait(false);
                    }
                    lastProblem = ping.IsError ? ping.Text ?? "error" : "still loading its data";
                }
                catch (RedisServerException e) when (e.Prefix is "WRONGPASS" or "NOAUTH")
                {
                    throw Errors.WrongPassword($"Node '{name}' refused the topology's password ({e.Prefix}).", name, e);
                }
                catch (RedisException e)
                {
                    lastProblem = e.Message;
                    _session.Evict(node.HostEndpoint);
                }
                catch (IOException e)
                {
                    lastProblem = e.Message;
                    _session.Evict(node.HostEndpoint);
                }
            }
            if (sw.Elapsed > ReadyTimeout)
            {
                var logs = await SafeLogsAsync(docker, name, password, ct).ConfigureAwait(false);
                throw Errors.NodeNotReady(
                    $"Node '{name}' was not ready within {ReadyTimeout.TotalSeconds:0} s ({lastProblem}). Its last "
                    + $"log lines:\n{logs}",
                    name);
            }
            await Task.Delay(delay, ct).ConfigureAwait(false);
            delay = Math.Min(delay * 2, 250);
        }
    }

    private static async Task<string> SafeLogsAsync(DockerClient docker, string name, string? password, CancellationToken ct)
    {
        try { return Secrets.Redact((await docker.GetLogsAsync(name, 15, ct).ConfigureAwait(false)).TrimEnd(), password); }
        catch (DockerException e) { return $"(logs unavailable: {e.Message})"; }
    }

    /// <summary>Reads nodes from Docker labels, with the role each reports now.</summary>
    public async Task<IReadOnlyList<RedisNode>> GetAsync(NodeFilter filter, CancellationToken ct)
    {
        var labels = new Dictionary<string, string?> { [Labels.Managed] = "true" };
        if (filter.Topology is not null) labels[Labels.Topology] = filter.Topology;
        if (filter.Network is not null) labels[Labels.Network] = filter.Network;
        var summaries = (await _session.OnEveryEngineAsync((d, c) => d.ListContainersAsync(labels, all: true, c), _sink, ct).ConfigureAwait(false))
            .SelectMany(x => x.Result.Select(c => (Docker: x.Docker, Summary: c))).ToList();
        var selected = summaries.Where(x =>
                (x.Summary.Labels.Get(Labels.Kind) is Labels.KindNode or Labels.KindSentinel) &&
                (filter.Names is null || filter.Names.Count == 0 || filter.Names.Any(n => x.Summary.Names.Any(cn => NetworkOperations.WildcardMatch(cn, n)) || string.Equals(x.Summary.Id, n, StringComparison.OrdinalIgnoreCase))) &&
                (!filter.SentinelsOnly || x.Summary.Labels.Get(Labels.Kind) == Labels.KindSentinel) &&
                (filter.IncludeSentinels || filter.SentinelsOnly || x.Summary.Labels.Get(Labels.Kind) == Labels.KindNode))
            .ToArray();
        var nodes = await Task.WhenAll(selected.Select(async x =>
        {
            var info = await x.Docker.InspectContainerAsync(x.Summary.Id, ct).ConfigureAwait(false);
            return info is null ? null : await ReadLiveAsync(info, ct, x.Docker).ConfigureAwait(false);
        })).ConfigureAwait(false);
        return nodes.Where(n => n is not null && (filter.Role is null || n.Role == filter.Role))
            .Select(n => n!).OrderBy(n => n.Topology, StringComparer.Ordinal).ThenBy(n => n.Name, StringComparer.Ordinal).ToArray();
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
            var replies = await conn.PipelineAsync(new[] { new object[] { "ROLE" }, new object[] { "INFO", "server" } }, bound.Token).ConfigureAwait(false);
            var (role, primary) = ParseRole(replies[0]);
            var version = replies[1].IsError ? null : RedisInfo.Parse(replies[1].AsString()).GetValueOrDefault("redis_version");
            return node with { Role = role, PrimaryEndpoint = primary, RedisVersion = version };
        }
        catch (Exception e) when (e is RedisException or IOException or OperationCanceledException or RedisDockerException && !ct.IsCancellationRequested)
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
            "slave" or "replica" => (RedisRole.Replica, items.Count > 2 ? $"{items[1].Text}:{items[2].AsInt64()}" : null),
            "sentinel" => (RedisRole.Sentinel, null),
            _ => (RedisRole.Unknown, null),
        };
    }

    /// <summary>Builds the snapshot from the container (labels, state, addresses) and records its endpoints in the map.</summary>
    public RedisNode ToRedisNode(ContainerInfo info, RedisRole role, DockerClient? docker = null)
    {
        var endpoint = docker?.Endpoint ?? _session.Endpoint;
        var port = int.TryParse(info.Labels.Get(Labels.Port), out var p) ? p : 6379;
        var network = info.Labels.Get(Labels.Network);
        string? ip = null;
        if (network is not null && info.Networks.TryGetValue(network, out var netInfo) && !string.IsNullOrEmpty(netInfo.IPAddress)) ip = netInfo.IPAddress;
        ip ??= info.Networks.Values.Select(n => n.IPAddress).FirstOrDefault(a => !string.IsNullOrEmpty(a));
        // A stopped container has no address, but keeps the static one it was given (and gets it back on start).
        if (ip is null && network is not null && info.Networks.TryGetValue(network, out var cfg) && cfg.ConfiguredIPAddress.Length > 0) ip = cfg.ConfiguredIPAddress;
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
            var pub = info.Ports.FirstOrDefault(x => x.ContainerPort == port && x.HostPort is > 0 && (x.HostIp is "127.0.0.1" or "0.0.0.0" or "" or null))
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
            DataVolume = info.Labels.Get(Labels.DataVolume),
            Created = info.Created,
            Labels = info.Labels,
        };
        _session.Tls.Observe(node);
        _session.EndpointMap.Record(node, info.Networks.Values.Select(n => n.IPAddress).Where(a => !string.IsNullOrEmpty(a)).Append(ip ?? "").Where(a => a.Length > 0).Distinct());
        return node;
    }

    public async Task<RedisNode> StopAsync(string name, int timeoutSeconds, CancellationToken ct)
    {
        var (docker, info) = await RequireManagedAsync(name, ct).ConfigureAwait(false);
        _sink.Verbose($"Stopping '{name}' (SIGTERM: Redis flushes its AOF and exits; killed after {timeoutSeconds} s).");
        await docker.StopContainerAsync(info.Id, timeoutSeconds, ct).ConfigureAwait(false);
        _session.Evict(ToRedisNode(info, RedisRole.Unknown, docker).HostEndpoint);
        return ToRedisNode((await docker.InspectContainerAsync(info.Id, ct).ConfigureAwait(false))!, RedisRole.Unknown, docker);
    }

    /// <param name="consultSentinels">Ask the topology's sentinels who is primary before starting (false when they are down too, as in Start-RedisTopology).</param>
    public async Task<RedisNode> StartAsync(string name, CancellationToken ct, bool consultSentinels = true)
    {
        var (docker, info) = await RequireManagedAsync(name, ct).ConfigureAwait(false);
        if (!info.State.Running && consultSentinels) await new SentinelOperations(_session, _sink).PrepareStartAsync(docker, info, ct).ConfigureAwait(false);
        info = await EnsureOwnAddressAsync(docker, info, ct).ConfigureAwait(false);
        _sink.Verbose($"Starting '{name}'.");
        try { await docker.StartContainerAsync(info.Id, ct).ConfigureAwait(false); }
        catch (DockerApiException e) when (IsPortInUse(e)) { throw KeptHostPortTaken(info, e); }
        var password = await _session.GetPasswordAsync(info.Labels.Get(Labels.Topology) ?? "", ct).ConfigureAwait(false);
        return await WaitReadyAsync(docker, info.Name, password, ct).ConfigureAwait(false);
    }

    public async Task<RedisNode> RestartAsync(string name, int timeoutSeconds, CancellationToken ct)
    {
        var (docker, info) = await RequireManagedAsync(name, ct).ConfigureAwait(false);
        _session.Evict(ToRedisNode(info, RedisRole.Unknown, docker).HostEndpoint);
        if (!info.State.Running)
        {
            // A stopped or crashed node: start it the safe way (it may be a former primary).
            return await StartAsync(name, ct).ConfigureAwait(false);
        }
        info = await EnsureOwnAddressAsync(docker, info, ct).ConfigureAwait(false);
        _sink.Verbose($"Restarting '{name}'.");
        try { await docker.RestartContainerAsync(info.Id, timeoutSeconds, ct).ConfigureAwait(false); }
        catch (DockerApiException e) when (IsPortInUse(e)) { throw KeptHostPortTaken(info, e); }
        var password = await _session.GetPasswordAsync(info.Labels.Get(Labels.Topology) ?? "", ct).ConfigureAwait(false);
        return await WaitReadyAsync(docker, info.Name, password, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The address a node has on its own network when it is not the one it was created with (label
    /// io.redisdocker.address), e.g. after docker network disconnect + connect; null when it is at home.
    /// </summary>
    public static string? AddressDrift(ContainerInfo info)
    {
        var network = info.Labels.Get(Labels.Network);
        var recorded = info.Labels.Get(Labels.Address);
        if (network is null or "host" || recorded is null) return null;
        if (!info.Networks.TryGetValue(network, out var ep)) return "(not attached)";
        if (!string.IsNullOrEmpty(ep.IPAddress)) return ep.IPAddress == recorded ? null : ep.IPAddress;
        return ep.StaticAddress == recorded ? null : "(dynamic)";
    }

    /// <summary>
    /// Puts a node back on its own address on its network (the one its cluster and sentinels know) when it
    /// came back with another one (docker network disconnect + connect gives a new address). Returns the
    /// container as it is afterwards.
    /// </summary>
    public async Task<ContainerInfo> EnsureOwnAddressAsync(DockerClient docker, ContainerInfo info, CancellationToken ct)
    {
        if (AddressDrift(info) is not { } now) return info;
        var network = info.Labels.Get(Labels.Network)!;
        var recorded = info.Labels.Get(Labels.Address)!;
        var net = await docker.InspectNetworkAsync(network, ct).ConfigureAwait(false)
            ?? throw Errors.NetworkNotFound(
                $"Node '{info.Name}' was created on network '{network}', which no longer exists. Recreate it with "
                + "New-RedisNetwork, or remove the node.",
                network);
        var squatter = net.Containers.FirstOrDefault(c => c.IPv4Address == recorded && c.ContainerId != info.Id);
        if (squatter is not null)
            throw Errors.IPAddressTaken(
                $"Node '{info.Name}' belongs at {recorded} on '{network}' (its cluster and sentinels know it there), but container '{squatter.Name}' has that address now. "
                + $"Disconnect '{squatter.Name}' from '{network}', then start '{info.Name}' again.",
                info.Name);
        _sink.Warning($"Node '{info.Name}' has address {now} on '{network}' instead of its own {recorded} (reconnected without it?): "
            + $"putting it back at {recorded}, where its cluster and sentinels know it.");
        if (info.Networks.ContainsKey(network))
            await docker.DisconnectNetworkAsync(net.Id, info.Id, force: true, ct).ConfigureAwait(false);
        await docker.ConnectNetworkAsync(net.Id, info.Id, recorded, new[] { info.Name }, ct).ConfigureAwait(false);
        _session.Evict(ToRedisNode(info, RedisRole.Unknown, docker).HostEndpoint);
        return await docker.InspectContainerAsync(info.Id, ct).ConfigureAwait(false) ?? info;
    }

    /// <summary>Puts every node of a topology that has another address than its own back at its own (see <see cref="EnsureOwnAddressAsync"/>).</summary>
    public async Task<IReadOnlyList<string>> RestoreAddressesAsync(string topology, bool clusterOnly, CancellationToken ct)
    {
        var moved = new List<string>();
        var listed = await _session.OnEveryEngineAsync((d, c) => d.ListContainersAsync(Labels.ForTopology(topology), all: true, c), _sink, ct)
            .ConfigureAwait(false);
        foreach (var (docker, containers) in listed)
            foreach (var c in containers)
            {
                if (clusterOnly && c.Labels.Get(Labels.ClusterEnabled) != "true") continue;
                var info = await docker.InspectContainerAsync(c.Id, ct).ConfigureAwait(false);
                if (info is null || AddressDrift(info) is null) continue;
                await EnsureOwnAddressAsync(docker, info, ct).ConfigureAwait(false);
                moved.Add(info.Name);
            }
        return moved;
    }

    /// <summary>Kills the container at once (SIGKILL), as a crash would: for failover drills.</summary>
    public async Task KillAsync(string name, CancellationToken ct)
    {
        var (docker, info) = await RequireManagedAsync(name, ct).ConfigureAwait(false);
        _sink.Verbose($"Killing '{name}' (SIGKILL).");
        await docker.KillContainerAsync(info.Id, "SIGKILL", ct).ConfigureAwait(false);
        _session.Evict(ToRedisNode(info, RedisRole.Unknown, docker).HostEndpoint);
    }

    /// <summary>Removes the container and, unless kept, its data volume.</summary>
    /// <summary>Fails as RemoveAsync would when the node is not there (NodeNotFound): -WhatIf reports the same error.</summary>
    public async Task RequireAsync(string name, CancellationToken ct) => await RequireManagedAsync(name, ct).ConfigureAwait(false);

    public async Task RemoveAsync(string name, bool removeVolume, CancellationToken ct)
    {
        var (docker, info) = await RequireManagedAsync(name, ct).ConfigureAwait(false);
        var node = ToRedisNode(info, RedisRole.Unknown, docker);
        _sink.Verbose($"Removing container '{name}'{(removeVolume ? $" and its volume '{node.DataVolume}'" : "")}.");
        await docker.RemoveContainerAsync(info.Id, force: true, removeVolumes: false, ct).ConfigureAwait(false);
        if (removeVolume && node.DataVolume is not null)
            await docker.RemoveVolumeAsync(node.DataVolume, force: true, ct).ConfigureAwait(false);
        _session.Evict(node.HostEndpoint);
        _session.EndpointMap.ForgetNode(name);
        // The last container of a topology is gone: a topology of the same name made later may have another password.
        var remaining = 0;
        foreach (var engine in await _session.GetAllDockerAsync(ct).ConfigureAwait(false))
            remaining += (await engine.ListContainersAsync(Labels.ForTopology(node.Topology), all: true, ct).ConfigureAwait(false)).Count;
        if (remaining == 0) _session.ForgetPassword(node.Topology);
    }

    /// <summary>Names Prefix-1.. for -Count, skipping every container name already in use.</summary>
    public async Task<IReadOnlyList<string>> NextNamesAsync(string prefix, int count, CancellationToken ct)
    {
        NetworkOperations.ValidateName(prefix, "node name prefix");
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var docker in await _session.GetAllDockerAsync(ct).ConfigureAwait(false))
            taken.UnionWith((await docker.ListContainersAsync(null, all: true, ct).ConfigureAwait(false)).SelectMany(c => c.Names));
        return NodeNaming.Next(prefix, count, taken);
    }

    /// <summary>The node's container and the engine that holds it (any engine of the session), or NodeNotFound.</summary>
    private async Task<(DockerClient Docker, ContainerInfo Info)> RequireManagedAsync(string name, CancellationToken ct)
    {
        var found = await _session.FindContainerAsync(name, ct).ConfigureAwait(false);
        if (found is not { } f || f.Info.Labels.Get(Labels.Managed) != "true") throw NotFound(name);
        return f;
    }
}

/// <summary>Which nodes Get-RedisNode returns.</summary>
public sealed record NodeFilter
{
    public IReadOnlyList<string>? Names { get; init; }
    public string? Topology { get; init; }
    public string? Network { get; init; }
    public RedisRole? Role { get; init; }
    public bool IncludeSentinels { get; init; } = true;
    public bool SentinelsOnly { get; init; }
}

/// <summary>The outcome of creating one node: the node, or why it failed (nothing of it remains).</summary>
public sealed record NodeResult(string Name, RedisNode? Node, Exception? Error);

public static class NodeNaming
{
    /// <summary>Prefix-N names for N from 1 upwards, skipping names already taken.</summary>
    public static IReadOnlyList<string> Next(string prefix, int count, ISet<string> taken)
    {
        var names = new List<string>();
        for (var i = 1; names.Count < count; i++)
        {
            var n = $"{prefix}-{i}";
            if (!taken.Contains(n)) names.Add(n);
        }
        return names;
    }
}
