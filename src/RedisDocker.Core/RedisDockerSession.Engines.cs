using System.Collections.Concurrent;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;

namespace RedisDocker.Core;

/// <summary>The session's engines: the primary one, the others added with Connect-RedisDocker -Add, the fan-out
/// over all of them (an engine that does not answer is skipped for a while), and containers found on any of them.
/// </summary>
public sealed partial class RedisDockerSession
{
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
}
