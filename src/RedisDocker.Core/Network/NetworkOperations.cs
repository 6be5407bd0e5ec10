using System.Text.RegularExpressions;
using RedisDocker.Core.Docker;

namespace RedisDocker.Core.Topology;

/// <summary>What New-RedisNetwork asks for.</summary>
public sealed record NetworkSpec
{
    public required string Name { get; init; }
    /// <summary>CIDR; null lets the module pick a free private /24 (static node addresses need a known
    /// subnet).</summary>
    public string? Subnet { get; init; }
    public string? Gateway { get; init; }
    public bool Internal { get; init; }
    /// <summary>Topology name; the network's own name when null.</summary>
    public string? Topology { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>The Docker engine to create it on; the session's primary engine when null.</summary>
    public string? DockerHost { get; init; }
    /// <summary>null (bridge) or "overlay": an attachable overlay of a Docker Swarm, made on a manager.</summary>
    public string? Driver { get; init; }
}

/// <summary>Networks: create, read, connect, remove. All state lives in Docker labels.</summary>
public sealed class NetworkOperations : Workflow
{
    private static readonly Regex s_name = new(@"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}\z", RegexOptions.CultureInvariant);
    private readonly NetworkLookup _lookup;
    private readonly NodeOperations _nodes;

    internal NetworkOperations(RedisDockerSession session, IOperationSink sink, NetworkLookup lookup,
        NodeOperations nodes)
        : base(session, sink)
    {
        _lookup = lookup;
        _nodes = nodes;
    }

    /// <summary>Whether the text is a valid network, node or topology name.</summary>
    public static bool IsValidName(string? name) => name is not null && s_name.IsMatch(name);

    public static void ValidateName(string name, string what)
    {
        if (string.IsNullOrWhiteSpace(name) || !s_name.IsMatch(name))
            throw Errors.InvalidName(
                $"'{RedisConfigRenderer.Printable(name ?? "")}' is not a valid {what} name: use 1-63 letters, "
                + "digits, '_', '.' or '-', starting with a letter or digit.",
                name);
    }

    public async Task<RedisNetwork> CreateAsync(NetworkSpec spec, CancellationToken ct)
    {
        ValidateName(spec.Name, "network");
        var topology = spec.Topology ?? spec.Name;
        ValidateName(topology, "topology");
        var docker = await _session.GetDockerAsync(spec.DockerHost, ct).ConfigureAwait(false);
        // Creations of one name on one engine from this process (ForEach-Object -Parallel, runspaces, tasks) take
        // turns, so the later one sees the first and is refused. Across processes the check after the create below
        // decides; it is best effort, as Docker takes duplicate names before API 1.44 and lists a new network a
        // moment after it made it.
        var gate = s_creating.GetOrAdd($"{docker.Endpoint}|{spec.Name}", _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await CreateOnEngineAsync(docker, spec, topology, ct).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> s_creating =
        new(StringComparer.Ordinal);

    private async Task<RedisNetwork> CreateOnEngineAsync(
        DockerClient docker, NetworkSpec spec, string topology, CancellationToken ct)
    {
        if (await docker.InspectNetworkAsync(spec.Name, ct).ConfigureAwait(false) is not null)
            throw Errors.NetworkNameTaken(
                $"A Docker network named '{spec.Name}' already exists. Choose another -Name, or use it with "
                + $"Get-RedisNetwork {spec.Name}.",
                spec.Name);

        var overlay = Swarm.OverlayNetworks.IsOverlay(Swarm.OverlayNetworks.NormalizeDriver(spec.Driver));
        // A topology's bridge network lives on one Docker host: the same topology name on another host would be another
        // group under one name (an overlay spans the swarm's engines).
        if (!overlay)
            foreach (var (engine, held) in await _session.OnEveryEngineAsync((d, c) =>
                d.ListContainersAsync(Labels.ForTopology(topology), all: true, c), _sink, ct).ConfigureAwait(false))
                if (held.Count > 0 && engine != docker)
                    throw Errors.TopologyExists(
                        $"Topology '{topology}' is already in use on Docker host {engine.Endpoint}. Choose another "
                        + "name (-Topology), or span hosts with host-network nodes (New-RedisNode -HostNetwork "
                        + $"-Topology {topology}).",
                        topology);
        var existing = await docker.ListNetworksAsync(null, ct).ConfigureAwait(false);
        IPv4Cidr subnet;
        if (spec.Subnet is null)
        {
            subnet = PickFreeSubnet(existing);
            _sink.Verbose($"No -Subnet given: using the free private subnet {subnet}.");
        }
        else
        {
            if (!IPv4Cidr.TryParse(spec.Subnet, out subnet, out var error))
                throw Errors.InvalidSubnet(error, spec.Subnet);
            if (!subnet.IsPrivate)
                throw Errors.InvalidSubnet(
                    $"Subnet {subnet} is not a private range. Use one inside 10.0.0.0/8, 172.16.0.0/12 or "
                    + "192.168.0.0/16 (for example 172.28.0.0/16): a public range shadows real hosts on the internet.",
                    spec.Subnet);
            foreach (var n in existing)
                foreach (var s in n.Subnets)
                    if (IPv4Cidr.TryParse(s.Subnet, out var other, out _) && other.Overlaps(subnet))
                        throw Errors.SubnetOverlap(
                            $"Subnet {subnet} overlaps {other} of Docker network '{n.Name}'. Choose a subnet that "
                            + "no other network uses.",
                            spec.Subnet);
        }
        string gateway;
        if (spec.Gateway is null) gateway = IPv4Cidr.Format(subnet.DefaultGateway);
        else if (!IPv4Cidr.TryParseAddress(spec.Gateway, out var gw) || !subnet.Contains(gw) || gw == subnet.Network
            || gw == subnet.Broadcast)
            throw Errors.IPAddressInvalid(
                $"Gateway '{spec.Gateway}' is not a host address inside {subnet}. Give a -Gateway inside the subnet, "
                + $"or omit -Gateway to use {IPv4Cidr.Format(subnet.DefaultGateway)}.",
                spec.Gateway);
        else gateway = spec.Gateway;

        var labels = new Dictionary<string, string>(spec.Labels)
        {
            [Labels.Managed] = "true",
            [Labels.Kind] = Labels.KindNetwork,
            [Labels.Topology] = topology,
            [Labels.Version] = ModuleInfo.Version,
        };
        _sink.Verbose($"Creating Docker network '{spec.Name}' ({subnet}, gateway "
            + $"{gateway}{(spec.Internal ? ", internal" : "")}) for topology '{topology}'.");
        string createdId;
        var refused = new List<IPv4Cidr>();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                createdId = await docker.CreateNetworkAsync(new NetworkCreateSpec
                {
                    Name = spec.Name,
                    Subnet = subnet.ToString(),
                    Gateway = gateway,
                    Internal = spec.Internal,
                    Attachable = true,
                    Labels = labels,
                    Driver = overlay ? Swarm.OverlayNetworks.Driver : "bridge",
                    IPRange = overlay ? Swarm.OverlayNetworks.DynamicRangeOf(subnet).ToString() : null,
                }, ct).ConfigureAwait(false);
                break;
            }
            catch (DockerApiException e) when (e.EngineMessage.Contains("overlap", StringComparison.OrdinalIgnoreCase)
                && spec.Subnet is null && attempt < 5)
            {
                // The subnet this call picked was taken meanwhile by another caller (or is still held by a network
                // being removed, no longer listed): pick another free one, never one refused already.
                refused.Add(subnet);
                subnet = PickFreeSubnet(await docker.ListNetworksAsync(null, ct).ConfigureAwait(false), refused);
                if (spec.Gateway is null) gateway = IPv4Cidr.Format(subnet.DefaultGateway);
                _sink.Verbose($"That subnet was taken meanwhile: using the free private subnet {subnet}.");
            }
            catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                // Docker's duplicate check is not atomic, and engines before API 1.44 take duplicate names: the Docker
                // layer lists the name after the create, keeps the network created first and removes ours.
                _sink.Verbose(
                    $"Another caller created a network named '{spec.Name}' at the same time: ours was removed.");
                throw Errors.NetworkCreatedConcurrently(spec.Name, e);
            }
            catch (DockerApiException e) when (overlay && Swarm.SwarmErrors.IsNotManager(e))
            {
                throw Errors.NotASwarmManager(docker.Endpoint.ToString(), e);
            }
            catch (DockerApiException e) when (e.EngineMessage.Contains("overlap", StringComparison.OrdinalIgnoreCase))
            {
                throw Errors.SubnetOverlap(
                    $"Docker refused subnet {subnet}: {e.EngineMessage}. Choose a subnet that no other network or "
                    + "host route uses.",
                    spec.Subnet, e);
            }
        }
        var created = await docker.InspectNetworkAsync(createdId, ct).ConfigureAwait(false)
            ?? throw Errors.DockerError($"Network '{spec.Name}' vanished right after it was created.", spec.Name);
        // A swarm manager answers the create of an overlay before its allocator has taken the network: until then the
        // network shows no driver (a CI run returned Driver ""), and other engines cannot attach to it yet.
        for (var wait = 0; overlay && string.IsNullOrEmpty(created.Driver) && wait < 75; wait++)
        {
            await Task.Delay(200, ct).ConfigureAwait(false);
            created = await docker.InspectNetworkAsync(createdId, ct).ConfigureAwait(false) ?? created;
        }
        if (overlay && string.IsNullOrEmpty(created.Driver))
            _sink.Warning($"The swarm has not allocated overlay network '{spec.Name}' after 15 s: nodes may not attach "
                + "to it until it has (docker network inspect on the manager shows its driver then).");
        return ToRedisNetwork(created) with { DockerHost = docker.Endpoint.ToString() };
    }

    /// <summary>A free /24 from 172.28.0.0/14 upwards, avoiding every subnet Docker already uses.</summary>
    internal static IPv4Cidr PickFreeSubnet(IEnumerable<DockerNetwork> existing, IEnumerable<IPv4Cidr>? alsoUsed = null)
    {
        var used = existing.SelectMany(n => n.Subnets)
            .Select(s => IPv4Cidr.TryParse(s.Subnet, out var c, out _) ? c : (IPv4Cidr?)null)
            .Where(c => c is not null).Select(c => c!.Value).Concat(alsoUsed ?? []).ToList();
        for (uint second = 28; second <= 31; second++)
            for (uint third = 0; third < 256; third++)
            {
                var candidate = new IPv4Cidr(0xAC000000 | second << 16 | third << 8, 24);
                if (!used.Any(u => u.Overlaps(candidate))) return candidate;
            }
        throw Errors.NoFreeSubnet();
    }

    public async Task<IReadOnlyList<RedisNetwork>> GetAsync(string? name, string? topology, CancellationToken ct)
    {
        var filter = Labels.ForKind(Labels.KindNetwork, topology);
        var all = await _session.OnEveryEngineAsync((d, c) => d.ListNetworksAsync(filter, c), _sink, ct)
            .ConfigureAwait(false);
        return all.SelectMany(x => x.Result.Where(n => name is null || WildcardMatch(n.Name, name))
                .Select(n => ToRedisNetwork(n) with { DockerHost = x.Docker.Endpoint.ToString() }))
            .OrderBy(n => n.Name, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The network by name, or a clear error when it is not there (see <see cref="NetworkLookup"/>).</summary>
    public Task<DockerNetwork> RequireAsync(string name, CancellationToken ct) => _lookup.RequireAsync(name, ct);

    /// <summary>The network by name on whichever engine of the session holds it (the primary engine first).</summary>
    public Task<(DockerClient Docker, DockerNetwork Network)> FindAsync(string name, CancellationToken ct) =>
        _lookup.FindAsync(name, ct);

    /// <summary>The network by name on one engine, or a clear error naming it.</summary>
    public Task<DockerNetwork> RequireAsync(DockerClient docker, string name, CancellationToken ct) =>
        _lookup.RequireAsync(docker, name, ct);

    /// <summary>
    /// Removes a network. While containers are attached it refuses, unless force: then the
    /// module's nodes on it are removed (with their volumes) and other containers disconnected.
    /// </summary>
    public async Task RemoveAsync(string name, bool force, CancellationToken ct)
    {
        var (docker, net) = await FindAsync(name, ct).ConfigureAwait(false);
        if (net.Labels.Get(Labels.Managed) != "true")
            throw Errors.NotARedisDockerNetwork(
                $"'{name}' is not a network made by RedisDocker; remove it with docker network rm if you mean to.",
                name);
        if (net.Containers.Count > 0)
        {
            if (!force)
                throw Errors.NetworkInUse(
                    $"Network '{name}' still has {net.Containers.Count} container(s) attached "
                    + $"({string.Join(", ", net.Containers.Select(c => c.Name))}). Remove them first (Get-RedisNode "
                    + $"-Network {name} | Remove-RedisNode), or use -Force.",
                    name);
            var nodes = _nodes;
            // All attached containers at once: removal is mostly waiting on the engine.
            await Task.WhenAll(net.Containers.Select(async c =>
            {
                var info = await docker.InspectContainerAsync(c.ContainerId, ct).ConfigureAwait(false);
                if (info is null) return;
                if (info.Labels.Get(Labels.Managed) == "true" && info.Labels.Get(Labels.Network) == net.Name)
                    await nodes.RemoveAsync(info.Name, removeVolume: true, ct).ConfigureAwait(false);
                else
                {
                    _sink.Verbose($"Disconnecting container '{info.Name}' from network '{name}'.");
                    await docker.DisconnectNetworkAsync(net.Id, info.Id, force: true, ct).ConfigureAwait(false);
                }
            })).ConfigureAwait(false);
        }
        _sink.Verbose($"Removing Docker network '{name}'.");
        await docker.RemoveNetworkAsync(net.Id, ct).ConfigureAwait(false);
    }

    /// <summary>Attaches a node to a second network (docker network connect), with an optional static
    /// address.</summary>
    public async Task ConnectAsync(string nodeName, string network, string? ipAddress, CancellationToken ct)
    {
        var docker = await _session.GetDockerAsync(ct).ConfigureAwait(false);
        var net = await RequireAsync(network, ct).ConfigureAwait(false);
        // Back onto its own network: at the address its cluster and sentinels know, unless told otherwise.
        if (ipAddress is null && await docker.InspectContainerAsync(nodeName, ct).ConfigureAwait(false) is { } info
            && info.Labels.Get(Labels.Network) == net.Name && info.Labels.Get(Labels.Address) is { } own)
            ipAddress = own;
        if (ipAddress is not null) ValidateAddressFree(net, ipAddress);
        _sink.Verbose($"Connecting node '{nodeName}' to network "
            + $"'{network}'{(ipAddress is null ? "" : " at " + ipAddress)}.");
        await docker.ConnectNetworkAsync(net.Id, nodeName, ipAddress, new[] { nodeName }, ct).ConfigureAwait(false);
    }

    public async Task DisconnectAsync(string nodeName, string network, bool force, CancellationToken ct)
    {
        var docker = await _session.GetDockerAsync(ct).ConfigureAwait(false);
        var info = await docker.InspectContainerAsync(nodeName, ct).ConfigureAwait(false)
            ?? throw NodeOperations.NotFound(nodeName);
        if (info.Labels.Get(Labels.Network) == network && !force)
            throw Errors.NetworkInUse(
                $"'{network}' is the network node '{nodeName}' was created on; its topology talks over it. Use "
                + "-Force to disconnect anyway.",
                nodeName);
        _sink.Verbose($"Disconnecting node '{nodeName}' from network '{network}'.");
        await docker.DisconnectNetworkAsync(network, info.Id, force, ct).ConfigureAwait(false);
    }

    /// <summary>Checks an address is a free host address of the network's subnet.</summary>
    public static uint ValidateAddressFree(DockerNetwork net, string ipAddress)
    {
        var subnetText = net.Subnets.FirstOrDefault()?.Subnet;
        if (subnetText is null || !IPv4Cidr.TryParse(subnetText, out var subnet, out _))
            throw Errors.IPAddressInvalid(
                $"Network '{net.Name}' has no IPv4 subnet of its own, so static addresses cannot be used on it. "
                + "Create it with New-RedisNetwork -Subnet.",
                ipAddress);
        if (!IPv4Cidr.TryParseAddress(ipAddress, out var ip))
            throw Errors.IPAddressInvalid($"'{ipAddress}' is not an IPv4 address.", ipAddress);
        if (!subnet.Contains(ip) || ip == subnet.Network || ip == subnet.Broadcast)
            throw Errors.IPAddressInvalid(
                $"{ipAddress} is not a host address of network '{net.Name}' ({subnet}). Pick one inside the subnet, "
                + "or leave -IPAddress out.",
                ipAddress);
        var gateway = net.Subnets.FirstOrDefault()?.Gateway;
        if (gateway == ipAddress || net.Containers.Any(c => c.IPv4Address == ipAddress))
            throw Errors.IPAddressTaken(
                $"{ipAddress} is already used on network '{net.Name}'{(gateway == ipAddress ? " (gateway)" : "")}. "
                + "Pick a free address or leave -IPAddress out.",
                ipAddress);
        return ip;
    }

    /// <summary>Free host addresses of a network, from .10 upwards, skipping used and reserved ones.</summary>
    public static IEnumerable<string> FreeAddresses(DockerNetwork net, ISet<string> alsoTaken)
    {
        var subnetText = net.Subnets.FirstOrDefault()?.Subnet;
        if (subnetText is null || !IPv4Cidr.TryParse(subnetText, out var subnet, out _)) yield break;
        var used = new HashSet<string>(net.Containers.Select(c => c.IPv4Address), StringComparer.Ordinal);
        if (net.Subnets.FirstOrDefault()?.Gateway is { } gw) used.Add(gw);
        var start = subnet.Size > 16 ? subnet.Network + 10 : subnet.Network + 2;
        // Static addresses stay above the range Docker allocates from by itself (an overlay's load balancers).
        if (IPv4Cidr.TryParse(net.Subnets[0].IPRange, out var dynamic, out _) && subnet.ContainsNetwork(dynamic))
            start = Math.Max(start, dynamic.Broadcast + 1);
        for (var a = start; a < subnet.Broadcast; a++)
        {
            var s = IPv4Cidr.Format(a);
            if (!used.Contains(s) && !alsoTaken.Contains(s)) yield return s;
        }
    }

    public RedisNetwork ToRedisNetwork(DockerNetwork n) => new()
    {
        Name = n.Name,
        Id = n.Id,
        Topology = n.Labels.Get(Labels.Topology) ?? n.Name,
        Subnet = n.Subnets.FirstOrDefault()?.Subnet,
        Gateway = n.Subnets.FirstOrDefault()?.Gateway,
        Driver = n.Driver,
        Internal = n.Internal,
        Containers = n.Containers.Select(c => c.Name).OrderBy(x => x, StringComparer.Ordinal).ToArray(),
        Labels = n.Labels,
        DockerHost = _session.DockerHost,
        Created = n.Created,
    };

    /// <summary>PowerShell-style wildcard match (* and ?), case-insensitive.</summary>
    public static bool WildcardMatch(string value, string pattern)
    {
        if (pattern.IndexOfAny(new[] { '*', '?', '[' }) < 0) return string.Equals(value, pattern,
            StringComparison.OrdinalIgnoreCase);
        // PowerShell wildcards: * ? and [abc] / [a-z] character classes.
        var regex = "^"
            + Regex.Replace(Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", "."), @"\\\[([^\]]*)]", "[$1]")
            + "$";
        return Regex.IsMatch(value, regex, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }
}
