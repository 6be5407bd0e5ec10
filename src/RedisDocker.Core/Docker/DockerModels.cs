namespace RedisDocker.Core.Docker;

internal static class DockerEmpty
{
    public static readonly IReadOnlyDictionary<string, string> Map =
        new Dictionary<string, string>(StringComparer.Ordinal).AsReadOnly();
    public static IReadOnlyList<T> List<T>() => Array.Empty<T>();
}

/// <summary>A file to upload with <see cref="DockerClient.UploadFilesAsync"/>.</summary>
/// <param name="Name">File name relative to the target directory (may contain '/' for subfolders; no "..").</param>
/// <param name="Content">The file's bytes.</param>
/// <param name="Mode">Unix permission bits, default 0640.</param>
/// <param name="Uid">Owner user id.</param>
/// <param name="Gid">Owner group id.</param>
public sealed record ArchiveFile(string Name, byte[] Content, int Mode = 0b110_100_000, int Uid = 0, int Gid = 0);

/// <summary>What GET /version says about the engine.</summary>
public sealed record DockerVersion(string Version, string ApiVersion, string MinApiVersion, string Os, string Arch,
    string KernelVersion);

/// <summary>What to create with <see cref="DockerClient.CreateNetworkAsync"/>.</summary>
public sealed record NetworkCreateSpec
{
    /// <summary>The network's name.</summary>
    public required string Name { get; init; }
    /// <summary>The driver, "bridge" by default.</summary>
    public string Driver { get; init; } = "bridge";
    /// <summary>IPv4 subnet in CIDR form, e.g. 172.29.41.0/24; null lets the engine choose.</summary>
    public string? Subnet { get; init; }
    /// <summary>Gateway address within <see cref="Subnet"/>.</summary>
    public string? Gateway { get; init; }
    /// <summary>Sub-range of <see cref="Subnet"/> the engine allocates dynamic addresses from.</summary>
    public string? IPRange { get; init; }
    /// <summary>No external connectivity.</summary>
    public bool Internal { get; init; }
    /// <summary>Standalone containers may attach (swarm networks).</summary>
    public bool Attachable { get; init; }
    /// <summary>Labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = DockerEmpty.Map;
    /// <summary>Driver options.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = DockerEmpty.Map;
}

/// <summary>One IPAM configuration entry of a network.</summary>
public sealed record IpamSubnet(string? Subnet, string? Gateway, string? IPRange);

/// <summary>A container attached to a network, as the network reports it.</summary>
/// <param name="ContainerId">The container id.</param>
/// <param name="Name">The container name.</param>
/// <param name="IPv4Address">The address without its "/len" suffix (empty when none).</param>
/// <param name="MacAddress">The MAC address.</param>
public sealed record NetworkContainer(string ContainerId, string Name, string IPv4Address, string MacAddress);

/// <summary>An inspected network.</summary>
public sealed record DockerNetwork
{
    /// <summary>The network id.</summary>
    public required string Id { get; init; }
    /// <summary>The network name.</summary>
    public required string Name { get; init; }
    /// <summary>The driver.</summary>
    public string Driver { get; init; } = "";
    /// <summary>local, global or swarm.</summary>
    public string Scope { get; init; } = "";
    /// <summary>No external connectivity.</summary>
    public bool Internal { get; init; }
    /// <summary>Attachable.</summary>
    public bool Attachable { get; init; }
    /// <summary>IPAM configuration.</summary>
    public IReadOnlyList<IpamSubnet> Subnets { get; init; } = DockerEmpty.List<IpamSubnet>();
    /// <summary>Labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = DockerEmpty.Map;
    /// <summary>Driver options.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = DockerEmpty.Map;
    /// <summary>Attached containers.</summary>
    public IReadOnlyList<NetworkContainer> Containers { get; init; } = DockerEmpty.List<NetworkContainer>();
    /// <summary>Creation time.</summary>
    public DateTimeOffset Created { get; init; }
}

/// <summary>A port to publish.</summary>
/// <param name="ContainerPort">The port inside the container.</param>
/// <param name="Protocol">tcp, udp or sctp.</param>
/// <param name="HostIp">The host address to bind, 127.0.0.1 by default.</param>
/// <param name="HostPort">The host port; null lets the engine pick a free one.</param>
public sealed record PortBinding(int ContainerPort, string Protocol = "tcp", string HostIp = "127.0.0.1",
    int? HostPort = null);

/// <summary>A named volume mounted into a container (HostConfig.Mounts, type volume).</summary>
public sealed record VolumeMount(string VolumeName, string ContainerPath, bool ReadOnly = false);

/// <summary>What to create with <see cref="DockerClient.CreateContainerAsync"/>.</summary>
public sealed record ContainerCreateSpec
{
    /// <summary>The container name.</summary>
    public required string Name { get; init; }
    /// <summary>The image reference.</summary>
    public required string Image { get; init; }
    /// <summary>The command (argv); null keeps the image's.</summary>
    public IReadOnlyList<string>? Cmd { get; init; }
    /// <summary>The entrypoint (argv); null keeps the image's.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }
    /// <summary>Environment as NAME=value strings.</summary>
    public IReadOnlyList<string> Env { get; init; } = DockerEmpty.List<string>();
    /// <summary>Labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = DockerEmpty.Map;
    /// <summary>User (name, uid or uid:gid); null keeps the image's.</summary>
    public string? User { get; init; }
    /// <summary>Working directory; null keeps the image's.</summary>
    public string? WorkingDir { get; init; }
    /// <summary>Host name; null lets the engine use the short id.</summary>
    public string? Hostname { get; init; }
    /// <summary>Published ports (also exposed).</summary>
    public IReadOnlyList<PortBinding> Ports { get; init; } = DockerEmpty.List<PortBinding>();
    /// <summary>Named volume mounts.</summary>
    public IReadOnlyList<VolumeMount> Volumes { get; init; } = DockerEmpty.List<VolumeMount>();
    /// <summary>"host", "none", "bridge" or a network name; defaults to <see cref="Network"/> when that is
    /// set.</summary>
    public string? NetworkMode { get; init; }
    /// <summary>The user-defined network to attach at creation.</summary>
    public string? Network { get; init; }
    /// <summary>Static IPv4 address on <see cref="Network"/>.</summary>
    public string? IPv4Address { get; init; }
    /// <summary>DNS aliases on <see cref="Network"/>.</summary>
    public IReadOnlyList<string> NetworkAliases { get; init; } = DockerEmpty.List<string>();
    /// <summary>no, always, unless-stopped, on-failure or on-failure:N.</summary>
    public string RestartPolicy { get; init; } = "no";
    /// <summary>Seconds the engine waits after SIGTERM before SIGKILL; null keeps the default (10).</summary>
    public int? StopTimeoutSeconds { get; init; }
    /// <summary>Memory limit in bytes.</summary>
    public long? MemoryBytes { get; init; }
    /// <summary>Added capabilities.</summary>
    public IReadOnlyList<string> CapAdd { get; init; } = DockerEmpty.List<string>();
    /// <summary>Run the engine's init (docker-init) as PID 1.</summary>
    public bool Init { get; init; }
    /// <summary>Namespaced kernel parameters.</summary>
    public IReadOnlyDictionary<string, string> Sysctls { get; init; } = DockerEmpty.Map;
}

/// <summary>A container's run state.</summary>
public sealed record ContainerState(string Status, bool Running, bool Paused, bool Restarting, bool OOMKilled,
    bool Dead, int Pid,
    int ExitCode, string Error, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);

/// <summary>A container's endpoint on one network.</summary>
/// <param name="StaticAddress">The static IPv4 address asked for on this network (IPAMConfig), if any.</param>
public sealed record ContainerNetworkInfo(string NetworkId, string IPAddress, IReadOnlyList<string> Aliases,
    string Gateway, string MacAddress,
    string? StaticAddress = null)
{
    /// <summary>The static address the container was given (kept while it is stopped); empty when none.</summary>
    public string ConfiguredIPAddress => StaticAddress ?? "";
}

/// <summary>A port binding.</summary>
/// <param name="ContainerPort">The port inside the container.</param>
/// <param name="Protocol">tcp, udp or sctp.</param>
/// <param name="HostIp">The host address bound (may be empty for all).</param>
/// <param name="HostPort">The host port; 0 when the engine is to pick one (configured bindings only).</param>
public sealed record PublishedPort(int ContainerPort, string Protocol, string HostIp, int HostPort);

/// <summary>A mount of a container.</summary>
public sealed record MountInfo(string Type, string? Name, string Source, string Destination, bool ReadWrite = true);

/// <summary>An inspected container.</summary>
public sealed record ContainerInfo
{
    /// <summary>The container id.</summary>
    public required string Id { get; init; }
    /// <summary>The name without the leading '/'.</summary>
    public required string Name { get; init; }
    /// <summary>The image as configured (Config.Image).</summary>
    public string Image { get; init; } = "";
    /// <summary>The image id (sha256:...).</summary>
    public string ImageId { get; init; } = "";
    /// <summary>Labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = DockerEmpty.Map;
    /// <summary>Run state.</summary>
    public required ContainerState State { get; init; }
    /// <summary>Network endpoints by network name.</summary>
    public IReadOnlyDictionary<string, ContainerNetworkInfo> Networks { get; init; } =
        new Dictionary<string, ContainerNetworkInfo>().AsReadOnly();
    /// <summary>Ports published right now (NetworkSettings.Ports; empty while not running).</summary>
    public IReadOnlyList<PublishedPort> Ports { get; init; } = DockerEmpty.List<PublishedPort>();
    /// <summary>Port bindings as configured (HostConfig.PortBindings; HostPort 0 = engine picks).</summary>
    public IReadOnlyList<PublishedPort> PortBindings { get; init; } = DockerEmpty.List<PublishedPort>();
    /// <summary>HostConfig.NetworkMode.</summary>
    public string NetworkMode { get; init; } = "";
    /// <summary>Config.Cmd.</summary>
    public IReadOnlyList<string> Cmd { get; init; } = DockerEmpty.List<string>();
    /// <summary>Config.Entrypoint.</summary>
    public IReadOnlyList<string> Entrypoint { get; init; } = DockerEmpty.List<string>();
    /// <summary>Config.Env.</summary>
    public IReadOnlyList<string> Env { get; init; } = DockerEmpty.List<string>();
    /// <summary>Mounts.</summary>
    public IReadOnlyList<MountInfo> Mounts { get; init; } = DockerEmpty.List<MountInfo>();
    /// <summary>Config.Hostname.</summary>
    public string? Hostname { get; init; }
    /// <summary>Config.User (empty when the image default).</summary>
    public string? User { get; init; }
    /// <summary>HostConfig.RestartPolicy.Name.</summary>
    public string RestartPolicy { get; init; } = "";
    /// <summary>Creation time.</summary>
    public DateTimeOffset Created { get; init; }
    /// <summary>How often the engine restarted it.</summary>
    public int RestartCount { get; init; }
}

/// <summary>A container as listed by GET /containers/json.</summary>
public sealed record ContainerSummary
{
    /// <summary>The container id.</summary>
    public required string Id { get; init; }
    /// <summary>Names without the leading '/'.</summary>
    public IReadOnlyList<string> Names { get; init; } = DockerEmpty.List<string>();
    /// <summary>The image.</summary>
    public string Image { get; init; } = "";
    /// <summary>created, running, paused, restarting, removing, exited or dead.</summary>
    public string State { get; init; } = "";
    /// <summary>Human status, e.g. "Up 5 minutes".</summary>
    public string Status { get; init; } = "";
    /// <summary>Labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = DockerEmpty.Map;
    /// <summary>Creation time.</summary>
    public DateTimeOffset Created { get; init; }
}

/// <summary>The outcome of <see cref="DockerClient.ExecAsync"/>.</summary>
public sealed record ExecResult(int ExitCode, string Stdout, string Stderr);

/// <summary>The outcome of <see cref="DockerClient.WaitContainerAsync"/>.</summary>
public sealed record ContainerWaitResult(long StatusCode, string? Error);

/// <summary>A volume.</summary>
public sealed record DockerVolume(string Name, string Driver, string Mountpoint,
    IReadOnlyDictionary<string, string> Labels);

/// <summary>An inspected image.</summary>
public sealed record ImageInfo(string Id, IReadOnlyList<string> RepoTags, long Size,
    IReadOnlyDictionary<string, string> Labels, string? Os,
    string? Architecture);

/// <summary>One progress line of a pull.</summary>
public sealed record PullProgress(string? Id, string Status, long? Current, long? Total);
