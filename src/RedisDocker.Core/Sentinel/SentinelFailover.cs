using System.Diagnostics;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Sentinel;

namespace RedisDocker.Core.Topology;

/// <summary>Sentinel workflow: Invoke-RedisFailover on a sentinel-managed primary (coordinated, forced, or waited
/// for).</summary>
public sealed partial class SentinelOperations
{
    /// <summary>
    /// Coordinated failover (default): writes paused on the primary, replicas caught up, SENTINEL
    /// FAILOVER, the old primary turned into a replica before writes resume, then everyone agrees.
    /// With waitOnly: waits for the sentinels to promote after a primary loss.
    /// </summary>
    public Task<RedisFailoverResult> FailoverAsync(string? topology, string masterName, bool waitOnly, TimeSpan timeout,
        CancellationToken ct, bool force = false) =>
        FailoverAsync(topology, masterName, waitOnly, timeout, ct, force, expected: null);

    /// <summary>How long one CLIENT PAUSE of a coordinated failover lasts; renewed every third of it while the failover
    /// runs.</summary>
    public TimeSpan PauseLease { get; init; } = TimeSpan.FromSeconds(3);

    private async Task<RedisFailoverResult> FailoverAsync(string? topology, string masterName, bool waitOnly,
        TimeSpan timeout, CancellationToken ct, bool force,
        RedisNode? expected)
    {
        var sw = Stopwatch.StartNew();
        var sentinels = await GroupSentinelsAsync(topology, masterName, ct).ConfigureAwait(false);
        topology ??= sentinels[0].Topology;
        var password = await _session.GetPasswordAsync(topology, ct).ConfigureAwait(false);
        var before = await CurrentPrimaryAsync(sentinels, masterName, ct).ConfigureAwait(false)
            ?? throw Errors.NoSentinelAnswers(masterName);
        // refreshes the endpoint map
        await _quietNodes.GetAsync(new NodeFilter { Topology = topology }, ct).ConfigureAwait(false);
        _session.EndpointMap.TryTranslate(before, out var oldMapped);
        var oldName = oldMapped?.NodeName ?? before;

        if (waitOnly)
        {
            string? newEp = null;
            await Waiter.UntilAsync(_sink, $"Waiting for the sentinels of '{masterName}' to promote a replica", timeout,
                async c =>
            {
                var now = await CurrentPrimaryAsync(sentinels, masterName, c).ConfigureAwait(false);
                if (now is null) return (false, "no sentinel answers");
                if (!await AcceptsWritesAsync(now, password, c).ConfigureAwait(false)) return (false,
                    $"{now} does not accept writes yet");
                newEp = now;
                return (true, now);
            }, ct, ErrorIds.FailoverFailed, s =>
                $"The sentinels of '{masterName}' did not promote a working primary within {timeout.TotalSeconds:0} s "
                    + $"({s}). Check Get-RedisSentinel -MasterName {masterName} (quorum, flags).", pollMs: 50)
                        .ConfigureAwait(false);
            await WaitAgreementAsync(sentinels, masterName, newEp!, password, null, timeout, ct).ConfigureAwait(false);
            _session.EndpointMap.TryTranslate(newEp!, out var nm);
            return new RedisFailoverResult
            {
                Topology = topology, Kind = "Sentinel", Mode = "Automatic", OldPrimary = newEp == before ? null
                    : oldName,
                NewPrimary = nm?.NodeName ?? newEp!, NewPrimaryHostEndpoint = nm?.HostEndpoint, Duration = sw.Elapsed,
                Detail = newEp == before ? "the primary is healthy; nothing to fail over"
                    : "promoted by the sentinels after the primary was lost; writes not yet replicated may be lost",
            };
        }

        RespConnection? reachable = null;
        if (oldMapped is not null)
        {
            try
            {
                reachable = await _session.ConnectAsync(oldMapped.HostEndpoint, password, ct).ConfigureAwait(false);
                await reachable.ExecuteAsync(new object[] { "PING" }, ct).ConfigureAwait(false);
            }
            catch (RedisException)
            {
                _session.Evict(oldMapped.HostEndpoint);
                reachable = null;
            }
        }
        if (reachable is null)
        {
            if (!force)
                throw Errors.FailoverFailed(
                    $"The primary '{oldName}' does not answer, so a coordinated failover cannot run. Use -Force to "
                    + "have the sentinels promote a replica now (writes not yet replicated are lost), or -Wait to "
                    + "let them do it after down-after-milliseconds.",
                    masterName);
            return await ForcedFailoverAsync(sentinels, topology, masterName, before, oldName, password, timeout, sw,
                ct, expected).ConfigureAwait(false);
        }
        var askSentinel = sentinels.First(s => s.HostEndpoint is not null);
        var nodes = new SessionFailoverNodes(_session, reachable, oldMapped!.HostEndpoint, password)
        {
            WaitPromotable = c => WaitPromotableAsync(askSentinel, masterName, linkRequired: true, c),
            CurrentPrimary = c => CurrentPrimaryAsync(sentinels, masterName, c),
            WaitAgreement = (p, replicas, c) =>
                WaitAgreementAsync(sentinels, masterName, p, password, replicas, timeout, c),
        };
        var plan = new CoordinatedFailoverPlan
        {
            Topology = topology, MasterName = masterName, OldName = oldName, OldHostEndpoint = oldMapped.HostEndpoint,
            Before = before, SentinelName = askSentinel.Name, SentinelHostEndpoint = askSentinel.HostEndpoint!,
            Expected = expected, Timeout = timeout, LeaseMs = (long)PauseLease.TotalMilliseconds,
        };
        return await new CoordinatedFailover(nodes, _sink, plan).RunAsync(sw, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Coordinated failover to one chosen replica: the other replicas get replica-priority 0 until
    /// the sentinels have seen it, so the sentinels can only pick the chosen one; priorities are restored after.
    /// </summary>
    public async Task<RedisFailoverResult> FailoverToReplicaAsync(RedisNode replica, string masterName,
        TimeSpan timeout, CancellationToken ct, bool force = false)
    {
        var sentinels = await GroupSentinelsAsync(replica.Topology, masterName, ct).ConfigureAwait(false);
        var others = (await _nodes.GetAsync(new NodeFilter { Topology = replica.Topology, IncludeSentinels = false },
            ct).ConfigureAwait(false))
            .Where(n => n.Role == RedisRole.Replica && n.Name != replica.Name && n.HostEndpoint is not null).ToList();
        var saved = new Dictionary<string, string>();
        try
        {
            // The chosen replica must be one the sentinels may pick: replica-priority 0 (left by an earlier drill,
            // persisted by the sentinels' CONFIG REWRITE) would make them refuse it.
            var mine = await _session.ConnectAsync(replica, ct).ConfigureAwait(false);
            var myPriority = (await mine.SendAsync(new object[] { "CONFIG", "GET", "replica-priority" }, ct)
                .ConfigureAwait(false)).AsArray();
            if (myPriority.Count > 1 && myPriority[1].AsString() == "0")
            {
                _sink.Verbose($"{replica.Name}: CONFIG SET replica-priority 100 (it had 0, so the sentinels would "
                    + "never promote it).");
                (await mine.SendAsync(new object[] { "CONFIG", "SET", "replica-priority", "100" }, ct)
                    .ConfigureAwait(false)).ThrowIfError();
                (await mine.SendAsync(new object[] { "CONFIG", "REWRITE" }, ct).ConfigureAwait(false)).ThrowIfError();
            }
            foreach (var o in others)
            {
                var conn = await _session.ConnectAsync(o, ct).ConfigureAwait(false);
                var cur = (await conn.SendAsync(new object[] { "CONFIG", "GET", "replica-priority" }, ct)
                    .ConfigureAwait(false)).AsArray();
                saved[o.Name] = cur.Count > 1 ? cur[1].AsString() : "100";
                _sink.Verbose($"{o.Name}: CONFIG SET replica-priority 0 (only '{replica.Name}' may be promoted).");
                (await conn.SendAsync(new object[] { "CONFIG", "SET", "replica-priority", "0" }, ct)
                    .ConfigureAwait(false)).ThrowIfError();
            }
            if (others.Count > 0)
            {
                var otherEndpoints = others.Select(o => o.ContainerEndpoint).ToHashSet();
                await Waiter.UntilAsync(_sink, "Sentinels noticing the replica priorities", TimeSpan.FromSeconds(30),
                    async c =>
                {
                    foreach (var s in sentinels.Where(s => s.HostEndpoint is not null))
                    {
                        var conn = await _session.ConnectAsync(s, c).ConfigureAwait(false);
                        var reps = (await conn.SendAsync(new object[] { "SENTINEL", "REPLICAS", masterName }, c)
                            .ConfigureAwait(false)).AsArray().Select(ToMap);
                        if (reps.Any(r =>
                            otherEndpoints.Contains($"{r.GetValueOrDefault("ip")}:{r.GetValueOrDefault("port")}")
                                && r.GetValueOrDefault("slave-priority") != "0"))
                            return (false, $"{s.Name} has not seen the new priorities");
                    }
                    return (true, "seen");
                }, ct, ErrorIds.FailoverFailed, pollMs: 250).ConfigureAwait(false);
            }
            // With the primary down, no replica's link is up: a coordinated failover cannot run, and -Force needs no
            // link.
            var primaryDown = false;
            if (await CurrentPrimaryAsync(sentinels, masterName, ct).ConfigureAwait(false) is { } current
                && current != replica.ContainerEndpoint)
            {
                var pw = await _session.GetPasswordAsync(replica.Topology, ct).ConfigureAwait(false);
                primaryDown = !_session.EndpointMap.TryTranslate(current, out var cm)
                    || !await AnswersAsync(cm.HostEndpoint, pw, ct).ConfigureAwait(false);
                if (primaryDown && !force)
                    throw Errors.FailoverFailed(
                        $"The primary '{(cm?.NodeName ?? current)}' does not answer, so a coordinated failover to "
                        + $"'{replica.Name}' cannot run; nothing was changed. "
                        + $"Use Invoke-RedisFailover -Node {replica.Name} -Force to promote it now (writes not "
                        + "yet replicated are lost), or start the primary.",
                        replica.Name);
            }
            // A replica that just restarted or resynced is not yet one the sentinels may promote: wait until every
            // sentinel sees it linked and eligible, or say why not.
            await Waiter.UntilAsync(_sink, $"Sentinels seeing '{replica.Name}' as a replica they may promote",
                CandidateTimeout, async c =>
            {
                foreach (var s in sentinels.Where(s => s.HostEndpoint is not null))
                {
                    var conn = await _session.ConnectAsync(s, c).ConfigureAwait(false);
                    var reps = (await conn.SendAsync(new object[] { "SENTINEL", "REPLICAS", masterName }, c)
                        .ConfigureAwait(false)).AsArray().Select(ToMap);
                    var me = reps.FirstOrDefault(r =>
                        $"{r.GetValueOrDefault("ip")}:{r.GetValueOrDefault("port")}" == replica.ContainerEndpoint);
                    if (me is null) return (false, $"{s.Name} does not list it");
                    var why = CandidateProblem(me, linkRequired: !primaryDown);
                    if (why is not null) return (false, $"{s.Name}: {why}");
                }
                return (true, "eligible");
            }, ct, ErrorIds.FailoverFailed, st =>
                $"The sentinels of '{masterName}' do not see '{replica.Name}' as a replica they may promote " +
                $"within {CandidateTimeout.TotalSeconds:0} s ({st}); nothing was changed. Check Get-RedisReplication "
                    + $"{replica.Name} " +
                $"(link up, sync done), then run Invoke-RedisFailover -Node {replica.Name} again.", pollMs: 250)
                    .ConfigureAwait(false);
            return await FailoverAsync(replica.Topology, masterName, waitOnly: false, timeout, ct, force,
                expected: replica).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                try
                {
                    var o = others.First(x => x.Name == name);
                    using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                    var password = await _session.GetPasswordAsync(o.Topology, bound.Token).ConfigureAwait(false);
                    (await _session.SendAsync(o.HostEndpoint!, password,
                        new object[] { "CONFIG", "SET", "replica-priority", value }, bound.Token).ConfigureAwait(false))
                            .ThrowIfError();
                    // The sentinels' CONFIG REWRITE during the failover persisted priority 0: persist the restored
                    // value.
                    (await _session.SendAsync(o.HostEndpoint!, password, new object[] { "CONFIG", "REWRITE" },
                        bound.Token).ConfigureAwait(false)).ThrowIfError();
                }
                catch (Exception e) { _sink.Warning($"Could not restore replica-priority {value} on '{name}': "
                    + $"{e.Message}"); }
            }
        }
    }
}
