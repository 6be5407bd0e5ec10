using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Node workflow: stop, start, restart, kill, remove; names for -Count.</summary>
public sealed partial class NodeOperations
{
    public async Task<RedisNode> StopAsync(string name, int timeoutSeconds, CancellationToken ct)
    {
        var (docker, info) = await RequireManagedAsync(name, ct).ConfigureAwait(false);
        _sink.Verbose(
            $"Stopping '{name}' (SIGTERM: Redis flushes its AOF and exits; killed after {timeoutSeconds} s).");
        await docker.StopContainerAsync(info.Id, timeoutSeconds, ct).ConfigureAwait(false);
        _session.Evict(ToRedisNode(info, RedisRole.Unknown, docker).HostEndpoint);
        return ToRedisNode((await docker.InspectContainerAsync(info.Id, ct).ConfigureAwait(false))!, RedisRole.Unknown,
            docker);
    }

    /// <param name="consultSentinels">Ask the topology's sentinels who is primary before starting (false when they are
    /// down too, as in Start-RedisTopology).</param>
    public async Task<RedisNode> StartAsync(string name, CancellationToken ct, bool consultSentinels = true)
    {
        var (docker, info) = await RequireManagedAsync(name, ct).ConfigureAwait(false);
        if (!info.State.Running && consultSentinels) await _sentinelStart.PrepareStartAsync(docker, info, ct)
            .ConfigureAwait(false);
        info = await EnsureOwnAddressAsync(docker, info, ct).ConfigureAwait(false);
        _sink.Verbose($"Starting '{name}'.");
        try { await docker.StartContainerAsync(info.Id, ct).ConfigureAwait(false); }
        catch (DockerApiException e) when (IsPortInUse(e)) { throw KeptHostPortTaken(info, e); }
        var password = await _session.GetPasswordAsync(info.Labels.Get(Labels.Topology) ?? "", ct)
            .ConfigureAwait(false);
        return await WaitReadyAsync(docker, info.Name, password, ct).ConfigureAwait(false);
    }

    public async Task<RedisNode> RestartAsync(string name, int timeoutSeconds, CancellationToken ct)
    {
        var (docker, info) = await RequireManagedAsync(name, ct).ConfigureAwait(false);
        _session.Evict(ToRedisNode(info, RedisRole.Unknown, docker).HostEndpoint);
        if (!info.State.Running)
        {
            // A stopped or crashed node: start it the safe way (it may be a former primary).
            return await StartAsync(name, ct).ConfigureAwait(false);
        }
        info = await EnsureOwnAddressAsync(docker, info, ct).ConfigureAwait(false);
        _sink.Verbose($"Restarting '{name}'.");
        try { await docker.RestartContainerAsync(info.Id, timeoutSeconds, ct).ConfigureAwait(false); }
        catch (DockerApiException e) when (IsPortInUse(e)) { throw KeptHostPortTaken(info, e); }
        var password = await _session.GetPasswordAsync(info.Labels.Get(Labels.Topology) ?? "", ct)
            .ConfigureAwait(false);
        return await WaitReadyAsync(docker, info.Name, password, ct).ConfigureAwait(false);
    }

    /// <summary>Kills the container at once (SIGKILL), as a crash would: for failover drills.</summary>
    public async Task KillAsync(string name, CancellationToken ct)
    {
        var (docker, info) = await RequireManagedAsync(name, ct).ConfigureAwait(false);
        _sink.Verbose($"Killing '{name}' (SIGKILL).");
        await docker.KillContainerAsync(info.Id, "SIGKILL", ct).ConfigureAwait(false);
        _session.Evict(ToRedisNode(info, RedisRole.Unknown, docker).HostEndpoint);
    }

    /// <summary>Removes the container and, unless kept, its data volume.</summary>
    /// <summary>Fails as RemoveAsync would when the node is not there (NodeNotFound): -WhatIf reports the same
    /// error.</summary>
    public async Task RequireAsync(string name, CancellationToken ct) => await RequireManagedAsync(name, ct)
        .ConfigureAwait(false);

    public async Task RemoveAsync(string name, bool removeVolume, CancellationToken ct)
    {
        var (docker, info) = await RequireManagedAsync(name, ct).ConfigureAwait(false);
        var node = ToRedisNode(info, RedisRole.Unknown, docker);
        _sink.Verbose($"Removing container '{name}'{(removeVolume ? $" and its volume '{node.DataVolume}'" : "")}.");
        await docker.RemoveContainerAsync(info.Id, force: true, removeVolumes: false, ct).ConfigureAwait(false);
        if (removeVolume && node.DataVolume is not null)
            await docker.RemoveVolumeAsync(node.DataVolume, force: true, ct).ConfigureAwait(false);
        _session.Evict(node.HostEndpoint);
        _session.EndpointMap.ForgetNode(name);
        // The last container of a topology is gone: a topology of the same name made later may have another password.
        var remaining = 0;
        foreach (var engine in await _session.GetAllDockerAsync(ct).ConfigureAwait(false))
            remaining += (await engine.ListContainersAsync(Labels.ForTopology(node.Topology), all: true, ct)
                .ConfigureAwait(false)).Count;
        if (remaining == 0) _session.ForgetPassword(node.Topology);
    }

    /// <summary>Names Prefix-1.. for -Count, skipping every container name already in use.</summary>
    public async Task<IReadOnlyList<string>> NextNamesAsync(string prefix, int count, CancellationToken ct)
    {
        NetworkOperations.ValidateName(prefix, "node name prefix");
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var docker in await _session.GetAllDockerAsync(ct).ConfigureAwait(false))
            taken.UnionWith((await docker.ListContainersAsync(null, all: true, ct).ConfigureAwait(false))
                .SelectMany(c => c.Names));
        return NodeNaming.Next(prefix, count, taken);
    }
}
