namespace RedisDocker;

/// <summary>Which endpoints a cluster names to its clients (redirects, CLUSTER SLOTS).</summary>
public enum ClusterClientEndpoint
{
    /// <summary>The host address and published port (127.0.0.1:port): clients on the host, Docker Desktop
    /// included.</summary>
    Host,
    /// <summary>The container address: clients inside the Docker network.</summary>
    Container,
}

/// <summary>What Get-RedisConnectionString describes.</summary>
public enum ConnectionTarget { Cluster, SentinelGroup, Node }

/// <summary>
/// How a client on the host reaches the nodes: through the published ports (works everywhere, Docker's proxy in
/// the way) or straight to the container addresses (about twice the throughput, only where the host routes to
/// them: a Linux engine on this host; not Docker Desktop, not a remote engine).
/// </summary>
public enum ConnectionRoute : long
{
    /// <summary>Container addresses where this host routes to them (tried once per session), else published
    /// ports.</summary>
    Auto,
    /// <summary>The published ports (127.0.0.1:hostport, or the -HostAddress).</summary>
    Published,
    /// <summary>The container addresses (containerip:port).</summary>
    Direct,
}
