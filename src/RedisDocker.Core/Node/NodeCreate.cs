using System.Net;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Node workflow: New-RedisNode, a batch of nodes made in parallel, in named steps.</summary>
public sealed partial class NodeOperations
{
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
        WarnAboutInputs(specs);
        // 0b. Nodes on an overlay network without -DockerHost: spread over the swarm's usable nodes.
        specs = await PlaceOnSwarmAsync(specs, ct).ConfigureAwait(false);
        var engines = await EnginesOfAsync(specs, ct).ConfigureAwait(false);
        specs = WithHostDefaults(specs, engines);
        // 1. Names: valid, unique in the batch, free on every engine; host ports and addresses usable.
        await CheckNamesAndPortsAsync(specs, engines, ct).ConfigureAwait(false);
        // A node keeps its host port for life: the port Docker would pick changes at every start, restart and
        // network connect, so one is chosen now (free on this machine when the engine is local) and pinned.
        var pickedPorts = PickHostPorts(specs, engines);
        specs = specs.Select((x, i) => HostEndpoints.Applies(x) && (x.HostPort ?? pickedPorts[i]) is int hp
            ? x with { Port = hp } : x).ToArray();
        // 2. Networks, topology, addresses (host-network nodes use their host's address).
        var (networks, topologyOf, addresses) = await PlaceAsync(specs, engines, ct).ConfigureAwait(false);
        // 3. One password per topology: reuse, check, or generate.
        var passwords = await PasswordsAsync(specs, topologyOf, ct).ConfigureAwait(false);
        // 3b. TLS: the topology's own (a node joins its topology's TLS or plain text), and its CA.
        specs = await Security.NodeTls.ResolveAsync(_session, specs, topologyOf, ct).ConfigureAwait(false);
        // 3c. The module's admin user: in every topology whose Redis nodes all have it (a new one included).
        var admin = await AdminUserAsync(topologyOf, ct).ConfigureAwait(false);
        // 4. Images present on each engine, or pulled with progress.
        await EnsureImagesAsync(specs, engines, ct).ConfigureAwait(false);
        // 5. Create, upload configuration, start, wait: all nodes at once.
        var results = await StartAllAsync(specs, i => CreateOneAsync(engines[i], specs[i], networks[i], topologyOf[i],
            addresses[i], passwords[topologyOf[i]], pickedPorts[i], admin[topologyOf[i]], ct)).ConfigureAwait(false);
        // 6. Stopped (Ctrl+C): the nodes that did start are removed too, so nothing is left half-made.
        if (ct.IsCancellationRequested) await RemoveStartedAsync(results, ct).ConfigureAwait(false);
        return results;
    }

    /// <summary>Step 0: warnings about the inputs (said once each).</summary>
    private void WarnAboutInputs(IReadOnlyList<NodeSpec> specs)
    {
        var warnings = new List<string>();
        foreach (var s in specs)
        {
            warnings.AddRange(InputValidation.ValidateNode(s));
            if (!s.HostNetwork && InputValidation.IsAnyAddress(s.HostIp))
                warnings.Add($"Node '{s.Name}' is published on every interface of the host ({s.HostIp}): anyone who "
                    + "can reach this machine can reach it.");
        }
        foreach (var w in warnings.Distinct()) _sink.Warning(w);
    }

    /// <summary>Each node on its own engine (-DockerHost), the session's primary engine by default.</summary>
    private async Task<DockerClient[]> EnginesOfAsync(IReadOnlyList<NodeSpec> specs, CancellationToken ct)
    {
        var engines = new DockerClient[specs.Count];
        for (var i = 0; i < specs.Count; i++) engines[i] = await _session.GetDockerAsync(specs[i].DockerHost, ct)
            .ConfigureAwait(false);
        return engines;
    }

    /// <summary>Step 0: the announce address of host-network nodes, and the host port of cluster nodes.</summary>
    private static IReadOnlyList<NodeSpec> WithHostDefaults(IReadOnlyList<NodeSpec> specs, DockerClient[] engines)
    {
        // A host-network node on a tcp:// engine announces that engine's address unless told otherwise.
        specs = specs.Select((s, i) => s.HostNetwork && s.AnnounceAddress is null
            && engines[i].Endpoint.Uri.Scheme is "tcp" or "https" or "http"
                && IPv4Cidr.TryParseAddress(engines[i].Endpoint.HostAddress, out _)
            ? s with { AnnounceAddress = engines[i].Endpoint.HostAddress }
            : s).ToArray();

        // Cluster nodes with host endpoints listen on their host port number: a -Port is also the host port.
        foreach (var s in specs.Where(x => HostEndpoints.Applies(x) && x.Port != HostEndpoints.DefaultPort
                     && x.HostPort is int hp && hp != x.Port))
            throw Errors.InvalidConfig($"Cluster node '{s.Name}' listens on the port number it is published on (so "
                + "clients on the host follow " +
                $"its redirects): give -Port or -HostPort, not both with different numbers ({s.Port}, {s.HostPort}).",
                s.Name);
        specs = specs.Select(x => HostEndpoints.Applies(x) && x.Port != HostEndpoints.DefaultPort && x.HostPort is null
            ? x with { HostPort = x.Port } : x).ToArray();
        return specs;
    }

    /// <summary>Step 1: names, ports and host addresses, checked before anything is created.</summary>
    private async Task CheckNamesAndPortsAsync(IReadOnlyList<NodeSpec> specs, DockerClient[] engines,
        CancellationToken ct)
    {
        var dup = specs.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw Errors.NameGivenTwice(dup.Key);
        foreach (var s in specs)
        {
            // The name, the ports and their ranges were checked in step 0 (InputValidation.ValidateNode).
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
        var hostPorts = specs.Select((s, i) => (s, i)).Where(x => x.s.HostPort is not null)
            .GroupBy(x => (engines[x.i].Endpoint.ToString(), x.s.HostPort)).FirstOrDefault(g => g.Count() > 1);
        if (hostPorts is not null)
            throw Errors.HostPortConflict($"Host port {hostPorts.Key.HostPort} is given to more than one node.",
                hostPorts.Key.HostPort);
        // Host network: two nodes of one Docker host cannot share a port (nor its bus port).
        var hostNet = specs.Select((s, i) => (s, i)).Where(x => x.s.HostNetwork)
            .SelectMany(x => PortsOf(x.s).Select(port =>
                (Host: engines[x.i].Endpoint.ToString(), Port: port, x.s.Name)))
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
    }

    /// <summary>Step 2: each node's network (a RedisDocker one), topology and address.</summary>
    private async Task<(DockerNetwork?[] Networks, string[] TopologyOf, string[] Addresses)> PlaceAsync(
        IReadOnlyList<NodeSpec> specs, DockerClient[] engines, CancellationToken ct)
    {
        var networks = new DockerNetwork?[specs.Count];
        var netOps = _networks;
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
        return (networks, topologyOf, addresses);
    }

    /// <summary>Step 3: one password per topology: reuse, check, or generate.</summary>
    private async Task<Dictionary<string, string>> PasswordsAsync(IReadOnlyList<NodeSpec> specs, string[] topologyOf,
        CancellationToken ct)
    {
        var passwords = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var topo in topologyOf.Distinct().ToList())
        {
            var existing = await _session.GetPasswordAsync(topo, ct).ConfigureAwait(false);
            var given = specs.Where((s, i) => topologyOf[i] == topo).Select(s => s.Password)
                .FirstOrDefault(p => p is not null);
            if (given is not null && existing is not null && given != existing)
                throw Errors.TopologyMismatch(
                    $"Topology '{topo}' already uses another password, and replication needs one password per "
                    + "topology. Leave -Password out to reuse it.",
                    topo);
            var pw = existing ?? given ?? Secrets.GeneratePassword();
            if (existing is null) _sink.Verbose(given is null
                ? $"Generated a password for topology '{topo}' (kept in the nodes' configuration; read it back with "
                    + "Get-RedisCredential)."
                : $"Using the given password for topology '{topo}'.");
            passwords[topo] = pw;
            _session.RememberPassword(topo, pw);
        }
        return passwords;
    }

    /// <summary>
    /// Step 3c: whether a topology's new nodes get the module's admin user (Security.AclFile.AdminUser): yes when
    /// every Redis node it has already carries it (label <see cref="Labels.AdminUser"/>), or it has none. A node added
    /// to a topology made before the admin user came is made as its peers were (replicas authenticate as default),
    /// since its primary would not know the admin user.
    /// </summary>
    private async Task<Dictionary<string, bool>> AdminUserAsync(string[] topologyOf, CancellationToken ct)
    {
        var result = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var topo in topologyOf.Distinct())
        {
            var answers = await _session.OnEveryEngineAsync((d, c) => d.ListContainersAsync(Labels.ForTopology(topo),
                all: true, c), NullSink.Instance, ct).ConfigureAwait(false);
            var nodes = answers.SelectMany(e => e.Item2).Where(c => c.Labels.Get(Labels.Kind) == Labels.KindNode)
                .ToList();
            // A node gets the admin user only when all nodes before it had it, so one labelled node vouches for
            // every older one; with no node in sight and an engine silent, the silent engine may hold older nodes
            // whose primaries would refuse a replica authenticating as the admin user.
            var unseen = nodes.Count == 0 && answers.Count < _session.Hosts.Count;
            result[topo] = !unseen && nodes.All(c => Security.AclFile.HasAdminUser(c.Labels));
            if (unseen)
                _sink.Verbose($"Topology '{topo}' has no node in sight and a Docker host of the session does not "
                    + "answer: its new nodes are administered as default, as nodes made before the admin user are.");
            else if (!result[topo])
                _sink.Verbose($"Topology '{topo}' was made before the module's admin user: its new nodes are "
                    + "administered as its others are (the default user).");
        }
        return result;
    }

    /// <summary>Step 4: the images present on each engine, or pulled with progress.</summary>
    private async Task EnsureImagesAsync(IReadOnlyList<NodeSpec> specs, DockerClient[] engines, CancellationToken ct)
    {
        foreach (var (engine, image) in specs.Select((s, i) => (engines[i], s.Image ?? _session.DefaultImage))
            .DistinctBy(x => (x.Item1.Endpoint.ToString(), x.Item2)))
            await EnsureImageAsync(engine, image, ct).ConfigureAwait(false);
    }

    /// <summary>Step 5: every node made at once, with progress; one result per node, in order.</summary>
    private async Task<List<NodeResult>> StartAllAsync(IReadOnlyList<NodeSpec> specs, Func<int,
        Task<RedisNode>> createOne)
    {
        var activity = ProgressReport.NextActivityId();
        var ready = 0;
        var total = specs.Count;
        var kind = specs.All(s => s.Sentinel is not null) ? "sentinel" : "Redis node";
        _sink.Progress(new ProgressReport(activity, $"Starting {total} {kind}{(total == 1 ? "" : "s")}",
            $"0 of {total} ready", 0));
        var tasks = specs.Select((s, i) => createOne(i)
            .ContinueWith(t =>
            {
                var n = Interlocked.Increment(ref ready);
                _sink.Progress(new ProgressReport(activity, $"Starting {total} {kind}{(total == 1 ? "" : "s")}",
                    $"{n} of {total} done ({s.Name})", n * 100 / total));
                return t;
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap())
                .ToArray();
        var results = new List<NodeResult>();
        for (var i = 0; i < tasks.Length; i++)
        {
            try { results.Add(new NodeResult(specs[i].Name, await tasks[i].ConfigureAwait(false), null)); }
            catch (Exception e) { results.Add(new NodeResult(specs[i].Name, null, e)); }
        }
        _sink.Progress(new ProgressReport(activity, $"Starting {total} {kind}{(total == 1 ? "" : "s")}", "done", 100,
            Completed: true));
        return results;
    }

    /// <summary>Step 6, after a stop: the nodes that started are removed with their volumes, then the stop surfaces.
    /// </summary>
    private async Task RemoveStartedAsync(List<NodeResult> results, CancellationToken ct)
    {
        using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var removed = new List<string>();
        foreach (var made in results.Where(r => r.Node is not null))
        {
            try
            {
                await RemoveAsync(made.Name, removeVolume: true, cleanup.Token).ConfigureAwait(false);
                removed.Add(made.Name);
            }
            catch (Exception e) { _sink.Warning($"Stopped: could not remove node '{made.Name}' ({e.Message}); remove "
                + $"it with Remove-RedisNode {made.Name}."); }
        }
        if (removed.Count > 0)
            _sink.Warning("Stopped: removed the node(s) started before the stop, with their volumes: "
                + $"{string.Join(", ", removed)}.");
        ct.ThrowIfCancellationRequested();
    }
}
