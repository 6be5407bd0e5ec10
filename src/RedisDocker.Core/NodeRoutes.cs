using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace RedisDocker.Core;

/// <summary>
/// How the module's own connections reach the nodes (slot migration, failover probes, Invoke-RedisCommand
/// -Cluster, every admin command): straight to the container address where this host routes to it (a Linux
/// engine on this host: about twice the throughput of Docker's port proxy), else through the published port
/// (Docker Desktop, remote engines). The session keeps one; Connect-RedisDocker -Route or REDISDOCKER_ROUTE
/// forces either path.
/// </summary>
public sealed class NodeRoutes
{
    /// <summary>The environment variable that sets <see cref="Mode"/> of new sessions: Auto, Published or Direct.
    /// </summary>
    public const string EnvironmentVariable = "REDISDOCKER_ROUTE";

    private readonly ConcurrentDictionary<string, Target> _targets = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, bool> _routes;
    private readonly Func<string, CancellationToken, Task<bool>> _probe;

    /// <summary>Where the host reaches a node directly, and the key of the probe that says whether it routes.
    /// </summary>
    private sealed record Target(string ContainerEndpoint, string RouteKey, bool SameHost);

    /// <param name="routes">The session's cache of probe results (by engine and network), shared with the clients'
    /// -Route Auto.</param>
    /// <param name="probe">Tries a TCP connect to a container endpoint (tests give a fake).</param>
    public NodeRoutes(ConcurrentDictionary<string, bool> routes,
        Func<string, CancellationToken, Task<bool>>? probe = null)
    {
        _routes = routes;
        _probe = probe ?? ProbeAsync;
        Mode = FromEnvironment();
    }

    /// <summary>Auto (the default): the direct path where it routes; Published or Direct force one.</summary>
    public ConnectionRoute Mode { get; set; }

    /// <summary>The mode REDISDOCKER_ROUTE names, Auto when unset; an unknown value is an error that names the
    /// valid ones.</summary>
    public static ConnectionRoute FromEnvironment() => Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>Auto for null or empty; else Auto, Published or Direct (any case).</summary>
    public static ConnectionRoute Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return ConnectionRoute.Auto;
        if (Enum.TryParse<ConnectionRoute>(value.Trim(), ignoreCase: true, out var mode)
            && Enum.IsDefined(mode) && !int.TryParse(value, out _))
            return mode;
        throw Errors.InvalidArgument($"{EnvironmentVariable} is '{value}': use Auto, Published or Direct "
            + "(or remove it for Auto).", value);
    }

    /// <summary>Notes where the host would reach a running node directly (called whenever a node is read).
    /// </summary>
    /// <param name="sameHost">The node runs on the session's own engine, on this machine.</param>
    public void Note(RedisNode node, bool sameHost)
    {
        if (node.HostEndpoint is null || node.ContainerEndpoint is null || node.HostEndpoint == node.ContainerEndpoint)
            return;
        _targets[node.HostEndpoint] = new Target(node.ContainerEndpoint, $"{node.DockerHost}|{node.Network}", sameHost);
    }

    /// <summary>Forgets a node's direct endpoint (it stopped or restarted: its address is read again).</summary>
    public void Forget(string hostEndpoint) => _targets.TryRemove(hostEndpoint, out _);

    /// <summary>
    /// The endpoint to dial for a node's published endpoint: its container endpoint when <see cref="Mode"/> is
    /// Direct, or Auto and the host routes to the node's network (tried once per network and session); else the
    /// published endpoint itself (also for an endpoint no node read has noted).
    /// </summary>
    public async Task<string> DialAsync(string hostEndpoint, CancellationToken ct)
    {
        if (Mode == ConnectionRoute.Published || !_targets.TryGetValue(hostEndpoint,
            out var target)) return hostEndpoint;
        if (Mode == ConnectionRoute.Direct) return target.ContainerEndpoint;
        if (!target.SameHost) return hostEndpoint;
        if (_routes.TryGetValue(target.RouteKey, out var known)) return known ? target.ContainerEndpoint : hostEndpoint;
        var routes = await _probe(target.ContainerEndpoint, ct).ConfigureAwait(false);
        _routes[target.RouteKey] = routes;
        return routes ? target.ContainerEndpoint : hostEndpoint;
    }

    /// <summary>The direct path failed where the published one worked (Auto): the network goes through the published
    /// ports for the rest of the session.</summary>
    public void MarkUnroutable(string hostEndpoint)
    {
        if (_targets.TryGetValue(hostEndpoint, out var target)) _routes[target.RouteKey] = false;
    }

    /// <summary>Whether this host reaches the endpoint: a TCP connect that succeeds, or is refused by the container,
    /// within <see cref="ProbeBound"/>.</summary>
    public static async Task<bool> ProbeAsync(string containerEndpoint, CancellationToken ct)
    {
        var (host, port) = EndpointMap.Split(containerEndpoint);
        if (!IPAddress.TryParse(host, out var address)) return false;
        // A Linux engine on this host: the container network is a bridge of this host's own (the gateway address is
        // on one of its interfaces). That answer needs no connect, so a loaded host cannot time it out.
        if (OnDirectlyConnectedNetwork(address)) return true;
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(ProbeBound);
        try
        {
            await socket.ConnectAsync(address, port, bound.Token).ConfigureAwait(false);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            // The container's network answered (a node still starting, or not listening yet): the address routes.
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>Whether an interface of this host (in this process's network namespace) is up with an IPv4 address
    /// whose subnet holds the address (not loopback).</summary>
    public static bool OnDirectlyConnectedNetwork(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork || IPAddress.IsLoopback(address)) return false;
        try
        {
            foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Down) continue;
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    if (unicast.Address.AddressFamily != AddressFamily.InterNetwork
                        || IPAddress.IsLoopback(unicast.Address) || unicast.PrefixLength is <= 0 or > 32) continue;
                    if (SameSubnet(unicast.Address, address, unicast.PrefixLength)) return true;
                }
            }
        }
        catch (System.Net.NetworkInformation.NetworkInformationException)
        {
            // Interfaces unreadable here: the TCP probe decides.
        }
        return false;
    }

    /// <summary>Whether two IPv4 addresses share their first prefixLength bits.</summary>
    public static bool SameSubnet(IPAddress a, IPAddress b, int prefixLength)
    {
        var x = a.GetAddressBytes();
        var y = b.GetAddressBytes();
        var mask = prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength);
        var ux = (uint)(x[0] << 24 | x[1] << 16 | x[2] << 8 | x[3]);
        var uy = (uint)(y[0] << 24 | y[1] << 16 | y[2] << 8 | y[3]);
        return (ux & mask) == (uy & mask);
    }

    /// <summary>How long the route probe's connect may take: long enough for a loaded host (a probe that
    /// times out sends the network to the published ports for the session), short enough for Docker Desktop, where
    /// it is paid once per network and session.</summary>
    public static readonly TimeSpan ProbeBound = TimeSpan.FromMilliseconds(1500);
}
