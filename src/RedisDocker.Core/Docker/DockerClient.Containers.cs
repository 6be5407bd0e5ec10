using System.Globalization;
using System.Net;
using System.Text;
using M = global::Docker.DotNet.Models;

namespace RedisDocker.Core.Docker;

public sealed partial class DockerClient
{
    /// <summary>POST /containers/create?name=; returns the new container's id.</summary>
    public async Task<string> CreateContainerAsync(ContainerCreateSpec spec, CancellationToken ct = default)
    {
        var parameters = BuildCreateParameters(spec);
        var created = await CallAsync("POST", "/containers/create",
            t => _api.Containers.CreateContainerAsync(parameters, t), ct)
            .ConfigureAwait(false);
        return created.ID ?? "";
    }

    /// <summary>The create request for <paramref name="spec"/> (no TTY, no stdin, ports on the given host
    /// addresses).</summary>
    internal static M.CreateContainerParameters BuildCreateParameters(ContainerCreateSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrEmpty(spec.Name, nameof(spec));
        ArgumentException.ThrowIfNullOrEmpty(spec.Image, nameof(spec));
        if ((spec.IPv4Address is not null || spec.NetworkAliases.Count > 0) && string.IsNullOrEmpty(spec.Network))
        {
            throw new ArgumentException("IPv4Address and NetworkAliases need Network to be set.", nameof(spec));
        }

        var exposed = new Dictionary<string, M.EmptyStruct>(StringComparer.Ordinal);
        var bindings = new Dictionary<string, IList<M.PortBinding>>(StringComparer.Ordinal);
        foreach (var port in spec.Ports)
        {
            var protocol = string.IsNullOrEmpty(port.Protocol) ? "tcp" : port.Protocol.ToLowerInvariant();
            var key = $"{port.ContainerPort.ToString(CultureInfo.InvariantCulture)}/{protocol}";
            exposed[key] = default;
            if (!bindings.TryGetValue(key, out var list))
            {
                list = new List<M.PortBinding>();
                bindings[key] = list;
            }

            list.Add(new M.PortBinding
            {
                HostIP = port.HostIp ?? "",
                HostPort = port.HostPort is { } hp ? hp.ToString(CultureInfo.InvariantCulture) : "",
            });
        }

        var hostConfig = new M.HostConfig
        {
            PortBindings = bindings,
            Mounts = spec.Volumes.Select(v => new M.Mount
            {
                Type = "volume", Source = v.VolumeName, Target = v.ContainerPath, ReadOnly = v.ReadOnly,
            }).ToList(),
            RestartPolicy = ParseRestartPolicy(spec.RestartPolicy),
            NetworkMode = spec.NetworkMode ?? spec.Network ?? "",
        };
        if (spec.MemoryBytes is { } memory)
        {
            hostConfig.Memory = memory;
        }

        if (spec.CapAdd.Count > 0)
        {
            hostConfig.CapAdd = spec.CapAdd.ToList();
        }

        if (spec.Init)
        {
            hostConfig.Init = true;
        }

        if (spec.Sysctls.Count > 0)
        {
            hostConfig.Sysctls = new Dictionary<string, string>(spec.Sysctls, StringComparer.Ordinal);
        }

        var parameters = new M.CreateContainerParameters
        {
            Name = spec.Name,
            Image = spec.Image,
            Env = spec.Env.ToList(),
            Labels = new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal),
            ExposedPorts = exposed,
            Cmd = spec.Cmd?.ToList()!,
            Entrypoint = spec.Entrypoint?.ToList()!,
            User = spec.User ?? "",
            WorkingDir = spec.WorkingDir ?? "",
            Hostname = spec.Hostname ?? "",
            StopTimeout = spec.StopTimeoutSeconds is { } stop ? TimeSpan.FromSeconds(stop) : null,
            HostConfig = hostConfig,
        };
        if (!string.IsNullOrEmpty(spec.Network))
        {
            var endpoint = new M.EndpointSettings();
            if (!string.IsNullOrEmpty(spec.IPv4Address))
            {
                endpoint.IPAMConfig = new M.EndpointIPAMConfig { IPv4Address = spec.IPv4Address };
            }

            if (spec.NetworkAliases.Count > 0)
            {
                endpoint.Aliases = spec.NetworkAliases.ToList();
            }

            parameters.NetworkingConfig = new M.NetworkingConfig
            {
                EndpointsConfig = new Dictionary<string, M.EndpointSettings>(StringComparer.Ordinal)
                {
                    [spec.Network] = endpoint,
                },
            };
        }

        return parameters;
    }

    private static M.RestartPolicy ParseRestartPolicy(string? policy)
    {
        var p = string.IsNullOrWhiteSpace(policy) ? "no" : policy.Trim();
        var retries = 0;
        var colon = p.IndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(p[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out retries))
            {
                throw new ArgumentException($"The restart policy '{policy}' is not valid; use no, always, "
                    + $"unless-stopped, on-failure or on-failure:N.");
            }

            p = p[..colon];
        }

        var kind = p switch
        {
            "no" => M.RestartPolicyKind.Undefined, // "": the engine's default, as the Docker CLI sends it
            "always" => M.RestartPolicyKind.Always,
            "unless-stopped" => M.RestartPolicyKind.UnlessStopped,
            "on-failure" => M.RestartPolicyKind.OnFailure,
            _ => (M.RestartPolicyKind?)null,
        };
        if (kind is null || (retries > 0 && p != "on-failure"))
        {
            throw new ArgumentException($"The restart policy '{policy}' is not valid; use no, always, unless-stopped, "
                + $"on-failure or on-failure:N.");
        }

        return new M.RestartPolicy { Name = kind.Value, MaximumRetryCount = p == "on-failure" ? retries : 0 };
    }

    /// <summary>POST /containers/{id}/start; an already running container is fine.</summary>
    public Task StartContainerAsync(string id, CancellationToken ct = default) =>
        CallAsync("POST", $"/containers/{Req(id, nameof(id))}/start", t => _api.Containers.StartContainerAsync(id, null,
            t), ct);

    /// <summary>POST /containers/{id}/stop?t=; an already stopped container is fine.</summary>
    public Task StopContainerAsync(string id, int timeoutSeconds = 10, CancellationToken ct = default) =>
        CallAsync("POST", $"/containers/{Req(id, nameof(id))}/stop",
            t => _api.Containers.StopContainerAsync(id,
                new M.ContainerStopParameters { WaitBeforeKillSeconds = Seconds(timeoutSeconds) }, t),
            ct, StopBound(timeoutSeconds));

    /// <summary>POST /containers/{id}/restart?t=.</summary>
    public Task RestartContainerAsync(string id, int timeoutSeconds = 10, CancellationToken ct = default) =>
        CallAsync("POST", $"/containers/{Req(id, nameof(id))}/restart",
            t => _api.Containers.RestartContainerAsync(id,
                new M.ContainerRestartParameters { WaitBeforeKillSeconds = Seconds(timeoutSeconds) }, t),
            ct, StopBound(timeoutSeconds));

    /// <summary>POST /containers/{id}/kill?signal=.</summary>
    public Task KillContainerAsync(string id, string signal = "SIGKILL", CancellationToken ct = default) =>
        CallAsync("POST", $"/containers/{Req(id, nameof(id))}/kill",
            t => _api.Containers.KillContainerAsync(id, new M.ContainerKillParameters { Signal = signal }, t), ct);

    /// <summary>POST /containers/{id}/pause (freezes every process of the container: for drills and the
    /// bench).</summary>
    public Task PauseContainerAsync(string id, CancellationToken ct = default) =>
        CallAsync("POST", $"/containers/{Req(id, nameof(id))}/pause", t => _api.Containers.PauseContainerAsync(id, t),
            ct);

    /// <summary>POST /containers/{id}/unpause.</summary>
    public Task UnpauseContainerAsync(string id, CancellationToken ct = default) =>
        CallAsync("POST", $"/containers/{Req(id, nameof(id))}/unpause", t => _api.Containers.UnpauseContainerAsync(id,
            t), ct);

    /// <summary>DELETE /containers/{id}?force=&amp;v=; a container that does not exist is not an error.</summary>
    public async Task RemoveContainerAsync(string id, bool force = false, bool removeVolumes = false,
        CancellationToken ct = default)
    {
        try
        {
            await CallAsync("DELETE", $"/containers/{Req(id, nameof(id))}",
                t => _api.Containers.RemoveContainerAsync(id, new M.ContainerRemoveParameters { Force = force,
                    RemoveVolumes = removeVolumes }, t),
                ct).ConfigureAwait(false);
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            // already gone
        }
    }

    /// <summary>GET /containers/{id}/json; null when there is no such container.</summary>
    public async Task<ContainerInfo?> InspectContainerAsync(string idOrName, CancellationToken ct = default)
    {
        var c = await CallOrNullAsync("GET", $"/containers/{Req(idOrName, nameof(idOrName))}/json",
            t => _api.Containers.InspectContainerAsync(idOrName, t), ct).ConfigureAwait(false);
        return c is null ? null : ToContainerInfo(c);
    }

    /// <summary>
    /// GET /containers/{id}/top: the processes of a running container (ps run by the engine on its host, so it
    /// works for images without a shell), one dictionary per process keyed by the ps column titles.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> TopAsync(string idOrName,
        string psArgs = "-o pid,uid,gid,args",
        CancellationToken ct = default)
    {
        var top = await CallAsync("GET", $"/containers/{Req(idOrName, nameof(idOrName))}/top",
            t => _api.Containers.ListProcessesAsync(idOrName,
                new M.ContainerListProcessesParameters { PsArgs = psArgs }, t), ct)
            .ConfigureAwait(false);
        var titles = top.Titles?.ToArray() ?? [];
        return (top.Processes ?? []).Select(p =>
        {
            var row = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var cells = p?.ToArray() ?? [];
            for (var i = 0; i < titles.Length && i < cells.Length; i++) row[titles[i]] = cells[i] ?? "";
            return (IReadOnlyDictionary<string, string>)row;
        }).ToArray();
    }

    /// <summary>GET /containers/json, filtered by labels (all must match; a null value matches the key
    /// alone).</summary>
    public async Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(
        IReadOnlyDictionary<string, string?>? labels = null, bool all = true,
        CancellationToken ct = default)
    {
        var parameters = new M.ContainersListParameters { All = all, Filters = LabelFilter(labels) };
        var list = await CallAsync("GET", "/containers/json",
            t => _api.Containers.ListContainersAsync(parameters, t), ct).ConfigureAwait(false);
        return (list ?? []).Select(c => new ContainerSummary
        {
            Id = c.ID ?? "",
            Names = (c.Names ?? []).Select(n => n.TrimStart('/')).ToArray(),
            Image = c.Image ?? "",
            State = c.State ?? "",
            Status = c.Status ?? "",
            Labels = DockerMapping.Map(c.Labels),
            Created = DockerMapping.Offset(c.Created),
        }).ToArray();
    }

    /// <summary>
    /// GET /containers/{id}/logs with stdout and stderr, demultiplexed and concatenated in arrival order.
    /// <paramref name="tail"/> limits to the last lines (null: all).
    /// </summary>
    public async Task<string> GetLogsAsync(string id, int? tail = null, CancellationToken ct = default)
    {
        var path = $"/containers/{Req(id, nameof(id))}/logs";
        var parameters = new M.ContainerLogsParameters
        {
            ShowStdout = true,
            ShowStderr = true,
            Tail = tail is { } n ? Math.Max(0, n).ToString(CultureInfo.InvariantCulture) : "all",
        };
        using var stream = await CallAsync("GET", path,
            t => _api.Containers.GetContainerLogsAsync(id, parameters, t), ct).ConfigureAwait(false);
        return await ReadStreamAsync("GET", path, async () =>
        {
            using var combined = new MemoryStream();
            var buffer = new byte[81920];
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false);
                if (read.EOF)
                {
                    return Encoding.UTF8.GetString(combined.GetBuffer(), 0, (int)combined.Length);
                }

                combined.Write(buffer, 0, read.Count);
            }
        }, ct).ConfigureAwait(false);
    }

    /// <summary>POST /containers/{id}/wait; waits (with no time bound of its own) until the container is not
    /// running.</summary>
    public async Task<ContainerWaitResult> WaitContainerAsync(string id, string condition = "not-running",
        CancellationToken ct = default)
    {
        if (condition != "not-running")
        {
            throw new ArgumentException("Only the condition 'not-running' is supported.", nameof(condition));
        }

        var r = await CallAsync("POST", $"/containers/{Req(id, nameof(id))}/wait",
            t => _api.Containers.WaitContainerAsync(id, t), ct, Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        var error = r.Error?.Message;
        return new ContainerWaitResult(r.StatusCode, string.IsNullOrEmpty(error) ? null : error);
    }

    private TimeSpan StopBound(int timeoutSeconds) =>
        CallTimeout == Timeout.InfiniteTimeSpan ? CallTimeout : CallTimeout + TimeSpan.FromSeconds(Math.Max(0,
            timeoutSeconds));

    private static uint Seconds(int s) => (uint)Math.Max(0, s);

    internal static ContainerInfo ToContainerInfo(M.ContainerInspectResponse c)
    {
        var state = c.State;
        var config = c.Config;
        var hostConfig = c.HostConfig;
        var networks = new Dictionary<string, ContainerNetworkInfo>(StringComparer.Ordinal);
        foreach (var (name, n) in c.NetworkSettings?.Networks ?? new Dictionary<string, M.EndpointSettings>())
        {
            if (n is null) continue;
            var staticAddress = n.IPAMConfig?.IPv4Address;
            networks[name] = new ContainerNetworkInfo(n.NetworkID ?? "", n.IPAddress ?? "", (n.Aliases ?? []).ToArray(),
                n.Gateway ?? "",
                n.MacAddress ?? "", string.IsNullOrEmpty(staticAddress) ? null : staticAddress);
        }

        return new ContainerInfo
        {
            Id = c.ID ?? "",
            Name = (c.Name ?? "").TrimStart('/'),
            Image = config?.Image ?? "",
            ImageId = c.Image ?? "",
            Labels = DockerMapping.Map(config?.Labels),
            State = new ContainerState(state?.Status ?? "", state?.Running ?? false, state?.Paused ?? false,
                state?.Restarting ?? false,
                state?.OOMKilled ?? false, state?.Dead ?? false, DockerMapping.Int(state?.Pid ?? 0),
                    DockerMapping.Int(state?.ExitCode ?? 0),
                state?.Error ?? "", DockerMapping.ParseTime(state?.StartedAt),
                    DockerMapping.ParseTime(state?.FinishedAt)),
            Networks = networks.AsReadOnly(),
            Ports = ToPorts(c.NetworkSettings?.Ports),
            PortBindings = ToPorts(hostConfig?.PortBindings),
            NetworkMode = hostConfig?.NetworkMode ?? "",
            Cmd = (config?.Cmd ?? []).ToArray(),
            Entrypoint = (config?.Entrypoint ?? []).ToArray(),
            Env = (config?.Env ?? []).ToArray(),
            Mounts = (c.Mounts ?? []).Select(m => new MountInfo(m.Type ?? "", string.IsNullOrEmpty(m.Name) ? null
                : m.Name, m.Source ?? "",
                m.Destination ?? "", m.RW)).ToArray(),
            Hostname = string.IsNullOrEmpty(config?.Hostname) ? null : config.Hostname,
            User = config?.User,
            RestartPolicy = hostConfig?.RestartPolicy is { } rp ? RestartPolicyName(rp.Name) : "",
            Created = DockerMapping.Offset(c.Created),
            RestartCount = DockerMapping.Int(c.RestartCount),
        };
    }

    private static string RestartPolicyName(M.RestartPolicyKind kind) => kind switch
    {
        M.RestartPolicyKind.No => "no",
        M.RestartPolicyKind.Always => "always",
        M.RestartPolicyKind.OnFailure => "on-failure",
        M.RestartPolicyKind.UnlessStopped => "unless-stopped",
        _ => "",
    };

    /// <summary>{"6379/tcp": [{"HostIp": "127.0.0.1", "HostPort": "49153"}], "16379/tcp": null} to a flat list (unbound
    /// ports left out).</summary>
    private static PublishedPort[] ToPorts(IDictionary<string, IList<M.PortBinding>>? ports)
    {
        var list = new List<PublishedPort>();
        foreach (var (name, bindings) in ports ?? new Dictionary<string, IList<M.PortBinding>>())
        {
            var slash = name.IndexOf('/');
            var portText = slash < 0 ? name : name[..slash];
            var protocol = slash < 0 ? "tcp" : name[(slash + 1)..];
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var containerPort))
            {
                continue;
            }

            foreach (var b in bindings ?? [])
            {
                _ = int.TryParse(b?.HostPort, NumberStyles.None, CultureInfo.InvariantCulture, out var hostPort);
                list.Add(new PublishedPort(containerPort, protocol, b?.HostIP ?? "", hostPort));
            }
        }

        return list.ToArray();
    }
}
