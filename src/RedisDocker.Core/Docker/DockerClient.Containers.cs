using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RedisDocker.Core.Docker;

public sealed partial class DockerClient
{
    private static readonly HttpStatusCode[] AcceptNotModified = [HttpStatusCode.NotModified];
    private static readonly HttpStatusCode[] AcceptNotFound = [HttpStatusCode.NotFound];

    /// <summary>POST /containers/create?name=; returns the new container's id.</summary>
    public async Task<string> CreateContainerAsync(ContainerCreateSpec spec, CancellationToken ct = default)
    {
        using var doc = await SendJsonAsync(HttpMethod.Post, "/containers/create" + Query(("name", spec.Name)), BuildCreateBody(spec), ct)
            .ConfigureAwait(false);
        return doc.RootElement.Str("Id");
    }

    internal static JsonObject BuildCreateBody(ContainerCreateSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrEmpty(spec.Name, nameof(spec));
        ArgumentException.ThrowIfNullOrEmpty(spec.Image, nameof(spec));
        if ((spec.IPv4Address is not null || spec.NetworkAliases.Count > 0) && string.IsNullOrEmpty(spec.Network))
        {
            throw new ArgumentException("IPv4Address and NetworkAliases need Network to be set.", nameof(spec));
        }

        var exposed = new JsonObject();
        var bindings = new JsonObject();
        foreach (var port in spec.Ports)
        {
            var key = $"{port.ContainerPort.ToString(CultureInfo.InvariantCulture)}/{(string.IsNullOrEmpty(port.Protocol) ? "tcp" : port.Protocol.ToLowerInvariant())}";
            exposed[key] = new JsonObject();
            if (bindings[key] is not JsonArray list)
            {
                list = new JsonArray();
                bindings[key] = list;
            }

            list.Add(new JsonObject
            {
                ["HostIp"] = port.HostIp ?? "",
                ["HostPort"] = port.HostPort is { } hp ? hp.ToString(CultureInfo.InvariantCulture) : "",
            });
        }

        var mounts = new JsonArray();
        foreach (var v in spec.Volumes)
        {
            mounts.Add(new JsonObject
            {
                ["Type"] = "volume",
                ["Source"] = v.VolumeName,
                ["Target"] = v.ContainerPath,
                ["ReadOnly"] = v.ReadOnly,
            });
        }

        var hostConfig = new JsonObject
        {
            ["PortBindings"] = bindings,
            ["Mounts"] = mounts,
            ["RestartPolicy"] = ParseRestartPolicy(spec.RestartPolicy),
        };
        var networkMode = spec.NetworkMode ?? spec.Network;
        if (!string.IsNullOrEmpty(networkMode))
        {
            hostConfig["NetworkMode"] = networkMode;
        }

        if (spec.MemoryBytes is { } memory)
        {
            hostConfig["Memory"] = memory;
        }

        if (spec.CapAdd.Count > 0)
        {
            hostConfig["CapAdd"] = DockerJson.ToJsonArray(spec.CapAdd);
        }

        if (spec.Init)
        {
            hostConfig["Init"] = true;
        }

        if (spec.Sysctls.Count > 0)
        {
            hostConfig["Sysctls"] = DockerJson.ToJsonObject(spec.Sysctls);
        }

        var body = new JsonObject
        {
            ["Image"] = spec.Image,
            ["Env"] = DockerJson.ToJsonArray(spec.Env),
            ["Labels"] = DockerJson.ToJsonObject(spec.Labels),
            ["ExposedPorts"] = exposed,
            ["AttachStdin"] = false,
            ["AttachStdout"] = false,
            ["AttachStderr"] = false,
            ["Tty"] = false,
            ["OpenStdin"] = false,
            ["HostConfig"] = hostConfig,
        };
        if (spec.Cmd is not null)
        {
            body["Cmd"] = DockerJson.ToJsonArray(spec.Cmd);
        }

        if (spec.Entrypoint is not null)
        {
            body["Entrypoint"] = DockerJson.ToJsonArray(spec.Entrypoint);
        }

        if (spec.User is not null)
        {
            body["User"] = spec.User;
        }

        if (spec.WorkingDir is not null)
        {
            body["WorkingDir"] = spec.WorkingDir;
        }

        if (spec.Hostname is not null)
        {
            body["Hostname"] = spec.Hostname;
        }

        if (spec.StopTimeoutSeconds is { } stopTimeout)
        {
            body["StopTimeout"] = stopTimeout;
        }

        if (!string.IsNullOrEmpty(spec.Network))
        {
            var endpoint = new JsonObject();
            if (!string.IsNullOrEmpty(spec.IPv4Address))
            {
                endpoint["IPAMConfig"] = new JsonObject { ["IPv4Address"] = spec.IPv4Address };
            }

            if (spec.NetworkAliases.Count > 0)
            {
                endpoint["Aliases"] = DockerJson.ToJsonArray(spec.NetworkAliases);
            }

            body["NetworkingConfig"] = new JsonObject { ["EndpointsConfig"] = new JsonObject { [spec.Network] = endpoint } };
        }

        return body;
    }

    private static JsonObject ParseRestartPolicy(string? policy)
    {
        var p = string.IsNullOrWhiteSpace(policy) ? "no" : policy.Trim();
        var retries = 0;
        var colon = p.IndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(p[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out retries))
            {
                throw new ArgumentException($"The restart policy '{policy}' is not valid; use no, always, unless-stopped, on-failure or on-failure:N.");
            }

            p = p[..colon];
        }

        if (p is not ("no" or "always" or "unless-stopped" or "on-failure") || (retries > 0 && p != "on-failure"))
        {
            throw new ArgumentException($"The restart policy '{policy}' is not valid; use no, always, unless-stopped, on-failure or on-failure:N.");
        }

        var o = new JsonObject { ["Name"] = p == "no" ? "" : p };
        if (p == "on-failure")
        {
            o["MaximumRetryCount"] = retries;
        }

        return o;
    }

    /// <summary>POST /containers/{id}/start; an already running container is fine.</summary>
    public async Task StartContainerAsync(string id, CancellationToken ct = default) =>
        await RequestAsync(HttpMethod.Post, $"/containers/{Esc(id)}/start", null, AcceptNotModified, ct).ConfigureAwait(false);

    /// <summary>POST /containers/{id}/stop?t=; an already stopped container is fine.</summary>
    public async Task StopContainerAsync(string id, int timeoutSeconds = 10, CancellationToken ct = default) =>
        await RequestAsync(HttpMethod.Post, $"/containers/{Esc(id)}/stop" + Query(("t", Seconds(timeoutSeconds))), null, AcceptNotModified, ct,
            timeout: StopBound(timeoutSeconds)).ConfigureAwait(false);

    /// <summary>POST /containers/{id}/restart?t=.</summary>
    public async Task RestartContainerAsync(string id, int timeoutSeconds = 10, CancellationToken ct = default) =>
        await RequestAsync(HttpMethod.Post, $"/containers/{Esc(id)}/restart" + Query(("t", Seconds(timeoutSeconds))), null, null, ct,
            timeout: StopBound(timeoutSeconds)).ConfigureAwait(false);

    /// <summary>POST /containers/{id}/kill?signal=.</summary>
    public async Task KillContainerAsync(string id, string signal = "SIGKILL", CancellationToken ct = default) =>
        await RequestAsync(HttpMethod.Post, $"/containers/{Esc(id)}/kill" + Query(("signal", signal)), null, null, ct).ConfigureAwait(false);

    /// <summary>POST /containers/{id}/pause (freezes every process of the container: for drills and the bench).</summary>
    public async Task PauseContainerAsync(string id, CancellationToken ct = default) =>
        await RequestAsync(HttpMethod.Post, $"/containers/{Esc(id)}/pause", null, null, ct).ConfigureAwait(false);

    /// <summary>POST /containers/{id}/unpause.</summary>
    public async Task UnpauseContainerAsync(string id, CancellationToken ct = default) =>
        await RequestAsync(HttpMethod.Post, $"/containers/{Esc(id)}/unpause", null, null, ct).ConfigureAwait(false);

    /// <summary>DELETE /containers/{id}?force=&amp;v=; a container that does not exist is not an error.</summary>
    public async Task RemoveContainerAsync(string id, bool force = false, bool removeVolumes = false, CancellationToken ct = default) =>
        await RequestAsync(HttpMethod.Delete, $"/containers/{Esc(id)}" + Query(("force", Bool(force)), ("v", Bool(removeVolumes))), null,
            AcceptNotFound, ct).ConfigureAwait(false);

    /// <summary>GET /containers/{id}/json; null when there is no such container.</summary>
    public async Task<ContainerInfo?> InspectContainerAsync(string idOrName, CancellationToken ct = default)
    {
        using var doc = await GetJsonAsync($"/containers/{Esc(idOrName)}/json", versioned: true, ct, nullOn404: true).ConfigureAwait(false);
        return doc is null ? null : ParseContainer(doc.RootElement);
    }

    /// <summary>
    /// GET /containers/{id}/top: the processes of a running container (ps run by the engine on its host, so it
    /// works for images without a shell), one dictionary per process keyed by the ps column titles.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, string>>> TopAsync(string idOrName, string psArgs = "-o pid,uid,gid,args",
        CancellationToken ct = default)
    {
        using var doc = await GetJsonAsync($"/containers/{Esc(idOrName)}/top" + Query(("ps_args", psArgs)), versioned: true, ct).ConfigureAwait(false);
        var root = doc!.RootElement;
        var titles = root.Array("Titles").Select(t => t.GetString() ?? "").ToArray();
        return root.Array("Processes").Select(p =>
        {
            var cells = p.EnumerateArray().Select(c => c.GetString() ?? "").ToArray();
            var row = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < titles.Length && i < cells.Length; i++) row[titles[i]] = cells[i];
            return (IReadOnlyDictionary<string, string>)row;
        }).ToArray();
    }

    /// <summary>GET /containers/json, filtered by labels (all must match; a null value matches the key alone).</summary>
    public async Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(IReadOnlyDictionary<string, string?>? labels = null, bool all = true,
        CancellationToken ct = default)
    {
        using var doc = await GetJsonAsync("/containers/json" + Query(("all", Bool(all)), ("filters", LabelFilter(labels))), versioned: true, ct)
            .ConfigureAwait(false);
        if (doc!.RootElement.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return doc.RootElement.EnumerateArray().Select(c => new ContainerSummary
        {
            Id = c.Str("Id"),
            Names = c.Strings("Names").Select(n => n.TrimStart('/')).ToArray(),
            Image = c.Str("Image"),
            State = c.Str("State"),
            Status = c.Str("Status"),
            Labels = c.Map("Labels"),
            Created = c.UnixSeconds("Created"),
        }).ToArray();
    }

    /// <summary>
    /// GET /containers/{id}/logs with stdout and stderr, demultiplexed and concatenated in arrival order.
    /// <paramref name="tail"/> limits to the last lines (null: all).
    /// </summary>
    public async Task<string> GetLogsAsync(string id, int? tail = null, CancellationToken ct = default)
    {
        var path = $"/containers/{Esc(id)}/logs" + Query(("stdout", "true"), ("stderr", "true"),
            ("tail", tail is { } t ? Math.Max(0, t).ToString(CultureInfo.InvariantCulture) : "all"));
        using var response = await SendStreamingAsync(HttpMethod.Get, path, null, ct).ConfigureAwait(false);
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        bool? multiplexed = mediaType switch
        {
            "application/vnd.docker.multiplexed-stream" => true,
            "application/vnd.docker.raw-stream" when CompareApiVersions(ApiVersion, "1.42") >= 0 => false,
            _ => null, // older engines label both kinds raw-stream: sniff the framing
        };
        var output = await ReadStreamAsync(HttpMethod.Get, path, response,
            s => DemultiplexedOutput.ReadAsync(s, multiplexed, ct), ct).ConfigureAwait(false);
        return output.Combined;
    }

    /// <summary>POST /containers/{id}/wait?condition=; waits (with no time bound of its own) until the condition holds.</summary>
    public async Task<ContainerWaitResult> WaitContainerAsync(string id, string condition = "not-running", CancellationToken ct = default)
    {
        var path = $"/containers/{Esc(id)}/wait" + Query(("condition", condition));
        using var response = await SendStreamingAsync(HttpMethod.Post, path, null, ct, headerTimeout: Timeout.InfiniteTimeSpan).ConfigureAwait(false);
        var body = await ReadStreamAsync(HttpMethod.Post, path, response, async s =>
        {
            using var ms = new MemoryStream();
            await s.CopyToAsync(ms, ct).ConfigureAwait(false);
            return ms.ToArray();
        }, ct).ConfigureAwait(false);
        using var doc = ParseJson(body, "POST", path);
        var error = doc.RootElement.Member("Error") is { } e ? e.StrOrNull("Message") : null;
        return new ContainerWaitResult(doc.RootElement.Long("StatusCode"), string.IsNullOrEmpty(error) ? null : error);
    }

    private TimeSpan StopBound(int timeoutSeconds) =>
        CallTimeout == Timeout.InfiniteTimeSpan ? CallTimeout : CallTimeout + TimeSpan.FromSeconds(Math.Max(0, timeoutSeconds));

    private static string Seconds(int s) => Math.Max(0, s).ToString(CultureInfo.InvariantCulture);

    internal static ContainerInfo ParseContainer(JsonElement c)
    {
        var state = c.Member("State") ?? default;
        var config = c.Member("Config") ?? default;
        var hostConfig = c.Member("HostConfig") ?? default;
        var settings = c.Member("NetworkSettings") ?? default;

        var networks = new Dictionary<string, ContainerNetworkInfo>(StringComparer.Ordinal);
        foreach (var n in settings.Properties("Networks"))
        {
            networks[n.Name] = new ContainerNetworkInfo(n.Value.Str("NetworkID"), n.Value.Str("IPAddress"), n.Value.Strings("Aliases"),
                n.Value.Str("Gateway"), n.Value.Str("MacAddress"),
                n.Value.Member("IPAMConfig") is { ValueKind: JsonValueKind.Object } ipam ? ipam.StrOrNull("IPv4Address") : null);
        }

        return new ContainerInfo
        {
            Id = c.Str("Id"),
            Name = c.Str("Name").TrimStart('/'),
            Image = config.Str("Image"),
            ImageId = c.Str("Image"),
            Labels = config.Map("Labels"),
            State = new ContainerState(state.Str("Status"), state.Bool("Running"), state.Bool("Paused"), state.Bool("Restarting"),
                state.Bool("OOMKilled"), state.Bool("Dead"), state.Int("Pid"), state.Int("ExitCode"), state.Str("Error"),
                state.Time("StartedAt"), state.Time("FinishedAt")),
            Networks = networks.AsReadOnly(),
            Ports = ParsePorts(settings, "Ports"),
            PortBindings = ParsePorts(hostConfig, "PortBindings"),
            NetworkMode = hostConfig.Str("NetworkMode"),
            Cmd = config.Strings("Cmd"),
            Entrypoint = config.Strings("Entrypoint"),
            Env = config.Strings("Env"),
            Mounts = c.Array("Mounts").Select(m => new MountInfo(m.Str("Type"), m.StrOrNull("Name"), m.Str("Source"), m.Str("Destination"),
                m.Member("RW") is not { ValueKind: JsonValueKind.False })).ToArray(),
            Hostname = config.StrOrNull("Hostname"),
            User = config.StrOrNull("User"),
            RestartPolicy = (hostConfig.Member("RestartPolicy") ?? default).Str("Name"),
            Created = c.Time("Created") ?? default,
            RestartCount = c.Int("RestartCount"),
        };
    }

    /// <summary>{"6379/tcp": [{"HostIp": "127.0.0.1", "HostPort": "49153"}], "16379/tcp": null} to a flat list (unbound ports left out).</summary>
    private static PublishedPort[] ParsePorts(JsonElement parent, string name)
    {
        var list = new List<PublishedPort>();
        foreach (var p in parent.Properties(name))
        {
            var slash = p.Name.IndexOf('/');
            var portText = slash < 0 ? p.Name : p.Name[..slash];
            var protocol = slash < 0 ? "tcp" : p.Name[(slash + 1)..];
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var containerPort))
            {
                continue;
            }

            foreach (var b in p.Value.ValueKind == JsonValueKind.Array ? p.Value.EnumerateArray() : Enumerable.Empty<JsonElement>())
            {
                _ = int.TryParse(b.Str("HostPort"), NumberStyles.None, CultureInfo.InvariantCulture, out var hostPort);
                list.Add(new PublishedPort(containerPort, protocol, b.Str("HostIp"), hostPort));
            }
        }

        return list.ToArray();
    }
}
