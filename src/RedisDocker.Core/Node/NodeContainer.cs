using System.Net;
using System.Net.Sockets;
using System.Text;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Node workflow: one node's container (configuration, create, start, announce).</summary>
public sealed partial class NodeOperations
{
    /// <summary>
    /// Writes a node's configuration file into its container through the archive API (created, stopped
    /// or running). uid/gid 999: the official image runs redis as the 'redis' user, which must be able to
    /// rewrite the file (CONFIG REWRITE, Sentinel).
    /// </summary>
    internal static Task UploadConfigAsync(DockerClient docker, string container, string path, string text,
        CancellationToken ct) =>
        docker.UploadFilesAsync(container, RedisConfigRenderer.ConfigDirectory,
            new[] { new ArchiveFile(Path.GetFileName(path), Encoding.UTF8.GetBytes(text), Mode: 0b110_110_000,
                Uid: RedisUid, Gid: RedisUid) },
            ct, dirMode: 0b111_111_000, uid: RedisUid, gid: RedisUid);

    /// <summary>The uid and gid Redis and Sentinel run as: the official image's redis user.</summary>
    public const int RedisUid = 999;
    /// <summary>The container user of every node and sentinel.</summary>
    public const string RedisUser = "999:999";

    /// <summary>The host ports a host-network node listens on: its port, and the bus port for cluster nodes.</summary>
    private static IEnumerable<int> PortsOf(NodeSpec s) =>
        s.ClusterEnabled ? new[] { s.Port, s.BusPort ?? s.Port + 10000 } : new[] { s.Port };

    /// <summary>The redis.conf settings of a node (also rendered with placeholders to validate a spec before
    /// creation).</summary>
    internal static RedisServerConfig ServerConfigOf(NodeSpec s, string ip, string password) => new()
    {
        Port = s.Port,
        Password = password,
        AppendOnly = s.AppendOnly,
        ClusterEnabled = s.ClusterEnabled,
        ClusterNodeTimeoutMs = s.ClusterNodeTimeoutMs,
        AnnounceIp = ip,
        AnnounceBusPort = s.HostNetwork ? s.BusPort : null,
        BusPort = s.HostNetwork ? s.BusPort
            : s.ClusterEnabled && HostEndpoints.HasBusBelow(s.Port) ? HostEndpoints.BusPortOf(s.Port) : null,
        // On the host's network the node listens on its announce address (and loopback) only.
        Bind = s.HostNetwork ? $"{ip} 127.0.0.1" : null,
        MaxMemory = s.MaxMemory,
        MaxMemoryPolicy = s.MaxMemoryPolicy,
        ReplicaOf = s.ReplicaOf,
        Extra = s.Config,
        Tls = s.Tls,
    };

    private static string TopologyOf(DockerNetwork n) => n.Labels.Get(Labels.Topology) ?? n.Name;

    private async Task<RedisNode> CreateOneAsync(DockerClient docker, NodeSpec s, DockerNetwork? net, string topology,
        string ip, string password,
        int? pickedHostPort, bool admin, CancellationToken ct)
    {
        var image = s.Image ?? _session.DefaultImage;
        var volume = s.Name + "-data";
        var isSentinel = s.Sentinel is not null;
        var configPath = isSentinel ? RedisConfigRenderer.SentinelConfigPath : RedisConfigRenderer.RedisConfigPath;
        string Config() => isSentinel
            ? RedisConfigRenderer.Render(s.Sentinel!
                with { Password = password, AnnounceIp = ip, Port = s.Port, Bind = s.HostNetwork ? $"{ip} 127.0.0.1"
                    : null, Tls = s.Tls, AuthUser = admin ? Security.AclFile.AdminUser : null })
            : RedisConfigRenderer.Render(ServerConfigOf(s, ip, password)
                with { MasterUser = admin ? Security.AclFile.AdminUser : null });
        var config = Config();
        var labels = new Dictionary<string, string>(s.Labels)
        {
            [Labels.Managed] = "true",
            [Labels.Kind] = isSentinel ? Labels.KindSentinel : Labels.KindNode,
            [Labels.Topology] = topology,
            [Labels.Network] = net?.Name ?? "host",
            [Labels.DockerHost] = docker.Endpoint.ToString(),
            [Labels.Port] = s.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [Labels.ConfigPath] = configPath,
            [Labels.DataVolume] = volume,
            [Labels.Version] = ModuleInfo.Version,
        };
        if (s.ClusterEnabled) labels[Labels.ClusterEnabled] = "true";
        if (admin) labels[Labels.AdminUser] = Security.AclFile.AdminUser;
        if (s.Tls is not null) labels[Security.TlsFiles.Label] = s.Tls.AuthClientsValue;
        if (s.HostNetwork) { labels[Labels.HostNetwork] = "true"; labels[Labels.Announce] = ip; }
        else labels[Labels.Address] = ip;
        if (isSentinel) { labels[Labels.SentinelGroup] = s.Sentinel!.MasterName; labels[Labels.Role] = "sentinel"; }
        else if (!labels.ContainsKey(Labels.Role)) labels[Labels.Role] = s.ReplicaOf is null ? "primary" : "replica";

        var existingVolume = true;   // until known otherwise, never remove a volume that may have been there before
        try
        {
            existingVolume = (await docker.ListVolumesAsync(null, ct).ConfigureAwait(false)).Any(v => v.Name == volume);
            if (existingVolume)
                _sink.Verbose($"Reusing the existing volume '{volume}' (kept by Remove-RedisNode -KeepVolume): "
                    + $"'{s.Name}' finds its data again.");
            else
            {
                _sink.Verbose($"Creating volume '{volume}' for the data of '{s.Name}'.");
                await docker.CreateVolumeAsync(volume, new Dictionary<string, string>
                {
                    [Labels.Managed] = "true", [Labels.Kind] = Labels.KindVolume, [Labels.Topology] = topology,
                }, ct).ConfigureAwait(false);
            }

            var cmd = isSentinel
                ? new[] { "redis-server", configPath, "--sentinel" }
                : new[] { "redis-server", configPath };
            for (var attempt = 1; ; attempt++)
            {
                var hostPort = s.HostPort ?? pickedHostPort;
                if (hostPort is int chosen) labels[Labels.HostPort] =
                    chosen.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (s.HostNetwork)
                    _sink.Verbose($"Creating container '{s.Name}' from {image} in host network mode on "
                        + $"{docker.Endpoint}, listening on {ip}:{s.Port} (bus {s.BusPort ?? s.Port + 10000}).");
                else
                    _sink.Verbose($"Creating container '{s.Name}' from {image} on network '{net!.Name}' at {ip}, port "
                        + $"{s.Port} published on {s.HostIp}:{hostPort} (kept for the node's life).");
                await docker.CreateContainerAsync(new ContainerCreateSpec
                {
                    Name = s.Name,
                    Image = image,
                    Cmd = cmd,
                    Labels = labels,
                    Hostname = s.HostNetwork ? null : s.Name,
                    Ports = s.HostNetwork ? Array.Empty<PortBinding>()
                        : new[] { new PortBinding(s.Port, "tcp", s.HostIp, hostPort) },
                    Volumes = new[] { new VolumeMount(volume, "/data") },
                    NetworkMode = s.HostNetwork ? "host" : null,
                    Network = s.HostNetwork ? null : net!.Name,
                    IPv4Address = s.HostNetwork ? null : ip,
                    NetworkAliases = s.HostNetwork ? Array.Empty<string>() : new[] { s.Name },
                    StopTimeoutSeconds = 10,
                    // Redis runs as the unprivileged redis user (uid 999, as in the official image), never as root.
                    User = RedisUser,
                }, ct).ConfigureAwait(false);

                // Its data directory (the volume's root, whatever the image made it) belongs to that user.
                await docker.UploadFilesAsync(s.Name, "/data", Array.Empty<ArchiveFile>(), ct, dirMode: 0b111_101_000,
                    uid: RedisUid, gid: RedisUid)
                    .ConfigureAwait(false);
                _sink.Verbose($"Uploading {configPath} into '{s.Name}'.");
                await UploadConfigAsync(docker, s.Name, configPath, config, ct).ConfigureAwait(false);
                await Security.NodeTls.UploadAsync(_session, docker, s, topology, ip, ct).ConfigureAwait(false);
                await Security.NodeAcl.UploadAsync(_session, docker, s, topology, password, admin, ct)
                    .ConfigureAwait(false);

                _sink.Verbose($"Starting '{s.Name}'.");
                try { await docker.StartContainerAsync(s.Name, ct).ConfigureAwait(false); }
                catch (DockerApiException e) when (s.HostPort is int hp && IsPortInUse(e))
                {
                    throw HostPortTaken(s.HostIp, hp, e);
                }
                catch (DockerApiException e) when (s.HostPort is null && hostPort is not null && IsPortInUse(e)
                    && attempt < 5)
                {
                    // The port picked for it was taken meanwhile by another process: pick another one.
                    _sink.Verbose($"Host port {hostPort} was taken meanwhile; creating '{s.Name}' again on another "
                        + "one.");
                    await docker.RemoveContainerAsync(s.Name, force: true, removeVolumes: false, ct)
                        .ConfigureAwait(false);
                    var held = new List<TcpListener>();
                    pickedHostPort = (docker.Endpoint.IsLocal() ? HoldFreePort(s.HostIp, held) : null)
                        ?? RandomEphemeralPort(new int?[] { hostPort });
                    foreach (var l in held) l.Stop();
                    if (HostEndpoints.Applies(s) && pickedHostPort is int again)
                    {
                        // It listens on its host port number: the new port goes into its configuration too.
                        s = s with { Port = again };
                        labels[Labels.Port] = again.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        config = Config();
                    }
                    continue;
                }
                var readyNode = await WaitReadyAsync(docker, s.Name, password, ct).ConfigureAwait(false);
                if (!s.HostNetwork) await CheckPublishedAddressAsync(docker, s, ct).ConfigureAwait(false);
                if (HostEndpoints.Applies(s)) await AnnounceHostEndpointAsync(readyNode, password, ct)
                    .ConfigureAwait(false);
                return readyNode;
            }
        }
        catch (Exception)
        {
            // Leave nothing half-built: the container, then its volume. A request cancelled in flight may
            // still complete in the engine (and a container creates its missing volume), so remove whatever
            // exists by name, again after in-flight requests had time to land: after Ctrl+C (a request may have
            // been cut off in flight) for 3 s, as a loaded engine can take that long to act on it.
            using var cleanup = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            int[] pauses = ct.IsCancellationRequested ? [0, 500, 1000, 1500, 2000] : [0, 500];
            Exception? cleanupError = null;
            foreach (var pause in pauses)
            {
                // Each round on its own: a removal refused while the engine still creates the container (in flight
                // when the request was cut off) must not end the rounds that would remove it once it exists.
                try
                {
                    if (pause > 0) await Task.Delay(pause, cleanup.Token).ConfigureAwait(false);
                    // Docker resolves a name that is no container's as an id prefix: a name of hex digits only is
                    // removed by its exact match, any other name cannot be an id prefix.
                    if (!s.Name.All(char.IsAsciiHexDigitLower))
                        await docker.RemoveContainerAsync(s.Name, force: true, removeVolumes: false, cleanup.Token)
                            .ConfigureAwait(false);
                    else if (await docker.InspectContainerAsync(s.Name, cleanup.Token).ConfigureAwait(false) is { } own
                        && RedisDockerSession.IsExactly(own, s.Name))
                        await docker.RemoveContainerAsync(own.Id, force: true, removeVolumes: false, cleanup.Token)
                            .ConfigureAwait(false);
                    if (!existingVolume)
                        await docker.RemoveVolumeAsync(volume, force: true, cleanup.Token).ConfigureAwait(false);
                    cleanupError = null;
                }
                catch (Exception e)
                {
                    cleanupError = e;
                }
            }
            if (cleanupError is not null)
                _sink.Warning($"Could not clean up after the failed node '{s.Name}': {cleanupError.Message}. Remove "
                    + $"container '{s.Name}' and volume '{volume}' by hand.");
            else if (ct.IsCancellationRequested)
                _sink.Warning($"Stopped: removed the half-made node '{s.Name}' (container"
                    + $"{(existingVolume ? "" : $" and volume '{volume}'")}).");
            throw;
        }
    }

    /// <summary>
    /// Makes a cluster node name its host endpoint to clients: cluster-announce-hostname = the host address its
    /// port is published on, cluster-preferred-endpoint-type = hostname, kept by CONFIG REWRITE. Redis before
    /// 7.0 has neither setting: the node keeps announcing its container address (a warning says what works).
    /// </summary>
    private async Task AnnounceHostEndpointAsync(RedisNode node, string password, CancellationToken ct)
    {
        if (node.HostEndpoint is null) return;
        var host = EndpointMap.Split(node.HostEndpoint).Host;
        var info = await _session.SendAsync(node.HostEndpoint, password, new object[] { "INFO", "server" }, ct)
            .ConfigureAwait(false);
        var version = info.IsError ? null
            : RedisInfo.Parse(info.AsString() ?? "").GetValueOrDefault("redis_version");
        var why = HostEndpoints.Unsupported(version);
        if (why is null)
        {
            var set = await _session.SendAsync(node.HostEndpoint, password,
                new object[] { "CONFIG", "SET", "cluster-announce-hostname", host }, ct).ConfigureAwait(false);
            if (set.IsError) why = $"{set.Text}; Redis 7.0 or later is needed";
        }
        if (why is not null)
        {
            // The documented fallback (docs/host-clients.md): the node is made, naming its container address.
            _sink.Warning($"Node '{node.Name}' cannot announce its host endpoint {node.HostEndpoint}: {why}. "
                + "The module's cmdlets still reach the cluster from the host, but other clients on the host follow "
                + "redirects to container addresses, which only route on a Linux host (not on Docker Desktop). "
                + "Use an image with Redis >= 7.0 (e.g. redis:7.4) for host clients everywhere.");
            return;
        }
        _sink.Verbose($"Node '{node.Name}' announces {node.HostEndpoint} to clients (cluster-announce-hostname "
            + $"{host}).");
        await _session.SendAsync(node.HostEndpoint, password,
            new object[] { "CONFIG", "SET", "cluster-preferred-endpoint-type", "hostname" }, ct).ConfigureAwait(false);
        await _session.SendAsync(node.HostEndpoint, password, new object[] { "CONFIG", "REWRITE" }, ct)
            .ConfigureAwait(false);
    }

    /// <summary>The node's port is published where it was asked to be (Docker publishes an address it cannot use on
    /// every interface).</summary>
    private static async Task CheckPublishedAddressAsync(DockerClient docker, NodeSpec s, CancellationToken ct)
    {
        var info = await docker.InspectContainerAsync(s.Name, ct).ConfigureAwait(false) ?? throw NotFound(s.Name);
        var wanted = IPAddress.Parse(s.HostIp);
        var bound = info.Ports.Where(p => p.ContainerPort == s.Port && p.HostPort > 0).ToList();
        var stray = bound.FirstOrDefault(p => !(IPAddress.TryParse(p.HostIp is "" ? "0.0.0.0" : p.HostIp, out var a) &&
            (a.Equals(wanted) || (InputValidation.IsAnyAddress(s.HostIp)
                && InputValidation.IsAnyAddress(a.ToString())))));
        if (bound.Count == 0 || stray is not null)
            throw Errors.IPAddressInvalid(
                $"Docker published node '{s.Name}' on "
                    + $"{(stray is null ? "no address" : $"{stray.HostIp}:{stray.HostPort}")} instead of {s.HostIp}. "
                        + "Give -HostAddress with an address of this host.",
                s.Name);
    }
}
