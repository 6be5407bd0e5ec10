using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Sentinel;

/// <summary>
/// <see cref="IFailoverNodes"/> over a session: the old primary's held connection, the session's cached
/// connections, and the sentinel group's waits (supplied by <see cref="Topology.SentinelOperations"/>).
/// </summary>
internal sealed class SessionFailoverNodes : IFailoverNodes
{
    private readonly RedisDockerSession _session;
    private readonly string _oldHost;
    private readonly string? _password;
    private readonly TopologySnapshot _snapshot;
    private RespConnection _old;

    public SessionFailoverNodes(RedisDockerSession session, RespConnection oldPrimary, string oldHost, string? password,
        TopologySnapshot snapshot)
    {
        _snapshot = snapshot;
        _session = session;
        _old = oldPrimary;
        _oldHost = oldHost;
        _password = password;
    }

    public required Func<CancellationToken, Task> WaitPromotable { get; init; }
    public required Func<CancellationToken, Task<string?>> CurrentPrimary { get; init; }
    public required Func<string, int, CancellationToken, Task> WaitAgreement { get; init; }

    public async Task<RespValue> SendToOldPrimaryAsync(object[] args, bool reconnectOnce, CancellationToken ct)
    {
        if (!reconnectOnce) return await _old.SendAsync(args, ct).ConfigureAwait(false);
        try { return await _old.SendAsync(args, ct).ConfigureAwait(false); }
        catch (RedisConnectionException)
        {
            _session.Evict(_oldHost);
            _old = await _session.ConnectAsync(_oldHost, _password, ct).ConfigureAwait(false);
            return await _old.SendAsync(args, ct).ConfigureAwait(false);
        }
    }

    public async Task<RespValue> SendAsync(string hostEndpoint, object[] args, bool reconnectOnce, CancellationToken ct)
    {
        if (reconnectOnce) return await _session.SendAsync(hostEndpoint, _password, args, ct).ConfigureAwait(false);
        var conn = await _session.ConnectAsync(hostEndpoint, _password, ct).ConfigureAwait(false);
        return await conn.SendAsync(args, ct).ConfigureAwait(false);
    }

    public Task WaitPromotableAsync(CancellationToken ct) => WaitPromotable(ct);

    public Task<string?> CurrentPrimaryAsync(CancellationToken ct) => CurrentPrimary(ct);

    public bool TryTranslate(string containerEndpoint, out EndpointMap.MappedEndpoint mapped) =>
        _snapshot.TryTranslate(containerEndpoint, out mapped);

    public Task WaitAgreementAsync(string newPrimary, int replicas, CancellationToken ct) =>
        WaitAgreement(newPrimary, replicas, ct);

    public Task DelayAsync(TimeSpan delay, CancellationToken ct) => Task.Delay(delay, ct);
}
