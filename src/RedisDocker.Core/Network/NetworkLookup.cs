using RedisDocker.Core.Docker;

namespace RedisDocker.Core.Topology;

/// <summary>
/// Finds a network by name on the session's engines. Shared by node creation and the network workflows, so that
/// neither depends on the other (it was the Node&lt;-&gt;Network cycle).
/// </summary>
public sealed class NetworkLookup : Workflow
{
    internal NetworkLookup(RedisDockerSession session, IOperationSink sink)
        : base(session, sink)
    {
    }

    private static bool IsValidName(string? name) => NetworkOperations.IsValidName(name);

    /// <summary>The network by name, or a clear error when it is not there.</summary>
    public async Task<DockerNetwork> RequireAsync(string name, CancellationToken ct) =>
        (await FindAsync(name, ct).ConfigureAwait(false)).Network;

    /// <summary>The network by name on whichever engine of the session holds it (the primary engine first).</summary>
    public async Task<(DockerClient Docker, DockerNetwork Network)> FindAsync(string name, CancellationToken ct)
    {
        if (!IsValidName(name)) throw NetworkNotFound(name);
        foreach (var (docker, net) in await _session.OnEveryEngineAsync((d, c) => d.InspectNetworkAsync(name, c), _sink,
            ct).ConfigureAwait(false))
            if (net is not null) return (docker, net);
        return (await _session.GetDockerAsync(ct).ConfigureAwait(false),
            await RequireAsync(await _session.GetDockerAsync(ct).ConfigureAwait(false), name, ct)
                .ConfigureAwait(false));
    }

    /// <summary>The network by name on one engine, or a clear error naming it.</summary>
    public async Task<DockerNetwork> RequireAsync(DockerClient docker, string name, CancellationToken ct)
    {
        if (!IsValidName(name)) throw NetworkNotFound(name);
        return await docker.InspectNetworkAsync(name, ct).ConfigureAwait(false) ?? throw NetworkNotFound(name);
    }

    private static RedisDockerException NetworkNotFound(string name) =>
        Errors.NetworkNotFound(
            $"No Docker network named '{RedisConfigRenderer.Printable(name ?? "")}'. Create it with New-RedisNetwork, "
            + "or list them with Get-RedisNetwork.",
            name);
}
