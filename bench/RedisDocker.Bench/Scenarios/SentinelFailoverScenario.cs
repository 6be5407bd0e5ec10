using System.Globalization;
using RedisDocker.Core;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;

namespace RedisDocker.Bench.Scenarios;

/// <summary>
/// 1 primary + 2 replicas (ReplicationOperations.SetReplicaAsync) + 3 sentinels
/// (SentinelOperations.CreateAsync, quorum 2, failover-timeout 60000) for each down-after value:
/// (b) kill the primary (NodeOperations.KillAsync) → SentinelOperations.FailoverAsync(waitOnly: true)
/// returns → a SET on the new primary succeeds; (c) NodeOperations.StartAsync of the old primary
/// while a probe sends ROLE + SET to it every 50 ms from the moment the start is asked for: did it
/// ever accept a write (the baseline's old primary does, for ~10 s), when is it a replica of the
/// new primary, when synced; (a) on the healed group, a coordinated failover
/// (SentinelOperations.FailoverAsync(waitOnly: false)). Then the module's teardown.
/// The kill comes first so that it runs on a fresh group, exactly as in sentinel-failover.sh.
/// </summary>
public sealed class SentinelFailoverScenario : IScenario
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public string Short => "sf_module";
    public string Describe(BenchOptions o) => $", down-after {string.Join(",", o.DownAfter)}, failover-timeout 60000, quorum 2, old primary probed {o.OldPrimaryProbe.TotalSeconds:0} s";

    public async Task RunAsync(BenchContext ctx, Figures f)
    {
        foreach (var d in ctx.Options.DownAfter)
            for (var r = 1; r <= ctx.Options.Runs; r++)
                await OneAsync(ctx, f, d, r);
    }

    private static async Task OneAsync(BenchContext ctx, Figures f, int downAfter, int run)
    {
        var topology = BenchContext.NewTopology($"sf{downAfter}");
        var p = $"sf{downAfter}_module";
        var ct = ctx.Ct;
        var nodeOps = ctx.Session.Workflows(ctx.Sink).Nodes;
        var sentinels = ctx.Session.Workflows(ctx.Sink).Sentinels;
        var cmd = ctx.Session.Workflows(ctx.Sink).Commands;
        string? subnet = null;
        try
        {
            // ---- setup: start to all sentinels ok (replicas linked, every sentinel sees 2 replicas and 2 other sentinels)
            subnet = await ctx.FreeSubnetAsync();
            var t0 = BenchContext.Now();
            await ctx.Session.Workflows(ctx.Sink).Networks.CreateAsync(new NetworkSpec { Name = topology, Subnet = subnet, Topology = topology }, ct);
            var names = Enumerable.Range(1, 3).Select(i => $"{topology}-{i}").ToArray();
            var made = await nodeOps.CreateAsync(names.Select(n => new NodeSpec { Name = n, Network = topology }).ToArray(), ct);
            if (made.FirstOrDefault(m => m.Error is not null) is { } bad) throw new InvalidOperationException($"node {bad.Name}: {bad.Error!.Message}", bad.Error);
            var replication = ctx.Session.Workflows(ctx.Sink).Replication;
            await replication.SetReplicaAsync(names[1], names[0], ct);
            await replication.SetReplicaAsync(names[2], names[0], ct);
            var group = await sentinels.CreateAsync(new SentinelGroupSpec
            {
                Primary = names[0], Count = 3, Quorum = 2, DownAfterMs = downAfter, FailoverTimeoutMs = 60000, ParallelSyncs = 1,
            }, ct);
            var setupMs = BenchContext.MsSince(t0);
            f.Add($"{p}_setup_start_to_all_sentinels_ok_ms", setupMs);
            var master = group.MasterName;
            var primary = group.Primary ?? names[0];
            await cmd.InvokeAsync(primary, new object[] { "SET", "before-failover", "1" }, ct);
            await cmd.InvokeAsync(primary, new object[] { "WAIT", 2, 2000 }, ct);

            // ---- (b) kill the primary; the sentinels promote a replica; a client writes to it
            var tk = BenchContext.Now();
            await nodeOps.KillAsync(primary, ct);
            var tk1 = BenchContext.Now();
            var auto = await sentinels.FailoverAsync(topology, master, waitOnly: true, Bound, ct);
            var tf = BenchContext.Now();
            var write = await ctx.PollAsync("SET on the new primary", Bound, 50, async c =>
                !(await cmd.InvokeRawAsync(auto.NewPrimary, new object[] { "SET", "after-failover", "1" }, c)).IsError);
            var writeMs = write.Done ? BenchContext.Ms(tk, write.At) : (double?)null;
            var kept = (await cmd.InvokeRawAsync(auto.NewPrimary, new object[] { "GET", "before-failover" }, ct)).Text == "1";
            f.Add($"{p}_kill_cmd_ms", BenchContext.Ms(tk, tk1));
            f.Add($"{p}_kill_to_failover_returned_ms", BenchContext.Ms(tk, tf));
            f.Add($"{p}_kill_to_client_write_ok_ms", writeMs, raw: true);
            f.Text($"{p}_key_written_before_kill_kept", kept ? "yes" : "no");
            BenchContext.Log($"sf down-after={downAfter} run {run}: setup={setupMs} | killed {primary}: failover_returned={BenchContext.Ms(tk, tf)} ({auto.NewPrimary}) client_write={writeMs?.ToString(CultureInfo.InvariantCulture) ?? "NA"} kept={kept} (ms)");

            // ---- (c) restart the old primary while probing it for writes
            var newPrimary = await nodeOps.GetOneAsync(auto.NewPrimary, ct);
            var password = await ctx.Session.GetPasswordAsync(topology, ct);
            var ts = BenchContext.Now();
            using var probeStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var probe = ProbeOldPrimaryAsync(ctx, primary, newPrimary.ContainerEndpoint!, password, ts, probeStop.Token);
            await nodeOps.StartAsync(primary, ct);
            var tsReady = BenchContext.Now();
            // Alongside the probe: when the sentinels see the group whole again (the old primary as an
            // up replica of the new one, 2 replicas, 3 sentinels, quorum ok).
            var healedTask = ctx.PollAsync("sentinel group healed", Bound, 200, async c =>
            {
                var g = (await sentinels.GetAsync(topology, master, c)).Single();
                return g.Primary == auto.NewPrimary && g.Replicas.Count == 2 && g.Flags == "master" && g.QuorumOk && g.ReachableSentinels == 3;
            });
            var pr = await probe;
            var healed = await healedTask;
            var writable = pr.FirstAcceptedWrite is long w ? BenchContext.Ms(ts, w).ToString("0.0", CultureInfo.InvariantCulture) : "never";
            f.Add($"{p}_restart_call_returned_ms", BenchContext.Ms(ts, tsReady));
            f.Add($"{p}_restart_to_old_primary_answers_ms", pr.FirstAnswer is long a ? BenchContext.Ms(ts, a) : null);
            f.Text($"{p}_restart_old_primary_first_role", pr.FirstRole ?? "none");
            f.Text($"{p}_restart_old_primary_writable_at_ms", writable);
            f.Add($"{p}_restart_old_primary_writable_window_ms",
                pr.FirstAcceptedWrite is long w1 ? BenchContext.Ms(w1, pr.ReplicaOfNew ?? BenchContext.Now()) : 0);
            f.Text($"{p}_restart_old_primary_writes_accepted", $"{pr.Accepted}/{pr.Attempts}");
            f.Add($"{p}_restart_to_old_primary_replica_of_new_ms", pr.ReplicaOfNew is long s ? BenchContext.Ms(ts, s) : null);
            f.Add($"{p}_restart_to_old_primary_synced_ms", pr.Synced is long y ? BenchContext.Ms(ts, y) : null);
            BenchContext.Log($"sf down-after={downAfter} run {run}: restart {primary}: returned={BenchContext.Ms(ts, tsReady)} answers={(pr.FirstAnswer is long a2 ? BenchContext.Ms(ts, a2) : double.NaN)}({pr.FirstRole}) writable_at={writable} writes_accepted={pr.Accepted}/{pr.Attempts} replica_of_new={(pr.ReplicaOfNew is long s2 ? BenchContext.Ms(ts, s2) : double.NaN)} synced={(pr.Synced is long y2 ? BenchContext.Ms(ts, y2) : double.NaN)} (ms) {pr.LastError}");

            // ---- (a) coordinated failover on the healed group
            f.Add($"{p}_restart_to_group_healed_ms", healed.Done ? BenchContext.Ms(ts, healed.At) : null);
            var ta = BenchContext.Now();
            var coordinated = await sentinels.FailoverAsync(topology, master, waitOnly: false, Bound, ct);
            var coordinatedMs = BenchContext.MsSince(ta);
            var wrote = !(await cmd.InvokeRawAsync(coordinated.NewPrimary, new object[] { "SET", "after-coordinated", "1" }, ct)).IsError;
            f.Add($"{p}_coordinated_failover_ms", coordinatedMs, raw: true);
            f.Text($"{p}_coordinated_lost_writes", coordinated.LostWrites?.ToString(CultureInfo.InvariantCulture) ?? "unknown");
            f.Text($"{p}_coordinated_new_primary_writable", wrote ? "yes" : "no");
            BenchContext.Log($"sf down-after={downAfter} run {run}: coordinated {coordinated.OldPrimary} -> {coordinated.NewPrimary}: {coordinatedMs} ms, lost writes {coordinated.LostWrites?.ToString(CultureInfo.InvariantCulture) ?? "?"}, writable={wrote}");

            // ---- teardown, the module's way (Remove-RedisNetwork -Force: nodes, sentinels, volumes, network)
            var td = BenchContext.Now();
            await ctx.Session.Workflows(ctx.Sink).Networks.RemoveAsync(topology, force: true, ct);
            f.Add($"{p}_teardown_ms", BenchContext.MsSince(td));
        }
        finally
        {
            await ctx.RemoveTopologyAsync(topology);
            BenchContext.ReleaseSubnet(subnet);
        }
    }

    private sealed class ProbeResult
    {
        public long? FirstAnswer;
        public string? FirstRole;
        public long? FirstAcceptedWrite;
        public long? ReplicaOfNew;
        public long? Synced;
        public int Attempts;
        public int Accepted;
        public string? LastError;
    }

    /// <summary>
    /// From the moment the start is asked for: every 50 ms, ROLE + SET + INFO replication on the old
    /// primary's published port (found through Docker as soon as it runs). Runs for the probe window
    /// (default 15 s, longer than the baseline's ~10.7 s writable window) and at least until synced; at most 60 s.
    /// </summary>
    private static async Task<ProbeResult> ProbeOldPrimaryAsync(BenchContext ctx, string name, string newPrimaryEndpoint, string? password, long start, CancellationToken ct)
    {
        await Task.Yield();
        var r = new ProbeResult();
        var nodeOps = ctx.Session.Workflows(NullSink.Instance).Nodes;
        RespConnection? conn = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var elapsed = BenchContext.MsSince(start);
                if (elapsed > 60000 || (elapsed > ctx.Options.OldPrimaryProbe.TotalMilliseconds && r.Synced is not null)) break;
                try
                {
                    if (conn is null || !conn.IsConnected)
                    {
                        conn?.Dispose();
                        conn = null;
                        var node = await nodeOps.GetOneAsync(name, ct);
                        if (node.HostEndpoint is not null)
                        {
                            var (host, port) = EndpointMap.Split(node.HostEndpoint);
                            conn = await RespConnection.ConnectAsync(host, port, new RespConnectionOptions
                            {
                                Password = password, ConnectTimeout = TimeSpan.FromSeconds(1), CommandTimeout = TimeSpan.FromSeconds(2), ClientName = "bench-probe",
                            }, ct);
                        }
                    }
                    if (conn is not null)
                    {
                        var replies = await conn.PipelineAsync(new[]
                        {
                            new object[] { "ROLE" },
                            new object[] { "SET", "written-to-old-primary", "1" },
                            new object[] { "INFO", "replication" },
                        }, ct);
                        var now = BenchContext.Now();
                        var (role, primaryEp) = NodeOperations.ParseRole(replies[0]);
                        if (!replies[0].IsError && r.FirstAnswer is null) { r.FirstAnswer = now; r.FirstRole = role.ToString(); }
                        r.Attempts++;
                        if (!replies[1].IsError) { r.Accepted++; r.FirstAcceptedWrite ??= now; }
                        if (role == RedisRole.Replica && primaryEp == newPrimaryEndpoint) r.ReplicaOfNew ??= now;
                        if (r.ReplicaOfNew is not null && !replies[2].IsError &&
                            RedisInfo.Parse(replies[2].AsString()).GetValueOrDefault("master_link_status") == "up")
                            r.Synced ??= now;
                    }
                }
                catch (Exception e) when (!ct.IsCancellationRequested && e is RedisException or RedisDockerException or IOException or TimeoutException or OperationCanceledException or Core.Docker.DockerException)
                {
                    r.LastError = $"(last probe error: {BenchContext.First(e.Message)})";
                    conn?.Dispose();
                    conn = null;
                }
                await Task.Delay(50, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally { conn?.Dispose(); }
        return r;
    }
}
