using System.Diagnostics;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Topology;

/// <summary>Sentinel workflow: after a failover, every sentinel and node agrees on the new primary.</summary>
public sealed partial class SentinelOperations
{
    /// <summary>
    /// Waits until what Get-RedisSentinel reads agrees with the failover: every answering sentinel reports the new
    /// primary (SENTINEL MASTER and GET-MASTER-ADDR-BY-NAME) with no failover in progress, the new primary takes
    /// writes,
    /// and (when given) that many replicas are online on it. A sentinel still on the old address after a while is
    /// pointed at the new primary explicitly (SENTINEL REMOVE + MONITOR).
    /// </summary>
    private async Task WaitAgreementAsync(IReadOnlyList<RedisNode> sentinels, string masterName, string newPrimary,
        string? password, int? replicas, TopologySnapshot snapshot, TimeSpan timeout, CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        var repointed = new HashSet<string>(StringComparer.Ordinal);
        await Waiter.UntilAsync(_sink, "Every sentinel and replica agreeing on the new primary", timeout, async c =>
        {
            var missing = new List<string>();
            foreach (var s in sentinels.Where(s => s.HostEndpoint is not null))
            {
                try
                {
                    var conn = await _session.ConnectAsync(s, c).ConfigureAwait(false);
                    var r = await conn.PipelineAsync(new[]
                    {
                        new object[] { "SENTINEL", "MASTER", masterName },
                        new object[] { "SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName },
                    }, c).ConfigureAwait(false);
                    if (r[0].IsError) { missing.Add($"{s.Name}: {r[0].Text}"); continue; }
                    var m = ToMap(r[0]);
                    var seen = $"{m.GetValueOrDefault("ip")}:{m.GetValueOrDefault("port")}";
                    var flags = m.GetValueOrDefault("flags") ?? "";
                    if (seen != newPrimary)
                    {
                        missing.Add($"{s.Name} still reports {seen}");
                        // Sentinels learn a new primary from each other's hello messages; one that hears none (it only
                        // knows dead
                        // instances) keeps the old address for ever. After a while it is told directly.
                        if (started.Elapsed > StaleSentinelAfter && repointed.Add(s.Name))
                            await RepointSentinelAsync(s, masterName, newPrimary, m, password, c).ConfigureAwait(false);
                    }
                    else if (flags.Contains("failover_in_progress",
                        StringComparison.Ordinal)) missing.Add($"{s.Name} is still failing over");
                    else if (r[1].IsError || r[1].Items is not { Count: 2 } a
                        || $"{a[0].Text}:{a[1].Text}" != newPrimary) missing.Add($"{s.Name} not yet");
                }
                catch (RedisException) { missing.Add($"{s.Name} unreachable"); }
            }
            if (replicas is { } want && snapshot.TryTranslate(newPrimary, out var nm))
            {
                var nconn = await _session.ConnectAsync(nm.HostEndpoint, password, c).ConfigureAwait(false);
                var info = RedisInfo.Parse((await nconn.SendAsync(new object[] { "INFO", "replication" }, c)
                    .ConfigureAwait(false)).AsString());
                var online = ReplicationOperations.ReplicaLines(info)
                    .Count(f => f.GetValueOrDefault("state") == "online");
                if (online < want) missing.Add($"{online} of {want} replica(s) online on the new primary");
            }
            if (!await AcceptsWritesAsync(newPrimary, password, snapshot, c)
                .ConfigureAwait(false)) missing.Add("new primary refuses writes");
            return (missing.Count == 0, missing.Count == 0 ? "agreed" : string.Join("; ", missing.Take(3)));
        }, ct, ErrorIds.FailoverFailed, st =>
            $"The failover of '{masterName}' to {newPrimary} happened, but not everything agrees on it within " +
            $"{timeout.TotalSeconds:0} s ({st}). Check Get-RedisSentinel -MasterName {masterName}; Start-RedisNode "
                + "brings back stopped members.", pollMs: 100)
            .ConfigureAwait(false);
    }

    /// <summary>How long a sentinel may keep reporting the old primary after a failover before it is
    /// re-pointed.</summary>
    public TimeSpan StaleSentinelAfter { get; init; } = TimeSpan.FromSeconds(10);

    private async Task RepointSentinelAsync(RedisNode sentinel, string masterName, string newPrimary,
        IReadOnlyDictionary<string, string> master,
        string? password, CancellationToken ct)
    {
        var (ip, port) = EndpointMap.Split(newPrimary);
        _sink.Verbose($"{sentinel.Name}: still on the old primary; SENTINEL REMOVE {masterName}, SENTINEL MONITOR "
            + $"{masterName} {ip} {port}.");
        var conn = await _session.ConnectAsync(sentinel, ct).ConfigureAwait(false);
        var cmds = new List<object[]>
        {
            new object[] { "SENTINEL", "REMOVE", masterName },
            new object[] { "SENTINEL", "MONITOR", masterName, ip, port, master.GetValueOrDefault("quorum", "2") },
            new object[] { "SENTINEL", "SET", masterName, "down-after-milliseconds",
                master.GetValueOrDefault("down-after-milliseconds", "5000") },
            new object[] { "SENTINEL", "SET", masterName, "failover-timeout",
                master.GetValueOrDefault("failover-timeout", "60000") },
            new object[] { "SENTINEL", "SET", masterName, "parallel-syncs",
                master.GetValueOrDefault("parallel-syncs", "1") },
        };
        if (password is not null) cmds.Add(new object[] { "SENTINEL", "SET", masterName, "auth-pass", password });
        // A sentinel made with the module's admin user authenticates to the nodes as it (default may be off).
        if (password is not null && Security.AclFile.HasAdminUser(sentinel.Labels))
            cmds.Add(new object[] { "SENTINEL", "SET", masterName, "auth-user", Security.AclFile.AdminUser });
        foreach (var cmd in cmds)
        {
            var r = await conn.SendAsync(cmd, ct).ConfigureAwait(false);
            if (r.IsError) { _sink.Warning($"{sentinel.Name}: {cmd[0]} {cmd[1]} failed: {r.Text}"); return; }
        }
    }

    private async Task<bool> AnswersAsync(string hostEndpoint, string? password, CancellationToken ct)
    {
        try
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(TimeSpan.FromSeconds(3));
            return !(await _session.SendAsync(hostEndpoint, password, new object[] { "PING" }, bound.Token)
                .ConfigureAwait(false)).IsError;
        }
        catch (Exception e) when (e is RedisException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            _session.Evict(hostEndpoint);
            return false;
        }
    }

    private async Task<bool> AcceptsWritesAsync(string containerEndpoint, string? password,
        TopologySnapshot snapshot, CancellationToken ct)
    {
        if (!snapshot.TryTranslate(containerEndpoint, out var m)) return false;
        try
        {
            var conn = await _session.ConnectAsync(m.HostEndpoint, password, ct).ConfigureAwait(false);
            // DEL is a write command, so a replica answers READONLY; deleting a key that is not there leaves the
            // user's data as it was (no key, nothing replicated), unlike a probe SET seen in DBSIZE.
            var r = await conn.SendAsync(new object[] { "DEL", "redisdocker:failover-probe" }, ct)
                .ConfigureAwait(false);
            // NOREPLICAS: a primary that holds writes back until a replica follows it (the split-brain bound) is a
            // primary.
            return !r.IsError || (r.Text ?? "").StartsWith("NOREPLICAS", StringComparison.Ordinal);
        }
        catch (RedisException)
        {
            _session.Evict(m.HostEndpoint);
            return false;
        }
    }
}
