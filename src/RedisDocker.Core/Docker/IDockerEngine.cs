namespace RedisDocker.Core.Docker;

/// <summary>
/// The Docker engine operations the workflows use: the seam that lets a workflow's order and error paths be tested
/// with a fake engine (tests/RedisDocker.Core.Tests/Unit). <see cref="DockerClient"/> is the real one; signatures
/// and defaults are the same as its own.
/// </summary>
public interface IDockerEngine
{
    /// <summary>The engine's endpoint (where its published ports are reached).</summary>
    DockerEndpoint Endpoint { get; }

    /// <summary>GET /_ping: throws when the engine does not answer.</summary>
    Task PingAsync(CancellationToken ct = default);

    /// <summary>GET /containers/{id}/json; null when there is no such container.</summary>
    Task<ContainerInfo?> InspectContainerAsync(string idOrName, CancellationToken ct = default);

    /// <summary>GET /containers/json, filtered by labels (all must match; a null value matches the key
    /// alone).</summary>
    Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(IReadOnlyDictionary<string, string?>? labels = null,
        bool all = true,
        CancellationToken ct = default);

    /// <summary>GET /networks/{id}; null when there is no such network.</summary>
    Task<DockerNetwork?> InspectNetworkAsync(string idOrName, CancellationToken ct = default);

    /// <summary>
    /// The networks carrying all the given labels (key=value, or just the key when the value is null), each fully
    /// inspected
    /// (so <see cref="DockerNetwork.Containers"/> is filled). Without labels: all networks.
    /// </summary>
    Task<IReadOnlyList<DockerNetwork>> ListNetworksAsync(IReadOnlyDictionary<string, string?>? labels = null,
        CancellationToken ct = default);

    /// <summary>DELETE /containers/{id}?force=&amp;v=; a container that does not exist is not an error.</summary>
    Task RemoveContainerAsync(string id, bool force = false, bool removeVolumes = false,
        CancellationToken ct = default);

    /// <summary>DELETE /volumes/{name}; a volume that does not exist is not an error.</summary>
    Task RemoveVolumeAsync(string name, bool force = false, CancellationToken ct = default);

    /// <summary>GET /volumes, filtered by labels (all must match; a null value matches the key alone).</summary>
    Task<IReadOnlyList<DockerVolume>> ListVolumesAsync(IReadOnlyDictionary<string, string?>? labels = null,
        CancellationToken ct = default);

    /// <summary>
    /// The content of one file in the container (symbolic links followed), or null when the path does not exist.
    /// A directory raises <see cref="DockerException"/>.
    /// </summary>
    Task<byte[]?> ReadFileAsync(string container, string filePath, CancellationToken ct = default);

    /// <summary>POST /networks/{id}/disconnect.</summary>
    Task DisconnectNetworkAsync(string network, string container, bool force = false, CancellationToken ct = default);

    /// <summary>
    /// Uploads files into <paramref name="directory"/> (absolute): a tar (PAX) holding the directory entry and the
    /// files, extracted at "/".
    /// The directory is created when absent, and gets <paramref name="dirMode"/> (default 0750) and the owner
    /// <paramref name="uid"/>:<paramref name="gid"/> (default: the first file's owner, root without files) even when it
    /// exists.
    /// Missing ancestors are created by the engine (0755, root). Works on created, not yet started containers.
    /// </summary>
    Task UploadFilesAsync(string container, string directory, IReadOnlyList<ArchiveFile> files,
        CancellationToken ct = default,
        int dirMode = 0b111_101_000, int? uid = null, int? gid = null);

    /// <summary>POST /containers/{id}/start; an already running container is fine.</summary>
    Task StartContainerAsync(string id, CancellationToken ct = default);

    /// <summary>DELETE /networks/{id}; a network that does not exist is not an error.</summary>
    Task RemoveNetworkAsync(string idOrName, CancellationToken ct = default);

    /// <summary>GET /images/{name}/json; null when the image is not present locally.</summary>
    Task<ImageInfo?> InspectImageAsync(string name, CancellationToken ct = default);

    /// <summary>POST /networks/{id}/connect, optionally with a static IPv4 address and DNS aliases.</summary>
    Task ConnectNetworkAsync(string network, string container, string? ipv4Address = null,
        IReadOnlyList<string>? aliases = null,
        CancellationToken ct = default);

    /// <summary>POST /containers/{id}/stop?t=; an already stopped container is fine.</summary>
    Task StopContainerAsync(string id, int timeoutSeconds = 10, CancellationToken ct = default);

    /// <summary>POST /containers/{id}/restart?t=.</summary>
    Task RestartContainerAsync(string id, int timeoutSeconds = 10, CancellationToken ct = default);

    /// <summary>
    /// POST /images/create?fromImage=&amp;tag= (tag "latest" when the reference has none), reporting the engine's
    /// progress lines.
    /// An error line in the stream, or an error status, raises <see cref="DockerApiException"/> with the engine's
    /// message.
    /// Only the caller's token bounds the download.
    /// </summary>
    Task PullImageAsync(string image, IProgress<PullProgress>? progress = null, CancellationToken ct = default);

    /// <summary>GET /images/json: the repository:tag references of the local images (untagged ones left out).</summary>
    Task<IReadOnlyList<string>> ListImageTagsAsync(CancellationToken ct = default);

    /// <summary>POST /containers/{id}/kill?signal=.</summary>
    Task KillContainerAsync(string id, string signal = "SIGKILL", CancellationToken ct = default);

    /// <summary>
    /// GET /containers/{id}/logs with stdout and stderr, demultiplexed and concatenated in arrival order.
    /// <paramref name="tail"/> limits to the last lines (null: all).
    /// </summary>
    Task<string> GetLogsAsync(string id, int? tail = null, CancellationToken ct = default);

    /// <summary>POST /volumes/create with the local driver. Creating an existing volume succeeds (the engine keeps the
    /// old one).</summary>
    Task CreateVolumeAsync(string name, IReadOnlyDictionary<string, string>? labels = null,
        CancellationToken ct = default);

    /// <summary>
    /// POST /networks/create; returns the new network's id. A name already taken is refused with 409 Conflict on every
    /// engine: the library no longer sends CheckDuplicate (engines before API 1.44 then create a second network of that
    /// name), so the networks of that name are listed after the create, and a new one that is not the oldest of them is
    /// removed again and refused (one call more than a plain create; racing creates of one name keep the first).
    /// </summary>
    Task<string> CreateNetworkAsync(NetworkCreateSpec spec, CancellationToken ct = default);

    /// <summary>POST /containers/create?name=; returns the new container's id.</summary>
    Task<string> CreateContainerAsync(ContainerCreateSpec spec, CancellationToken ct = default);
}
