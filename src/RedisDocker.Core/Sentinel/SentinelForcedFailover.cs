using System.Diagnostics;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Sentinel workflow: SENTINEL FAILOVER without pausing an unreachable primary.</summary>
public sealed partial class SentinelOperations
{
    /// <summary>SENTINEL FAILOVER without pausing the (unreachable) primary: the sentinels pick and promote a replica
    /// now.</summary>
    private async Task<RedisFailoverResult> ForcedFailoverAsync(IReadOnlyList<RedisNode> sentinels, string topology,
        string masterName, string before,
        string oldName, string? password, TimeSpan timeout, Stopwatch sw, CancellationToken ct, RedisNode? expected)
    {
        var ask = sentinels.First(s => s.HostEndpoint is not null);
        await WaitPromotableAsync(ask, masterName, linkRequired: false, ct).ConfigureAwait(false);
        _sink.Verbose($"{ask.Name}: SENTINEL FAILOVER {masterName} (forced: '{oldName}' does not answer).");
        // A failover the sentinels still run (from an earlier drill) answers INPROG: wait for it to end, then ask
        // again.
        await Waiter.UntilAsync(_sink, $"Sentinels accepting a failover of '{masterName}'", timeout, async c =>
        {
            var r = await _session.SendAsync(ask.HostEndpoint!, password,
                new object[] { "SENTINEL", "FAILOVER", masterName }, c).ConfigureAwait(false);
            if (!r.IsError) return (true, "accepted");
            if ((r.Text ?? "").Contains("INPROG", StringComparison.Ordinal)) return (false,
                "a failover is still in progress");
            if ((r.Text ?? "").Contains("NOGOODSLAVE", StringComparison.Ordinal))
                throw NoGoodReplica(masterName, r.Text);
            throw Errors.FailoverFailed(
                $"The sentinels refused the failover: {r.Text}. "
                + $"Check Get-RedisSentinel -MasterName {masterName}, "
                + $"then run Invoke-RedisFailover -SentinelGroup {masterName} -Force again.",
                masterName);
        }, ct, ErrorIds.FailoverFailed, s =>
            $"The sentinels of '{masterName}' did not accept a failover within {timeout.TotalSeconds:0} s ({s}). " +
            $"Check Get-RedisSentinel -MasterName {masterName}, then retry.", pollMs: 250).ConfigureAwait(false);
        string? promoted = null;
        await Waiter.UntilAsync(_sink, $"Sentinels promoting a replica of '{oldName}'", timeout, async c =>
        {
            var now = await CurrentPrimaryAsync(sentinels, masterName, c).ConfigureAwait(false);
            if (now is null || now == before) return (false, "not promoted yet");
            if (!await AcceptsWritesAsync(now, password, c).ConfigureAwait(false)) return (false,
                $"{now} does not accept writes yet");
            promoted = now;
            return (true, now);
        }, ct, ErrorIds.FailoverFailed, s =>
            $"The sentinels of '{masterName}' did not promote a replica within {timeout.TotalSeconds:0} s ({s}). " +
            $"Check Get-RedisSentinel -MasterName {masterName} (flags, quorum) and that a replica runs, then retry "
                + "with -Force.", pollMs: 50).ConfigureAwait(false);
        await WaitAgreementAsync(sentinels, masterName, promoted!, password, null, timeout, ct).ConfigureAwait(false);
        _session.EndpointMap.TryTranslate(promoted!, out var m);
        if (expected is not null && promoted != expected.ContainerEndpoint)
            throw Errors.FailoverFailed(
                $"The sentinels promoted '{m?.NodeName ?? promoted}' instead of '{expected.Name}'. "
                + $"'{m?.NodeName ?? promoted}' is the primary now; "
                + $"run Invoke-RedisFailover -Node {expected.Name} to move the primary to '{expected.Name}'.",
                expected.Name);
        return new RedisFailoverResult
        {
            Topology = topology, Kind = "Sentinel", Mode = "Force", OldPrimary = oldName, NewPrimary = m?.NodeName
                ?? promoted!,
            NewPrimaryHostEndpoint = m?.HostEndpoint, Duration = sw.Elapsed,
            Detail = "promoted without the old primary; writes it had not replicated are lost",
        };
    }
}
