using System.Collections.Concurrent;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;

namespace RedisDocker.Core;

/// <summary>
/// One Docker endpoint, the Redis credentials learnt for its topologies, a cache of RESP
/// connections and the endpoint map. Cmdlets use their runspace's default session unless given -Session
/// (the cmdlet layer keeps one per runspace).
/// Docker stays the source of truth: everything here can be rebuilt from labels and from the
/// configuration files inside the containers.
/// </summary>
public sealed class RedisDockerSession : IAsyncDisposable, IDisposable
{
    private readonly SemaphoreSlim _dockerLock = new(1, 1);
    private DockerClient? _docker;
    private readonly ConcurrentDictionary<string, string> _passwords = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RespConnection> _connections = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<RespConnection> _retired = new();
    private int _disposed;

    public RedisDockerSession(DockerEndpoint endpoint)
    {
        Endpoint = endpoint;
        Id = Guid.NewGuid().ToString("N")[..8];
        Tls = new Security.TlsStore(this);
        Routes = new NodeRoutes(ContainerRoutes);
    }

    /// <summary>The session's TLS topologies: their endpoints, CAs and the module's client certificates.</summary>
    public Security.TlsStore Tls { get; }

    /// <summary>A session for DOCKER_HOST (with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH) or the platform default.
    /// </summary>
    public static RedisDockerSession FromEnvironment() => new(DockerEndpoint.FromEnvironment());

    /// <summary>The workflows of this session reporting to the sink: the composition root (see
    /// <see cref="Core.Workflows"/>). Each call builds a new set; a cmdlet takes one per piece of work.</summary>
    public Workflows Workflows(IOperationSink sink) => new(this, sink);

    private static readonly object s_defaultLock = new();
    private static RedisDockerSession? s_default;

    /// <summary>Where <see cref="Default"/> lives. The module installs one that keeps a default session per
    /// PowerShell runspace; without one (the core used on its own) there is one default session for the process.
    /// </summary>
    public static IDefaultSessionStore? DefaultStore { get; set; }

    /// <summary>The session cmdlets use when none is given: the current runspace's (Connect-RedisDocker), else one
    /// for DOCKER_HOST or the platform default, made on first use and made anew once disposed.</summary>
    public static RedisDockerSession Default
    {
        get
        {
            if (DefaultStore is { } store) return store.Current;
            lock (s_defaultLock)
            {
                if (s_default is null || s_default.IsDisposed) s_default = FromEnvironment();
                return s_default;
            }
        }
    }

    /// <summary>Makes the session the default one (Connect-RedisDocker); disposes the previous default (of the same
    /// runspace, with the module's store).</summary>
    public static void SetDefault(RedisDockerSession session)
    {
        if (DefaultStore is { } store)
        {
            store.Set(session);
            return;
        }
        RedisDockerSession? old;
        lock (s_defaultLock)
        {
            old = s_default;
            s_default = session;
        }
        if (old is not null && !ReferenceEquals(old, session)) old.Dispose();
    }

    /// <summary>Disposed: its connections are closed; a default session is then made anew.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    public string Id { get; }
    public DockerEndpoint Endpoint { get; }
    /// <summary>The Docker endpoint as the user writes it; node objects record it.</summary>
    public string DockerHost => Endpoint.ToString();
    public EndpointMap EndpointMap { get; } = new();
    /// <summary>The Docker Swarm of the session's engines as last read (Connect-RedisDocker, Get-RedisSwarmNode).
    /// </summary>
    public Swarm.SwarmView Swarm { get; } = new();
    /// <summary>Whether this host routes to a network's container addresses (by engine and network), tried once per
    /// session.</summary>
    public ConcurrentDictionary<string, bool> ContainerRoutes { get; } = new(StringComparer.Ordinal);
    /// <summary>How the module's own connections reach the nodes (direct or published; Connect-RedisDocker -Route).
    /// </summary>
    public NodeRoutes Routes { get; }
    public TimeSpan RedisCommandTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan RedisConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>The Docker image new nodes use when none is given.</summary>
    public string DefaultImage { get; set; } = Defaults.Image;

    /// <summary>The primary engine's client, connected (and API version negotiated) on first use.</summary>
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

    private readonly ConcurrentDictionary<string, DockerEndpoint> _otherHosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, DockerClient> _otherClients = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _containerHosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, DateTime> _downUntil = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every Docker engine of the session: the primary one first, then those added (one topology may span
    /// them).</summary>
    public IReadOnlyList<DockerEndpoint> Hosts => _otherHosts.Values.OrderBy(e => e.ToString(), StringComparer.Ordinal)
        .Prepend(Endpoint).ToArray();

    /// <summary>Adds a Docker engine to the session (Connect-RedisDocker -Add, -DockerHost on New-RedisNode).</summary>
    public DockerEndpoint AddHost(DockerEndpoint endpoint)
    {
        if (string.Equals(endpoint.ToString(), Endpoint.ToString(),
            StringComparison.OrdinalIgnoreCase)) return Endpoint;
        return _otherHosts.GetOrAdd(endpoint.ToString(), endpoint);
    }

    /// <summary>Forgets an engine added to the session (its connection is closed).</summary>
    public void RemoveHost(DockerEndpoint endpoint)
    {
        _otherHosts.TryRemove(endpoint.ToString(), out _);
        if (_otherClients.TryRemove(endpoint.ToString(), out var client)) client.Dispose();
    }

    /// <summary>The client of one engine: the primary one for null or empty, else the named one (added on first
    /// use).</summary>
    public async Task<DockerClient> GetDockerAsync(string? dockerHost, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(dockerHost)
            || string.Equals(dockerHost, Endpoint.ToString(), StringComparison.OrdinalIgnoreCase))
            return await GetDockerAsync(ct).ConfigureAwait(false);
        var wasKnown = _otherHosts.TryGetValue(dockerHost, out var known);
        var endpoint = known ?? DockerEndpoint.Parse(dockerHost);
        if (_otherClients.TryGetValue(endpoint.ToString(), out var client)) return client;
        await _dockerLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_otherClients.TryGetValue(endpoint.ToString(), out client)) return client;
            // An engine joins the session only once it answered: a -DockerHost that failed to connect is not kept.
            client = await DockerClient.ConnectAsync(endpoint, ct).ConfigureAwait(false);
            if (!wasKnown) endpoint = AddHost(endpoint);
            _otherClients[endpoint.ToString()] = client;
            return client;
        }
        finally { _dockerLock.Release(); }
    }

    /// <summary>Clients of every engine of the session (an unreachable one throws, naming it).</summary>
    public async Task<IReadOnlyList<DockerClient>> GetAllDockerAsync(CancellationToken ct)
    {
        var list = new List<DockerClient> { await GetDockerAsync(ct).ConfigureAwait(false) };
        foreach (var h in _otherHosts.Keys.OrderBy(x => x, StringComparer.Ordinal)) list.Add(await GetDockerAsync(h, ct)
            .ConfigureAwait(false));
        return list;
    }

    /// <summary>
    /// Runs a read on every engine. The primary engine must answer; another engine that does not
    /// answer within the bound is skipped with a warning (a lost host must not hide the others).
    /// </summary>
    public async Task<IReadOnlyList<(DockerClient Docker, T Result)>> OnEveryEngineAsync<T>(Func<DockerClient,
        CancellationToken, Task<T>> read, IOperationSink sink, CancellationToken ct)
    {
        var results = new List<(DockerClient, T)>();
        var primary = await GetDockerAsync(ct).ConfigureAwait(false);
        results.Add((primary, await read(primary, ct).ConfigureAwait(false)));
        foreach (var host in _otherHosts.Keys.OrderBy(x => x, StringComparer.Ordinal))
        {
            if (_downUntil.TryGetValue(host, out var until) && DateTime.UtcNow < until)
            {
                sink.Warning($"Docker host {host} did not answer a moment ago; what it holds is left out.");
                continue;
            }
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(OtherEngineTimeout);
            try
            {
                var engine = await GetDockerAsync(host, bound.Token).ConfigureAwait(false);
                results.Add((engine, await read(engine, bound.Token).ConfigureAwait(false)));
                _downUntil.TryRemove(host, out _);
            }
            catch (Exception e) when (e is DockerException or OperationCanceledException or IOException
                && !ct.IsCancellationRequested)
            {
                // Skip it for a while, so a lost host costs one bound, not one per call.
                _downUntil[host] = DateTime.UtcNow + TimeSpan.FromSeconds(15);
                sink.Warning($"Docker host {host} does not answer ({e.Message.Split('\n')[0]}); what it holds is left "
                    + "out.");
            }
        }
        return results;
    }

    /// <summary>How long a read waits for an engine other than the primary one before leaving it out.</summary>
    public TimeSpan OtherEngineTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The engine that holds a container (by name or id), and the container; null when no engine has
    /// it.</summary>
    public async Task<(DockerClient Docker, ContainerInfo Info)?> FindContainerAsync(string nameOrId,
        CancellationToken ct)
    {
        // A string that is no valid name and no full id names nothing; sent to Docker it could be a path ("../../etc").
        if (!NetworkOperations.IsValidName(nameOrId)
            && !(nameOrId?.Length == 64 && nameOrId.All(char.IsAsciiHexDigit))) return null;
        if (_containerHosts.TryGetValue(nameOrId, out var host))
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(OtherEngineTimeout);
            try
            {
                var d = await GetDockerAsync(host, bound.Token).ConfigureAwait(false);
                if (await d.InspectContainerAsync(nameOrId, bound.Token).ConfigureAwait(false) is { } hit
                    && IsExactly(hit, nameOrId)) return (d, hit);
            }
            catch (Exception e) when (e is DockerException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                throw Errors.DockerUnreachable(
                    $"'{nameOrId}' is on Docker host {host}, which does not answer.",
                    nameOrId, e);
            }
        }
        foreach (var (d, info) in await OnEveryEngineAsync((d, c) => d.InspectContainerAsync(nameOrId, c),
            NullSink.Instance, ct).ConfigureAwait(false))
        {
            if (info is null || !IsExactly(info, nameOrId)) continue;
            _containerHosts[nameOrId] = d.Endpoint.ToString();
            return (d, info);
        }
        return null;
    }

    /// <summary>
    /// Docker resolves a short id prefix too ("d6a3" finds the container whose id starts so): a node is
    /// found by its exact name, or by its full id, never by a prefix.
    /// </summary>
    public static bool IsExactly(ContainerInfo info, string nameOrId) =>
        string.Equals(info.Name, nameOrId.TrimStart('/'), StringComparison.Ordinal) ||
        (nameOrId.Length == 64 && string.Equals(info.Id, nameOrId, StringComparison.OrdinalIgnoreCase));

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

    /// <summary>A new connection to a node's published endpoint, over the path <see cref="Routes"/> chooses: the
    /// direct one falls back to the published port once when it fails (Auto).</summary>
    private async Task<RespConnection> DialAsync(string hostEndpoint, string dial, string? password,
        CancellationToken ct)
    {
        // TLS topologies: the server is checked against the topology's CA (not by name), so both paths verify.
        var options = await Tls.ApplyAsync(hostEndpoint, new RespConnectionOptions
        {
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
        catch (RedisConnectionException) when (dial != hostEndpoint && Routes.Mode == ConnectionRoute.Auto)
        {
            // A node still starting refuses both paths: only a published port that answers condemns the direct one.
            (host, port) = EndpointMap.Split(hostEndpoint);
            var published = await RespConnection.ConnectAsync(host, port, options, ct).ConfigureAwait(false);
            Routes.MarkUnroutable(hostEndpoint);
            return published;
        }
    }

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

    public override string ToString() => $"RedisDockerSession {Id} → {DockerHost}";

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        foreach (var c in _connections.Values.Concat(_retired)) c.Dispose();
        _connections.Clear();
        _docker?.Dispose();
        foreach (var c in _otherClients.Values) c.Dispose();
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

/// <summary>Keeps the default session(s) (<see cref="RedisDockerSession.Default"/>): the module keeps one per
/// PowerShell runspace.</summary>
public interface IDefaultSessionStore
{
    /// <summary>The default session of the caller's context, made on first use (and anew once disposed).</summary>
    RedisDockerSession Current { get; }

    /// <summary>Makes the session the caller's default one; disposes the one it replaces.</summary>
    void Set(RedisDockerSession session);
}
