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
public sealed partial class RedisDockerSession : IAsyncDisposable, IDisposable
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
