using System.Collections.Concurrent;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;

namespace RedisDocker.Core;

/// <summary>The session's topology passwords (learnt, never written anywhere) and its RESP connections to nodes:
/// one per endpoint and password, over the route NodeRoutes picks and with TLS where the topology has it.
/// </summary>
public sealed partial class RedisDockerSession
{
    /// <summary>Remembers the password of a topology for this session (never written anywhere else).</summary>
    public void RememberPassword(string topology, string password) => _passwords[topology] = password;

    public void ForgetPassword(string topology)
    {
        _passwords.TryRemove(topology, out _);
        ClusterRouters.TryRemove(topology, out _);
        Tls.Forget(topology);
    }

    /// <summary>Slot routers of Invoke-RedisCommand -Cluster, one per topology, kept between calls.</summary>
    internal ConcurrentDictionary<string, Topology.ClusterRouter> ClusterRouters { get; } = new(StringComparer.Ordinal);

    /// <summary>The topology's password if already known; null otherwise.</summary>
    public string? TryGetKnownPassword(string topology) => _passwords.TryGetValue(topology, out var p) ? p : null;

    /// <summary>
    /// The password of a topology: known to the session, or read back from the configuration
    /// file inside one of its containers (Docker is the source of truth). Null when no
    /// container of the topology holds one.
    /// </summary>
    public async Task<string?> GetPasswordAsync(string topology, CancellationToken ct)
    {
        if (_passwords.TryGetValue(topology, out var known)) return known;
        foreach (var (docker, list) in await OnEveryEngineAsync((d, c) =>
            d.ListContainersAsync(Labels.ForTopology(topology), all: true, c), NullSink.Instance, ct)
                .ConfigureAwait(false))
        foreach (var c in list.OrderBy(c => c.Created))
        {
            var path = c.Labels.Get(Labels.ConfigPath);
            if (path is null) continue;
            byte[]? content;
            try { content = await docker.ReadFileAsync(c.Id, path, ct).ConfigureAwait(false); }
            catch (DockerException) { continue; }
            if (content is null) continue;
            var pw = RedisConfigRenderer.ReadDirective(System.Text.Encoding.UTF8.GetString(content), "requirepass");
            if (!string.IsNullOrEmpty(pw))
            {
                _passwords[topology] = pw;
                return pw;
            }
        }
        return null;
    }

    /// <summary>A cached, authenticated connection to a node's published endpoint.</summary>
    public async Task<RespConnection> ConnectAsync(RedisNode node, CancellationToken ct)
    {
        if (node.HostEndpoint is null)
            throw Errors.NoPublishedEndpoint(node.Name, node.State);
        var password = await GetPasswordAsync(node.Topology, ct).ConfigureAwait(false);
        return await ConnectAsync(node.HostEndpoint, password, ct).ConfigureAwait(false);
    }

    /// <summary>A cached connection to a published endpoint with the given password.</summary>
    public async Task<RespConnection> ConnectAsync(string hostEndpoint, string? password, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var key = hostEndpoint + "|" + (password is null ? ""
            : Convert.ToHexString(
                System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(password)))[..16]);
        var dial = await Routes.DialAsync(hostEndpoint, ct).ConfigureAwait(false);
        if (_connections.TryGetValue(key, out var cached))
        {
            if (cached.IsConnected && cached.Endpoint == dial) return cached;
            _connections.TryRemove(key, out _);
            // Made over the other path (before the node's container address was known): a caller may still use
            // it, so it is closed with the session.
            if (cached.IsConnected) _retired.Add(cached);
            else await cached.DisposeAsync().ConfigureAwait(false);
        }
        var conn = await DialAsync(hostEndpoint, dial, password, ct).ConfigureAwait(false);
        if (!_connections.TryAdd(key, conn))
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            return _connections[key];
        }
        return conn;
    }

    /// <summary>Published endpoints of Redis nodes made with the module's admin user (from their labels): the module
    /// authenticates to them as it; to others (nodes made before it, sentinels) as default.</summary>
    private readonly ConcurrentDictionary<string, bool> _adminEndpoints = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records whether a node's published endpoint has the module's admin user (a Redis node whose label
    /// says so).</summary>
    internal void ObserveAdminUser(RedisNode node)
    {
        if (node.HostEndpoint is null) return;
        if (node.Kind == RedisNodeKind.Redis && Security.AclFile.HasAdminUser(node.Labels))
            _adminEndpoints[node.HostEndpoint] = true;
        else _adminEndpoints.TryRemove(node.HostEndpoint, out _);
    }

    /// <summary>The user the module authenticates to an endpoint as: the admin user where the node has it, else null
    /// (default).</summary>
    internal string? AdminUserOf(string hostEndpoint) =>
        _adminEndpoints.ContainsKey(hostEndpoint) ? Security.AclFile.AdminUser : null;

    /// <summary>A new connection to a node's published endpoint, over the path <see cref="Routes"/> chooses: the
    /// direct one falls back to the published port once when it fails (Auto). It authenticates as the admin user where
    /// the node has it; an endpoint the session has not seen the labels of is tried as default first, then (refused:
    /// default is off) as the admin user.</summary>
    private async Task<RespConnection> DialAsync(string hostEndpoint, string dial, string? password,
        CancellationToken ct)
    {
        var user = password is null ? null : AdminUserOf(hostEndpoint);
        try
        {
            return await DialAsAsync(hostEndpoint, dial, password, user, ct).ConfigureAwait(false);
        }
        catch (RedisServerException e) when (e.Prefix == "WRONGPASS" && user is null && password is not null)
        {
            var admin = await DialAsAsync(hostEndpoint, dial, password, Security.AclFile.AdminUser, ct)
                .ConfigureAwait(false);
            _adminEndpoints[hostEndpoint] = true;
            return admin;
        }
    }

    private async Task<RespConnection> DialAsAsync(string hostEndpoint, string dial, string? password, string? user,
        CancellationToken ct)
    {
        // TLS topologies: the server is checked against the topology's CA (not by name), so both paths verify.
        var options = await Tls.ApplyAsync(hostEndpoint, new RespConnectionOptions
        {
            User = user,
            Password = password,
            ConnectTimeout = RedisConnectTimeout,
            CommandTimeout = RedisCommandTimeout,
            ClientName = "redisdocker",
        }, ct).ConfigureAwait(false);
        var (host, port) = EndpointMap.Split(dial);
        try
        {
            return await RespConnection.ConnectAsync(host, port, options, ct).ConfigureAwait(false);
        }
        catch (RedisConnectionException e) when (dial != hostEndpoint && Routes.Mode == ConnectionRoute.Auto)
        {
            // A node still starting refuses both paths: only a published port that answers condemns the direct one,
            // and only when the direct path got no answer at all. A refusal (or a reset) came from the container:
            // the address routes, and the node may have begun to listen between the two tries.
            (host, port) = EndpointMap.Split(hostEndpoint);
            var published = await RespConnection.ConnectAsync(host, port, options, ct).ConfigureAwait(false);
            if (!AnsweredByContainer(e)) Routes.MarkUnroutable(hostEndpoint);
            return published;
        }
    }

    /// <summary>Whether a failed connect was answered from the far end (refused or reset), which proves the address
    /// routes, rather than timed out or unreachable.</summary>
    private static bool AnsweredByContainer(RedisConnectionException e) =>
        e.InnerException is System.Net.Sockets.SocketException
        {
            SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused
                or System.Net.Sockets.SocketError.ConnectionReset,
        };

    /// <summary>
    /// Sends one command over the cached connection, reconnecting once when the server closed it
    /// (a restart, or Sentinel's CLIENT KILL after a reconfiguration). For idempotent admin commands.
    /// </summary>
    public async Task<RespValue> SendAsync(string hostEndpoint, string? password, IReadOnlyList<object> args,
        CancellationToken ct)
    {
        try
        {
            var conn = await ConnectAsync(hostEndpoint, password, ct).ConfigureAwait(false);
            return await conn.SendAsync(args, ct).ConfigureAwait(false);
        }
        catch (RedisConnectionException)
        {
            Evict(hostEndpoint);
            var conn = await ConnectAsync(hostEndpoint, password, ct).ConfigureAwait(false);
            return await conn.SendAsync(args, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Drops cached connections to an endpoint (after a restart the published port may change).</summary>
    public void Evict(string? hostEndpoint)
    {
        if (hostEndpoint is null) return;
        Routes.Forget(hostEndpoint);
        foreach (var kv in _connections)
            if (kv.Key.StartsWith(hostEndpoint + "|", StringComparison.Ordinal)
                && _connections.TryRemove(kv.Key, out var c))
                c.Dispose();
    }
}
