using System.Collections.Concurrent;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;

namespace RedisDocker.Core;

/// <summary>
/// One Docker endpoint, the Redis credentials learnt for its topologies, a cache of RESP
/// connections and the endpoint map. Cmdlets share <see cref="Default"/> unless given -Session.
/// Docker stays the source of truth: everything here can be rebuilt from labels and from the
/// configuration files inside the containers.
/// </summary>
public sealed class RedisDockerSession : IAsyncDisposable, IDisposable
{
    private static readonly object s_defaultLock = new();
    private static RedisDockerSession? s_default;

    private readonly SemaphoreSlim _dockerLock = new(1, 1);
    private DockerClient? _docker;
    private readonly ConcurrentDictionary<string, string> _passwords = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RespConnection> _connections = new(StringComparer.Ordinal);
    private int _disposed;

    public RedisDockerSession(DockerEndpoint endpoint)
    {
        Endpoint = endpoint;
        Id = Guid.NewGuid().ToString("N")[..8];
    }

    /// <summary>The session cmdlets use when none is given: DOCKER_HOST or the platform default.</summary>
    public static RedisDockerSession Default
    {
        get
        {
            lock (s_defaultLock)
            {
                if (s_default is null || s_default._disposed != 0)
                    s_default = new RedisDockerSession(DockerEndpoint.FromEnvironment());
                return s_default;
            }
        }
    }

    /// <summary>Makes the session the default one (Connect-RedisDocker); disposes the previous default.</summary>
    public static void SetDefault(RedisDockerSession session)
    {
        RedisDockerSession? old;
        lock (s_defaultLock)
        {
            old = s_default;
            s_default = session;
        }
        if (old is not null && !ReferenceEquals(old, session)) old.Dispose();
    }

    public string Id { get; }
    public DockerEndpoint Endpoint { get; }
    /// <summary>The Docker endpoint as the user writes it; node objects record it.</summary>
    public string DockerHost => Endpoint.ToString();
    public EndpointMap EndpointMap { get; } = new();
    public TimeSpan RedisCommandTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan RedisConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>The Docker image new nodes use when none is given.</summary>
    public string DefaultImage { get; set; } = Defaults.Image;

    /// <summary>The engine's client, connected (and API version negotiated) on first use.</summary>
    public async Task<DockerClient> GetDockerAsync(CancellationToken ct)
    {
        if (_docker is not null) return _docker;
        await _dockerLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return _docker ??= await DockerClient.ConnectAsync(Endpoint, ct).ConfigureAwait(false);
        }
        finally { _dockerLock.Release(); }
    }

    /// <summary>Remembers the password of a topology for this session (never written anywhere else).</summary>
    public void RememberPassword(string topology, string password) => _passwords[topology] = password;

    public void ForgetPassword(string topology) => _passwords.TryRemove(topology, out _);

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
        var docker = await GetDockerAsync(ct).ConfigureAwait(false);
        var containers = await docker.ListContainersAsync(Labels.ForTopology(topology), all: true, ct).ConfigureAwait(false);
        foreach (var c in containers.OrderBy(c => c.Created))
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
            throw new RedisDockerException(ErrorIds.NodeNotReachable,
                $"Node '{node.Name}' has no published endpoint (state: {node.State}). Start it with Start-RedisNode.", ErrorKind.ResourceUnavailable, node.Name);
        var password = await GetPasswordAsync(node.Topology, ct).ConfigureAwait(false);
        return await ConnectAsync(node.HostEndpoint, password, ct).ConfigureAwait(false);
    }

    /// <summary>A cached connection to a published endpoint with the given password.</summary>
    public async Task<RespConnection> ConnectAsync(string hostEndpoint, string? password, CancellationToken ct)
    {
        var key = hostEndpoint + "|" + (password is null ? "" : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(password)))[..16]);
        if (_connections.TryGetValue(key, out var cached))
        {
            if (cached.IsConnected) return cached;
            _connections.TryRemove(key, out _);
            await cached.DisposeAsync().ConfigureAwait(false);
        }
        var (host, port) = EndpointMap.Split(hostEndpoint);
        var conn = await RespConnection.ConnectAsync(host, port, new RespConnectionOptions
        {
            Password = password,
            ConnectTimeout = RedisConnectTimeout,
            CommandTimeout = RedisCommandTimeout,
            ClientName = "redisdocker",
        }, ct).ConfigureAwait(false);
        if (!_connections.TryAdd(key, conn))
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            return _connections[key];
        }
        return conn;
    }

    /// <summary>
    /// Sends one command over the cached connection, reconnecting once when the server closed it
    /// (a restart, or Sentinel's CLIENT KILL after a reconfiguration). For idempotent admin commands.
    /// </summary>
    public async Task<RespValue> SendAsync(string hostEndpoint, string? password, IReadOnlyList<object> args, CancellationToken ct)
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
        foreach (var kv in _connections)
            if (kv.Key.StartsWith(hostEndpoint + "|", StringComparison.Ordinal) && _connections.TryRemove(kv.Key, out var c))
                c.Dispose();
    }

    public override string ToString() => $"RedisDockerSession {Id} → {DockerHost}";

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var c in _connections.Values) c.Dispose();
        _connections.Clear();
        _docker?.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Defaults that the environment may override.</summary>
public static class Defaults
{
    /// <summary>An official redis tag; REDISDOCKER_IMAGE overrides it (tests use the offline image).</summary>
    public static string Image =>
        Environment.GetEnvironmentVariable("REDISDOCKER_IMAGE") is { Length: > 0 } img ? img : "redis:7.4";

    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
}
