using RedisDocker.Core.Topology;

namespace RedisDocker.Bench.Scenarios;

/// <summary>
/// A 6-node cluster (cluster-node-timeout 5000): (a) coordinated failover of the shard owning key
/// 'a' (FailoverOperations.FailoverToAsync ... Coordinated); (b) forced: kill that shard's primary
/// (NodeOperations.KillAsync), FailoverToAsync ... Force, and time kill → SET a succeeds again through
/// CommandOperations.InvokeOnClusterAsync (retried every 50 ms); the killed node is restarted and
/// the cluster waited healthy; (c) automatic: kill the primary again, no failover call, time
/// kill → SET a succeeds; restart → cluster all ok. Compare with cluster-failover.sh.
/// </summary>
public sealed class ClusterFailoverScenario : IScenario
{
    private const int PollMs = 50;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public string Short => "cf_module";
    public string Describe(BenchOptions o) => ", 6 nodes, cluster-node-timeout 5000, key 'a' (slot 15495), write polls every 50 ms";

    public async Task RunAsync(BenchContext ctx, Figures f)
    {
        for (var r = 1; r <= ctx.Options.Runs; r++) await OneAsync(ctx, f, r);
    }

    private static async Task OneAsync(BenchContext ctx, Figures f, int run)
    {
        var topology = BenchContext.NewTopology("cf");
        var ct = ctx.Ct;
        var cmd = ctx.Session.Workflows(ctx.Sink).Commands;
        var failover = ctx.Session.Workflows(ctx.Sink).Failover;
        var nodeOps = ctx.Session.Workflows(ctx.Sink).Nodes;
        string? subnet = null;
        try
        {
            subnet = await ctx.FreeSubnetAsync();
            var t0 = BenchContext.Now();
            await ctx.Session.Workflows(ctx.Sink).Networks.CreateAsync(new NetworkSpec { Name = topology, Subnet = subnet, Topology = topology }, ct);
            var names = await ClusterHelpers.CreateClusterNodesAsync(ctx, topology, 6);
            await ctx.Session.Workflows(ctx.Sink).Cluster.CreateAsync(names, 1, ct);
            f.Add("cf_module_setup_total_ms", BenchContext.MsSince(t0));

            await cmd.InvokeOnClusterAsync(topology, new object[] { "SET", "a", "before" }, ct);

            // ---- (a) coordinated failover of the shard owning 'a'
            var (owner, replica) = await ClusterHelpers.OwnerOfAsync(ctx, topology, "a");
            await WaitReplicatedAsync(cmd, owner.Name!, ct);
            var ta = BenchContext.Now();
            var coordinated = await failover.FailoverToAsync(topology, replica!.Name!, ClusterFailoverMode.Coordinated, Bound, ct);
            var coordinatedMs = BenchContext.MsSince(ta);
            var kept = Equals(await cmd.InvokeOnClusterAsync(topology, new object[] { "GET", "a" }, ct), "before");
            f.Add("cf_module_coordinated_failover_ms", coordinatedMs, raw: true);
            f.Add("cf_module_coordinated_reported_duration_ms", Math.Round(coordinated.Duration.TotalMilliseconds, 1));
            f.Text("cf_module_coordinated_lost_writes", coordinated.LostWrites?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown");
            f.Text("cf_module_coordinated_key_kept", kept ? "yes" : "no");
            var healthy = await ClusterHelpers.WaitHealthyAsync(ctx, topology, 6, Bound);
            BenchContext.Log($"cf run {run} (a) coordinated {owner.Name} -> {replica.Name}: {coordinatedMs} ms (reported {coordinated.Duration.TotalMilliseconds:0}), key kept={kept}, healthy again={healthy.Done}");

            // ---- (b) forced: kill the primary, FailoverToAsync -Force, write again
            (owner, replica) = await ClusterHelpers.OwnerOfAsync(ctx, topology, "a");
            await WaitReplicatedAsync(cmd, owner.Name!, ct);
            var tb = BenchContext.Now();
            await nodeOps.KillAsync(owner.Name!, ct);
            var tbKilled = BenchContext.Now();
            var forced = await failover.FailoverToAsync(topology, replica!.Name!, ClusterFailoverMode.Force, Bound, ct);
            var tbFailover = BenchContext.Now();
            var write = await WriteUntilOkAsync(ctx, cmd, topology, "forced");
            var forcedWriteMs = write.Done ? BenchContext.Ms(tb, write.At) : (double?)null;
            f.Add("cf_module_forced_kill_cmd_ms", BenchContext.Ms(tb, tbKilled));
            f.Add("cf_module_forced_kill_to_failover_returned_ms", BenchContext.Ms(tb, tbFailover));
            f.Add("cf_module_forced_kill_to_write_ok_ms", forcedWriteMs, raw: true);
            BenchContext.Log($"cf run {run} (b) forced: killed {owner.Name}, promoted {forced.NewPrimary}; kill_cmd={BenchContext.Ms(tb, tbKilled)} failover_returned={BenchContext.Ms(tb, tbFailover)} write_ok={forcedWriteMs?.ToString() ?? "NA"} ({write.Attempts} attempt(s)) (ms)");

            var tbs = BenchContext.Now();
            await nodeOps.StartAsync(owner.Name!, ct);
            var tbr = BenchContext.Now();
            healthy = await ClusterHelpers.WaitHealthyAsync(ctx, topology, 6, Bound);
            f.Add("cf_module_forced_restart_to_ready_ms", BenchContext.Ms(tbs, tbr));
            f.Add("cf_module_forced_restart_to_cluster_all_ok_ms", healthy.Done ? BenchContext.Ms(tbs, healthy.At) : null);

            // ---- (c) automatic: kill the primary, no failover call; write again
            (owner, replica) = await ClusterHelpers.OwnerOfAsync(ctx, topology, "a");
            await WaitReplicatedAsync(cmd, owner.Name!, ct);
            var replicaNode = await nodeOps.GetOneAsync(replica!.Name!, ct);
            using var probeStop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var tc = BenchContext.Now();
            // Alongside, as the baseline measures it: a plain SET straight to the replica's published
            // port every 50 ms (MOVED until it is promoted) — Redis's own failover time, without the module's routing.
            var direct = DirectWriteProbeAsync(ctx, topology, replicaNode.HostEndpoint!, probeStop.Token);
            await nodeOps.KillAsync(owner.Name!, ct);
            write = await WriteUntilOkAsync(ctx, cmd, topology, "automatic");
            var autoWriteMs = write.Done ? BenchContext.Ms(tc, write.At) : (double?)null;
            probeStop.CancelAfter(TimeSpan.FromSeconds(5));
            var promotedAt = await direct;
            f.Add("cf_module_auto_kill_to_write_ok_ms", autoWriteMs, raw: true);
            f.Add("cf_module_auto_kill_to_replica_accepts_direct_write_ms", promotedAt is long pa ? BenchContext.Ms(tc, pa) : null);
            var (nowOwner, _) = await ClusterHelpers.OwnerOfAsync(ctx, topology, "a");
            f.Text("cf_module_auto_promoted_its_replica", nowOwner.Name == replica?.Name ? "yes" : "no");
            BenchContext.Log($"cf run {run} (c) automatic: killed {owner.Name}, now {nowOwner.Name} owns 'a'; write_ok={autoWriteMs?.ToString() ?? "NA"} ({write.Attempts} attempt(s), last error: {write.LastError ?? "-"}) (ms)");

            var tcs = BenchContext.Now();
            await nodeOps.StartAsync(owner.Name!, ct);
            var tcr = BenchContext.Now();
            healthy = await ClusterHelpers.WaitHealthyAsync(ctx, topology, 6, Bound);
            f.Add("cf_module_restart_to_ready_ms", BenchContext.Ms(tcs, tcr));
            f.Add("cf_module_restart_to_cluster_all_ok_ms", healthy.Done ? BenchContext.Ms(tcs, healthy.At) : null);
            BenchContext.Log($"cf run {run} restart of {owner.Name}: ready={BenchContext.Ms(tcs, tcr)} cluster_all_ok={(healthy.Done ? BenchContext.Ms(tcs, healthy.At) : double.NaN)} (ms)");
        }
        finally
        {
            await ctx.RemoveTopologyAsync(topology);
            BenchContext.ReleaseSubnet(subnet);
        }
    }

    /// <summary>WAIT 1 on the primary: the write is on its replica before the drill (as the baseline's sleep 1).</summary>
    private static async Task WaitReplicatedAsync(CommandOperations cmd, string primary, CancellationToken ct) =>
        await cmd.InvokeAsync(primary, new object[] { "WAIT", 1, 5000 }, ct);

    /// <summary>When the replica first accepts SET a directly (it answers MOVED while a replica); null if not seen.</summary>
    private static async Task<long?> DirectWriteProbeAsync(BenchContext ctx, string topology, string hostEndpoint, CancellationToken ct)
    {
        await Task.Yield();
        var password = await ctx.Session.GetPasswordAsync(topology, ct);
        var (host, port) = Core.EndpointMap.Split(hostEndpoint);
        Core.Resp.RespConnection? conn = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    conn ??= await Core.Resp.RespConnection.ConnectAsync(host, port, new Core.Resp.RespConnectionOptions
                    {
                        Password = password, ConnectTimeout = TimeSpan.FromSeconds(1), CommandTimeout = TimeSpan.FromSeconds(2), ClientName = "bench-probe",
                    }, ct);
                    var r = await conn.SendAsync(new object[] { "SET", "a", "direct" }, ct);
                    if (!r.IsError) return BenchContext.Now();
                }
                catch (Exception e) when (!ct.IsCancellationRequested && e is Core.Resp.RedisException or IOException or TimeoutException)
                {
                    conn?.Dispose();
                    conn = null;
                }
                await Task.Delay(PollMs, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally { conn?.Dispose(); }
        return null;
    }

    /// <summary>SET a &lt;value&gt; through InvokeOnClusterAsync (the session's kept router, as Invoke-RedisCommand -Cluster) until OK.</summary>
    private static Task<PollResult> WriteUntilOkAsync(BenchContext ctx, CommandOperations cmd, string topology, string value) =>
        ctx.PollAsync($"SET a {value}", Bound, PollMs, async c =>
            Equals(await cmd.InvokeOnClusterAsync(topology, new object[] { "SET", "a", value }, c), "OK"));
}
