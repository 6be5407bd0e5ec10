using System.Diagnostics;
using System.Globalization;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Sentinel workflow: which replica a sentinel may promote, and waiting until it lists one.</summary>
public sealed partial class SentinelOperations
{
    /// <summary>How long Invoke-RedisFailover -Node waits for the sentinels to see the chosen replica as
    /// eligible.</summary>
    public TimeSpan CandidateTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Why a sentinel would not promote a replica (its SENTINEL REPLICAS entry), or null when it
    /// may.</summary>
    internal static string? CandidateProblem(IReadOnlyDictionary<string, string> r, bool linkRequired = true,
        long infoValidityMs = 5000)
    {
        var flags = (r.GetValueOrDefault("flags") ?? "").Split(',');
        if (flags.Any(f => f is "s_down" or "o_down" or "disconnected")) return $"flags {string.Join(',', flags)}";
        if (linkRequired
            && r.GetValueOrDefault("master-link-status") != "ok") return "master link "
                + $"{r.GetValueOrDefault("master-link-status")}";
        if (r.GetValueOrDefault("slave-priority") == "0") return "replica-priority 0";
        if (long.TryParse(r.GetValueOrDefault("last-ok-ping-reply"), NumberStyles.Integer, CultureInfo.InvariantCulture,
                out var ping) && ping > 5000)
            return $"no PING reply for {ping} ms";
        if (long.TryParse(r.GetValueOrDefault("info-refresh"), NumberStyles.Integer, CultureInfo.InvariantCulture,
                out var refresh) && refresh > infoValidityMs)
            return $"its INFO is {refresh} ms old";
        return null;
    }

    internal static RedisDockerException NoGoodReplica(string masterName, string? text, string? detail = null) =>
        Errors.FailoverFailed(
            $"The sentinels of '{masterName}' have no replica they can promote yet " +
            $"({text}{(detail is null ? "" : "; " + detail)}). " +
            $"Wait until Get-RedisReplication shows the replicas linked, or Start-RedisNode <stopped replica>, " +
            $"then run Invoke-RedisFailover -SentinelGroup {masterName} -Force again.",
            masterName);

    /// <summary>How long "no replica is coming" (all down or priority 0) may last before a failover gives up.</summary>
    public TimeSpan NoCandidateGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Waits (at most <see cref="CandidateTimeout"/>) until the sentinel that will run SENTINEL FAILOVER lists a
    /// replica it may promote. Just after a failover it re-creates its replica entries and has no INFO from them, and
    /// a restarted replica is still linking: both become promotable within seconds. When no replica is coming at all
    /// (every one down or priority 0 for <see cref="NoCandidateGrace"/>), it fails early with what to run.
    /// </summary>
    private async Task WaitPromotableAsync(RedisNode sentinel, string masterName, bool linkRequired,
        CancellationToken ct)
    {
        var none = Stopwatch.StartNew();
        var activity = $"Sentinels of '{masterName}' seeing a replica they may promote";
        await Waiter.UntilAsync(_sink, activity, CandidateTimeout, async c =>
        {
            var conn = await _session.ConnectAsync(sentinel, c).ConfigureAwait(false);
            var reply = await conn.SendAsync(new object[] { "SENTINEL", "REPLICAS", masterName }, c)
                .ConfigureAwait(false);
            var reps = reply.IsError ? new List<Dictionary<string, string>>() : reply.AsArray().Select(ToMap).ToList();
            var why = new List<string>();
            var coming = false;
            foreach (var r in reps)
            {
                // A sentinel takes INFO up to 30 s old while the primary is not down (it refreshes every 10 s).
                var problem = CandidateProblem(r, linkRequired, infoValidityMs: linkRequired ? 30000 : 5000);
                if (problem is null) return (true, "eligible");
                why.Add($"{r.GetValueOrDefault("ip")}:{r.GetValueOrDefault("port")} {problem}");
                var flags = (r.GetValueOrDefault("flags") ?? "").Split(',');
                if (!flags.Any(f => f is "s_down" or "o_down") && r.GetValueOrDefault("slave-priority") != "0")
                    coming = true;
            }
            var state = reps.Count == 0 ? "no replica listed" : string.Join("; ", why);
            if (coming) none.Restart();
            else if (none.Elapsed >= NoCandidateGrace)
                throw NoGoodReplica(masterName, "NOGOODSLAVE", $"{sentinel.Name}: {state}");
            return (false, state);
        }, ct, ErrorIds.FailoverFailed, st => $"The sentinels of '{masterName}' have no replica they can promote " +
            $"within {CandidateTimeout.TotalSeconds:0} s ({st}); nothing was changed. " +
            "Wait until Get-RedisReplication shows the replicas linked, or Start-RedisNode <stopped replica>, then "
                + "run " +
            $"Invoke-RedisFailover -SentinelGroup {masterName} again.",
            pollMs: 250).ConfigureAwait(false);
    }
}
