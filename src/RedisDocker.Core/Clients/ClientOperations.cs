using System.Net;
using StackExchange.Redis;
using StackExchange.Redis.Configuration;

namespace RedisDocker.Core.Topology;

/// <summary>
/// Connect-RedisClient: a StackExchange.Redis ConnectionMultiplexer configured for a topology from the host: the
/// endpoints of <see cref="ConnectionStringOperations"/>, the topology's password, and a tunnel that sends any
/// container address the client is told about (a cluster that names container addresses, Redis before 7.0) to
/// the node's published endpoint, so it works from the host in every case.
/// </summary>
public sealed class ClientOperations : Workflow
{
    private readonly ConnectionStringOperations _connectionStrings;

    internal ClientOperations(RedisDockerSession session, IOperationSink sink,
        ConnectionStringOperations connectionStrings)
        : base(session, sink) => _connectionStrings = connectionStrings;

    /// <summary>
    /// <see cref="ConnectAsync"/> for the cmdlet layer: the client typed as object, so that RedisDocker.dll holds no
    /// reference to StackExchange.Redis. That assembly lives in the module's own load context, which the default
    /// context (where PowerShell loads the cmdlets) does not search.
    /// </summary>
    public async Task<object> ConnectAsObjectAsync(
        ConnectionTarget target, string name, ConnectionRoute route, CancellationToken ct) =>
        await ConnectAsync(target, name, route, ct).ConfigureAwait(false);

    public async Task<ConnectionMultiplexer> ConnectAsync(ConnectionTarget target, string name, ConnectionRoute route,
        CancellationToken ct)
    {
        var strings = _connectionStrings;
        var (text, topology) = await strings.DescribeAsync(target, name, false, ct, route, tunnelled: true)
            .ConfigureAwait(false);
        var options = ConfigurationOptions.Parse(text);
        options.Password = await _session.GetPasswordAsync(topology, ct).ConfigureAwait(false);
        // With default off, the module's client authenticates as the module's admin user (the same password).
        if (await strings.DefaultDisabledAsync(topology, ct).ConfigureAwait(false))
            options.User = Security.AclFile.AdminUser;
        await Security.ClientTls.ConfigureAsync(_session, topology, options, ct).ConfigureAwait(false);
        // On the direct route the container addresses are the point; elsewhere they are sent to the published ports.
        if (!strings.LastWasDirect) options.Tunnel = new EndpointMapTunnel(_session.EndpointMap);
        options.ClientName = "RedisDocker";
        _sink.Verbose($"Connecting a StackExchange.Redis client to {text} (topology '{topology}').");
        using var log = new StringWriter();
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(options, log).ConfigureAwait(false);
        }
        catch (RedisConnectionException e)
        {
            throw Errors.NodeNotReachable($"The client could not connect to '{name}' ({e.Message.Split('\n')[0]}). "
                + $"Check it runs: Get-RedisNode -Topology {topology}.",
                name, e);
        }
    }

    /// <summary>Sends a connection to a container address the host may not reach to the node's published
    /// endpoint.</summary>
    public sealed class EndpointMapTunnel : Tunnel
    {
        private readonly EndpointMap _map;

        public EndpointMapTunnel(EndpointMap map) => _map = map;

        /// <summary>The endpoint the socket connects to: the published one for a known container address.</summary>
        public static EndPoint? Resolve(EndpointMap map, EndPoint endpoint)
        {
            var text = endpoint switch
            {
                IPEndPoint ip => $"{ip.Address}:{ip.Port}",
                DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
                _ => null,
            };
            if (text is null || !map.TryTranslate(text, out var mapped) || mapped.HostEndpoint == text) return endpoint;
            var (host, port) = EndpointMap.Split(mapped.HostEndpoint);
            return IPAddress.TryParse(host, out var address) ? new IPEndPoint(address, port)
                : new DnsEndPoint(host, port);
        }

        public override ValueTask<EndPoint?> GetSocketConnectEndpointAsync(EndPoint endpoint,
            CancellationToken cancellationToken) =>
            new(Resolve(_map, endpoint));
    }
}
