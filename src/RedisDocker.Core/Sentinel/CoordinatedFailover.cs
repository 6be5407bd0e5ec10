using System.Diagnostics;
using System.Globalization;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;

namespace RedisDocker.Core.Sentinel;

/// <summary>
/// What a coordinated Sentinel failover needs from the outside: commands to the old primary and to nodes by their
/// published endpoint, the sentinels' view, and a delay. Production: <see cref="SessionFailoverNodes"/>; unit tests
/// use a fake that records every command.
/// </summary>
internal interface IFailoverNodes
{
    /// <summary>
    /// Sends to the old primary over the connection the failover holds. With <paramref name="reconnectOnce"/>, a
    /// connection Sentinel killed (it kills normal clients of the instances it reconfigures) is replaced once.
    /// </summary>
    Task<RespValue> SendToOldPrimaryAsync(object[] args, bool reconnectOnce, CancellationToken ct);

    /// <summary>
    /// Sends to a published endpoint over the session's cached connection; with <paramref name="reconnectOnce"/>
    /// a closed connection is replaced once.
    /// </summary>
    Task<RespValue> SendAsync(string hostEndpoint, object[] args, bool reconnectOnce, CancellationToken ct);

    /// <summary>
    /// Waits until the asked sentinel lists a replica it may promote (fails early when none is coming).
    /// </summary>
    Task WaitPromotableAsync(CancellationToken ct);

    /// <summary>The primary the sentinels report (container endpoint), or null when none answers.</summary>
    Task<string?> CurrentPrimaryAsync(CancellationToken ct);

    /// <summary>The node behind a container endpoint (the session's endpoint map).</summary>
    bool TryTranslate(string containerEndpoint, out EndpointMap.MappedEndpoint mapped);

    /// <summary>Waits until every sentinel and <paramref name="replicas"/> replicas agree on the new primary.</summary>
    Task WaitAgreementAsync(string newPrimary, int replicas, CancellationToken ct);

    /// <summary>The pause between two renewals of the write pause.</summary>
    Task DelayAsync(TimeSpan delay, CancellationToken ct);
}

/// <summary>Who takes part in one coordinated failover.</summary>
internal sealed record CoordinatedFailoverPlan
{
    public required string Topology { get; init; }
    public required string MasterName { get; init; }
    /// <summary>The old primary's node name.</summary>
    public required string OldName { get; init; }
    /// <summary>The old primary's published endpoint (for the lease renewals).</summary>
    public required string OldHostEndpoint { get; init; }
    /// <summary>The primary's container endpoint the sentinels reported before the failover.</summary>
    public required string Before { get; init; }
    /// <summary>The sentinel asked for SENTINEL FAILOVER.</summary>
    public required string SentinelName { get; init; }
    public required string SentinelHostEndpoint { get; init; }
    /// <summary>The replica that must be promoted (Invoke-RedisFailover -Node), or null for any.</summary>
    public RedisNode? Expected { get; init; }
    public required TimeSpan Timeout { get; init; }
    /// <summary>How long one CLIENT PAUSE lasts; renewed every third of it.</summary>
    public required long LeaseMs { get; init; }
    /// <summary>How long the replicas may take to catch up with the paused primary.</summary>
    public TimeSpan CatchUpTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// The coordinated failover of a reachable primary: writes paused on it (on a renewed lease), replicas caught up,
/// SENTINEL FAILOVER, the promoted replica confirmed, the old primary demoted, writes unpaused (always, also when a
/// step fails), then everyone agrees and the new primary's offset is checked against the paused one.
/// </summary>
internal sealed class CoordinatedFailover
{
    private readonly IFailoverNodes _nodes;
    private readonly IOperationSink _sink;
    private readonly CoordinatedFailoverPlan _plan;

    public CoordinatedFailover(IFailoverNodes nodes, IOperationSink sink, CoordinatedFailoverPlan plan)
    {
        _nodes = nodes;
        _sink = sink;
        _plan = plan;
    }

    private Task<RespValue> OnOld(object[] args, CancellationToken c) => _nodes.SendToOldPrimaryAsync(args, true, c);

    public async Task<RedisFailoverResult> RunAsync(Stopwatch sw, CancellationToken ct)
    {
        var (masterName, oldName) = (_plan.MasterName, _plan.OldName);
        // Right after a failover or a restart the sentinels have no fresh view of the replicas yet (NOGOODSLAVE):
        // wait for one they may promote before pausing writes.
        await _nodes.WaitPromotableAsync(ct).ConfigureAwait(false);
        var oldInfo = RedisInfo.Parse((await _nodes
            .SendToOldPrimaryAsync(new object[] { "INFO", "replication" }, false, ct)
            .ConfigureAwait(false)).ThrowIfError().AsString());
        if (int.Parse(oldInfo.GetValueOrDefault("connected_slaves", "0"), CultureInfo.InvariantCulture) == 0)
            throw Errors.FailoverFailed(
                $"Primary '{oldName}' has no connected replica to fail over to; nothing was changed. "
                + $"Start-RedisNode <stopped replica>, wait until Get-RedisReplication shows it linked, "
                + $"then run Invoke-RedisFailover -SentinelGroup {masterName} again.",
                oldName);

        long pausedOffset;
        string newPrimary;
        // Writes wait on a short lease, renewed while this failover runs: if the caller dies (SIGKILL, a lost host),
        // the primary takes writes again within PauseLease, never after a minute-long pause.
        var leaseMs = _plan.LeaseMs;
        _sink.Verbose($"{oldName}: CLIENT PAUSE {leaseMs} WRITE, renewed every {leaseMs / 3} ms while the failover "
            + "runs (writes wait while the replicas catch up).");
        (await _nodes.SendToOldPrimaryAsync(new object[] { "CLIENT", "PAUSE", leaseMs, "WRITE" }, false, ct)
            .ConfigureAwait(false)).ThrowIfError();
        using var leaseStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var lease = RenewPauseAsync(leaseMs, leaseStop.Token);
        try
        {
            pausedOffset = await WaitCaughtUpAsync(ct).ConfigureAwait(false);
            await AskSentinelAsync(ct).ConfigureAwait(false);
            newPrimary = await WaitPromotedAsync(ct).ConfigureAwait(false);

            // Demote the old primary before its paused writers resume: they then get READONLY instead of a write
            // that would be lost.
            var (nip, nport) = EndpointMap.Split(newPrimary);
            _sink.Verbose($"{oldName}: REPLICAOF {nip} {nport}, CONFIG REWRITE.");
            (await OnOld(new object[] { "REPLICAOF", nip, nport }, ct).ConfigureAwait(false)).ThrowIfError();
            await OnOld(new object[] { "CONFIG", "REWRITE" }, ct).ConfigureAwait(false);
        }
        finally
        {
            leaseStop.Cancel();
            await lease.ConfigureAwait(false);
            try
            {
                using var unpause = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await OnOld(new object[] { "CLIENT", "UNPAUSE" }, unpause.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _sink.Warning($"Could not unpause '{oldName}' ({e.Message}); its pause ends by itself within "
                    + $"{leaseMs / 1000.0:0.#} s.");
            }
        }
        return await VerifyAsync(newPrimary, pausedOffset, oldInfo, sw, ct).ConfigureAwait(false);
    }

    private async Task RenewPauseAsync(long leaseMs, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _nodes.DelayAsync(TimeSpan.FromMilliseconds(leaseMs / 3), stop).ConfigureAwait(false);
                var renew = new object[] { "CLIENT", "PAUSE", leaseMs, "WRITE" };
                var r = await _nodes.SendAsync(_plan.OldHostEndpoint, renew, true, stop).ConfigureAwait(false);
                if (r.IsError) _sink.Verbose($"Renewing the write pause failed: {r.Text}");
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }   // the session is gone: the lease runs out by itself
            catch (Exception e) when (e is RedisException or IOException)
            {
                _sink.Verbose($"Renewing the write pause failed: {e.Message}");
            }
        }
    }

    /// <summary>Polls the paused primary until every online replica has its offset; returns that offset.</summary>
    private async Task<long> WaitCaughtUpAsync(CancellationToken ct)
    {
        long pausedOffset = 0;
        await Waiter.UntilAsync(_sink, "Replicas catching up with the primary", _plan.CatchUpTimeout, async c =>
        {
            var info = RedisInfo.Parse((await OnOld(new object[] { "INFO", "replication" }, c).ConfigureAwait(false))
                .AsString());
            pausedOffset = long.Parse(info.GetValueOrDefault("master_repl_offset", "0"), CultureInfo.InvariantCulture);
            var behind = new List<string>();
            foreach (var f in ReplicationOperations.ReplicaLines(info))
            {
                if (f.GetValueOrDefault("state") == "online"
                    && long.Parse(f.GetValueOrDefault("offset", "0"), CultureInfo.InvariantCulture) < pausedOffset)
                    behind.Add($"{f.GetValueOrDefault("ip")} at {f.GetValueOrDefault("offset")}");
            }
            return (behind.Count == 0,
                behind.Count == 0 ? "caught up" : $"primary at {pausedOffset}; behind: {string.Join(", ", behind)}");
        }, ct, ErrorIds.FailoverFailed).ConfigureAwait(false);
        return pausedOffset;
    }

    private async Task AskSentinelAsync(CancellationToken ct)
    {
        var masterName = _plan.MasterName;
        _sink.Verbose($"{_plan.SentinelName}: SENTINEL FAILOVER {masterName}");
        var fr = await _nodes.SendAsync(_plan.SentinelHostEndpoint, new object[] { "SENTINEL", "FAILOVER", masterName },
            false, ct).ConfigureAwait(false);
        if (fr.IsError && (fr.Text ?? "").Contains("NOGOODSLAVE", StringComparison.Ordinal))
            throw SentinelOperations.NoGoodReplica(masterName, fr.Text);
        if (fr.IsError)
            throw Errors.FailoverFailed(
                $"The sentinels refused the failover: {fr.Text}. "
                + $"Check Get-RedisSentinel -MasterName {masterName}, "
                + $"then run Invoke-RedisFailover -SentinelGroup {masterName} again.",
                masterName);
    }

    /// <summary>Polls the sentinels until they report a new primary that answers ROLE as primary.</summary>
    private async Task<string> WaitPromotedAsync(CancellationToken ct)
    {
        var expected = _plan.Expected;
        string? promoted = null;
        await Waiter.UntilAsync(_sink, $"Sentinels promoting a replica of '{_plan.OldName}'", _plan.Timeout, async c =>
        {
            var now = await _nodes.CurrentPrimaryAsync(c).ConfigureAwait(false);
            if (now is null || now == _plan.Before) return (false, "not promoted yet");
            if (!_nodes.TryTranslate(now, out var m)) return (false, $"{now} is unknown");
            if (expected is not null && now != expected.ContainerEndpoint)
                throw Errors.FailoverFailed(
                    $"The sentinels promoted '{m.NodeName}' instead of '{expected.Name}'. '{m.NodeName}' is "
                    + "the primary now; "
                    + $"run Invoke-RedisFailover -Node {expected.Name} again to move the primary to "
                    + $"'{expected.Name}'.",
                    expected.Name);
            var (role, _) = NodeOperations.ParseRole(
                await _nodes.SendAsync(m.HostEndpoint, new object[] { "ROLE" }, false, c).ConfigureAwait(false));
            if (role != RedisRole.Primary) return (false, $"{m.NodeName} is still {role}");
            promoted = now;
            return (true, m.NodeName);
        }, ct, ErrorIds.FailoverFailed, pollMs: 50).ConfigureAwait(false);
        return promoted!;
    }

    /// <summary>
    /// Everyone agreeing, then a WAIT-based check: the promoted replica had the primary's offset when writes were
    /// paused.
    /// </summary>
    private async Task<RedisFailoverResult> VerifyAsync(string newPrimary, long pausedOffset,
        IReadOnlyDictionary<string, string> oldInfo, Stopwatch sw, CancellationToken ct)
    {
        _nodes.TryTranslate(newPrimary, out var newMapped);
        await _nodes.WaitAgreementAsync(newPrimary,
            int.Parse(oldInfo.GetValueOrDefault("connected_slaves", "0"), CultureInfo.InvariantCulture), ct)
            .ConfigureAwait(false);

        var ni = RedisInfo.Parse((await _nodes.SendAsync(newMapped!.HostEndpoint,
            new object[] { "INFO", "replication" }, false, ct).ConfigureAwait(false)).AsString());
        var switchedAt = long.Parse(ni.GetValueOrDefault("second_repl_offset", "-1"), CultureInfo.InvariantCulture) - 1;
        long? lost = switchedAt >= pausedOffset ? 0 : null;
        return new RedisFailoverResult
        {
            Topology = _plan.Topology,
            Kind = "Sentinel",
            Mode = "Coordinated",
            OldPrimary = _plan.OldName,
            NewPrimary = newMapped.NodeName,
            NewPrimaryHostEndpoint = newMapped.HostEndpoint,
            Duration = sw.Elapsed,
            LostWrites = lost,
            Detail = lost == 0
                ? $"the new primary took over at offset {switchedAt}, at or past the paused primary's {pausedOffset}"
                : $"the new primary took over at offset {switchedAt}, before the paused primary's {pausedOffset}",
        };
    }
}
