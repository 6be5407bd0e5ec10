using System.Diagnostics;
using System.Globalization;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Cluster use case: Invoke-RedisFailover on a cluster replica.</summary>
public sealed partial class ClusterOperations
{
    /// <summary>The node's cluster-node-timeout in ms (5000, the module's default, when it cannot be read).</summary>
    private static async Task<int> ClusterNodeTimeoutMsAsync(Member member, CancellationToken ct)
    {
        var r = await member.Exec(ct, "CONFIG", "GET", "cluster-node-timeout").ConfigureAwait(false);
        return !r.IsError && r.AsArray() is { Count: 2 } a && int.TryParse(a[1].AsString(), out var ms) && ms > 0
            ? ms : 5000;
    }

    /// <summary>CLUSTER FAILOVER [FORCE|TAKEOVER] on a replica; waits until it is primary and the cluster is
    /// ok.</summary>
    /// <param name="timeout">How long to wait for the promotion; <see cref="FailoverTimeout"/> when null.</param>
    public async Task<RedisFailoverResult> FailoverAsync(string topology, string replicaName, ClusterFailoverMode mode,
        CancellationToken ct, TimeSpan? timeout = null)
    {
        var sw = Stopwatch.StartNew();
        var members = await TopologyMembersAsync(topology, ct).ConfigureAwait(false);
        var replica = members.FirstOrDefault(m => string.Equals(m.Name, replicaName,
            StringComparison.OrdinalIgnoreCase))
            ?? throw Errors.NotARunningClusterNode(replicaName, topology);
        var view = ClusterNodesParser.Parse((await replica.Ok(ct, "CLUSTER",
            "NODES").ConfigureAwait(false)).AsString());
        var me = view.First(e => e.Myself);
        if (me.IsPrimary)
            throw Errors.FailoverFailed(
                $"'{replicaName}' is already a primary. Fail over from one of its replicas (Get-RedisClusterNode "
                + $"-Cluster {topology} | Where-Object PrimaryName -eq {replicaName}).",
                replicaName);
        var oldPrimaryEntry = view.First(e => e.Id == me.PrimaryId);
        var oldSlots = oldPrimaryEntry.Slots;
        var bumped = false;
        string? oldPrimary = _session.EndpointMap.TryTranslate(oldPrimaryEntry.Endpoint, out var op) ? op.NodeName
            : oldPrimaryEntry.Endpoint;
        var primaryDown = oldPrimaryEntry.Flags.Contains("fail") || oldPrimaryEntry.Flags.Contains("fail?")
            || !members.Any(m => m.Name == oldPrimary);
        if (mode == ClusterFailoverMode.Coordinated && primaryDown)
            throw Errors.FailoverFailed(
                $"The primary '{oldPrimary}' of '{replicaName}' is down, so a coordinated failover cannot run. Use "
                + $"-Force to promote '{replicaName}' now (writes not yet replicated to it are lost).",
                replicaName);
        var args = mode switch
        {
            ClusterFailoverMode.Force => new object[] { "CLUSTER", "FAILOVER", "FORCE" },
            ClusterFailoverMode.Takeover => new object[] { "CLUSTER", "FAILOVER", "TAKEOVER" },
            _ => new object[] { "CLUSTER", "FAILOVER" },
        };
        // Redis keeps a replica's election state (votes counted) for 4 x cluster-node-timeout after its last election.
        // A CLUSTER FAILOVER on a replica that was promoted within that window (a quick back-and-forth between the same
        // pair) "wins" with those stale votes without a new epoch: it turns primary for a moment, loses the epoch
        // collision and turns back into a replica. So success is only every node agreeing; a promotion that reverted
        // (or never happened) is asked again once 4 x cluster-node-timeout passed, within the bound.
        var nodeTimeoutMs = await ClusterNodeTimeoutMsAsync(replica, ct).ConfigureAwait(false);
        var bound = TimeSpan.FromMilliseconds(Math.Max((timeout ?? FailoverTimeout).TotalMilliseconds,
            8.0 * nodeTimeoutMs));
        var attempts = 0;
        var attempt = Stopwatch.StartNew();
        var seenPrimary = false;
        TimeSpan? retryAt = null;
        async Task IssueAsync(CancellationToken c)
        {
            attempts++;
            var note = (primaryDown ? ", down" : "") + (attempts > 1 ? $", attempt {attempts}" : "");
            _sink.Verbose($"{replicaName}: {string.Join(' ', args)} (primary {oldPrimary}{note}).");
            await replica.Ok(c, args).ConfigureAwait(false);
            attempt.Restart();
            seenPrimary = false;
            retryAt = null;
        }
        await IssueAsync(ct).ConfigureAwait(false);
        // Reads (Get-RedisClusterNode asks any node) agree before this returns: every running node sees the new
        // primary,
        // and the old one, when it runs, as its replica.
        await Waiter.UntilAsync(_sink, $"Failing over to {replicaName}", bound, async c =>
        {
            var roleReply = await replica.Conn.SendAsync(new object[] { "ROLE" }, c).ConfigureAwait(false);
            var (role, _) = NodeOperations.ParseRole(roleReply);
            if (role == RedisRole.Primary) seenPrimary = true;
            var missing = new List<string>();
            var unclaimed = false;
            foreach (var m in members)
            {
                RespValue r;
                try { r = await m.Conn.SendAsync(new object[] { "CLUSTER", "NODES" }, c).ConfigureAwait(false); }
                catch (RedisException) { continue; }   // a node that went away meanwhile is not asked
                if (r.IsError) continue;
                var v = ClusterNodesParser.Parse(r.AsString());
                var mine = v.FirstOrDefault(e => e.Id == me.Id);
                if (mine is null) missing.Add($"{m.Name} does not know {replicaName}");
                else if (!mine.IsPrimary) missing.Add($"{m.Name} still sees {replicaName} as a replica");
                // A primary is only the new owner once the others give it the old primary's slots: a stale election
                // (below) can leave it a primary whose claim, of an older epoch, the others turn down.
                else if (oldSlots.Count > 0 && !oldSlots.All(mine.Slots.ToHashSet().Contains))
                {
                    missing.Add($"{m.Name} does not give {replicaName} the slots of {oldPrimary} yet");
                    unclaimed = true;
                }
                if (!primaryDown && v.FirstOrDefault(e => e.Id == oldPrimaryEntry.Id) is { } o
                    && !(o.IsReplica && o.PrimaryId == me.Id) && !o.Flags.Contains("fail"))
                    missing.Add($"{m.Name} still sees {oldPrimary} as " +
                        (o.IsPrimary ? "a primary" : "another node's replica"));
            }
            if (missing.Count == 0) return (true, "agreed");
            if (unclaimed && role == RedisRole.Primary && !bumped && attempt.ElapsedMilliseconds > 2000)
            {
                // Its claim carries the epoch of a reused election, older than the slots' owner's: a new epoch
                // (CLUSTER BUMPEPOCH) makes the others take the claim.
                bumped = true;
                _sink.Verbose($"{replicaName}: primary, but the others keep the slots of {oldPrimary} " +
                    "(its claim has an older epoch); CLUSTER BUMPEPOCH so that they take it.");
                await replica.Conn.SendAsync(new object[] { "CLUSTER", "BUMPEPOCH" }, c).ConfigureAwait(false);
            }
            var reverted = role != RedisRole.Primary
                && (seenPrimary || attempt.ElapsedMilliseconds > 2L * nodeTimeoutMs + 1000);
            if (reverted && retryAt is null)
            {
                // The stale election (or a refused vote, 2 x cluster-node-timeout) is at most 4 x cluster-node-timeout
                // older than this attempt, so asking again after that runs a real election. Asking sooner only repeats
                // the flap and pauses the primary's writes again. The flap can be too brief to see, so both cases wait.
                retryAt = TimeSpan.FromMilliseconds(4L * nodeTimeoutMs + 500);
                var wait = Math.Max(0, (retryAt.Value - attempt.Elapsed).TotalSeconds);
                var what = seenPrimary ? $"turned primary but back into a replica of {oldPrimary}" : "not promoted";
                _sink.Verbose($"{replicaName}: {what} (a replica promoted less than 4 x cluster-node-timeout ago " +
                    $"reuses that election in Redis, without a new epoch, and loses); asking again in {wait:0.#} s.");
            }
            if (retryAt is { } at && attempt.Elapsed >= at && role != RedisRole.Primary)
                await IssueAsync(c).ConfigureAwait(false);
            return (false, $"{string.Join("; ", missing.Take(3))}; {attempts} attempt(s)");
        }, ct, ErrorIds.FailoverFailed, s =>
            $"'{replicaName}' did not become a primary that every node agrees on within {bound.TotalSeconds:0} s " +
            $"({s}). " +
            (mode == ClusterFailoverMode.Coordinated
                ? "If its primary is unhealthy, try -Force; if it failed over moments ago, " +
                  "wait 4 x cluster-node-timeout and try again. "
                : mode == ClusterFailoverMode.Force ? "Try -Takeover if a majority of primaries cannot vote. " : "") +
            $"Check Test-RedisCluster -Cluster {topology}.", pollMs: 50).ConfigureAwait(false);
        var duration = sw.Elapsed;
        return new RedisFailoverResult
        {
            Topology = topology,
            Kind = "Cluster",
            Mode = mode.ToString(),
            OldPrimary = oldPrimary,
            NewPrimary = replica.Name,
            NewPrimaryHostEndpoint = replica.Node.HostEndpoint,
            Duration = duration,
            // A coordinated failover waits for the replica to reach the primary's offset while clients are paused:
            // nothing acknowledged is lost.
            LostWrites = mode == ClusterFailoverMode.Coordinated ? 0 : null,
            Detail = mode == ClusterFailoverMode.Coordinated ? "replica caught up with its primary before switching"
                : primaryDown ? "promoted without the primary's agreement; writes not yet replicated may be lost"
                    : null,
        };
    }
}
