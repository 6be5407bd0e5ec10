using System.Diagnostics;
using System.Globalization;
using RedisDocker.Core;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;

namespace RedisDocker.Bench.Scenarios;

/// <summary>
/// Split-brain loss of a sentinel group (1 primary + 2 replicas + 3 sentinels, quorum 2, down-after 5000): a writer
/// pinned to the primary (one connection, SET after SET, 1 s timeout, reconnecting) while the primary is cut off for
/// --split-seconds (default 20): "partition" drops, inside the primary's own network namespace, every packet to or
/// from the other containers of its subnet (the host still reaches it through its published port, via the bridge
/// gateway); "pause" is a docker pause of the primary container. The sentinels promote a replica meanwhile. After the
/// heal, once the old primary is a linked replica again, every write it acknowledged is looked up on the primary the
/// sentinels name: the missing ones are lost. Each kind runs with the bound off (New-RedisSentinel
/// -MinReplicasToWrite 0, the module's behaviour before) and with the module's default bound (min-replicas-to-write 1,
/// min-replicas-max-lag 2). Only containers and a network namespace of the bench's own topology are touched.
/// </summary>
public sealed class SplitBrainScenario : IScenario
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);
    private const int MaxWrites = 1_000_000;

    public string Short => "sb_module";
    public string Describe(BenchOptions o) =>
        $", {o.SplitSeconds} s partition / docker pause of the primary, writer pinned to it, down-after 5000, bound off vs default";

    public async Task RunAsync(BenchContext ctx, Figures f)
    {
        foreach (var kind in new[] { "partition", "pause" })
            foreach (var bounded in new[] { false, true })
            {
                var lost = new List<double>();
                var acked = new List<double>();
                for (var r = 1; r <= ctx.Options.Runs; r++)
                {
                    var (a, l) = await OneAsync(ctx, kind, bounded, r);
                    acked.Add(a);
                    lost.Add(l);
                }
                var p = $"sb_{kind}_{(bounded ? "default_bound" : "no_bound")}";
                f.Add($"{p}_acked_writes", Figures.Median(acked));
                f.Add($"{p}_lost_writes", Figures.Median(lost), raw: true);
                f.Add($"{p}_lost_pct", Figures.Median(acked.Zip(lost, (a, l) => a == 0 ? 0 : Math.Round(100.0 * l / a, 1)).ToList()));
            }
    }

    private static async Task<(double Acked, double Lost)> OneAsync(BenchContext ctx, string kind, bool bounded, int run)
    {
        var topology = BenchContext.NewTopology($"sb{kind[..2]}");
        var ct = ctx.Ct;
        var nodeOps = ctx.Session.Workflows(ctx.Sink).Nodes;
        string? subnet = null;
        string[]? isolateRules = null;
        int pid = 0;
        var paused = false;
        try
        {
            subnet = await ctx.FreeSubnetAsync();
            var net = await ctx.Session.Workflows(ctx.Sink).Networks.CreateAsync(new NetworkSpec { Name = topology, Subnet = subnet, Topology = topology }, ct);
            var names = Enumerable.Range(1, 3).Select(i => $"{topology}-{i}").ToArray();
            var made = await nodeOps.CreateAsync(names.Select(n => new NodeSpec { Name = n, Network = topology }).ToArray(), ct);
            if (made.FirstOrDefault(m => m.Error is not null) is { } bad) throw new InvalidOperationException($"node {bad.Name}: {bad.Error!.Message}", bad.Error);
            var replication = ctx.Session.Workflows(ctx.Sink).Replication;
            await replication.SetReplicaAsync(names[1], names[0], ct);
            await replication.SetReplicaAsync(names[2], names[0], ct);
            var sentinels = ctx.Session.Workflows(ctx.Sink).Sentinels;
            var group = await sentinels.CreateAsync(new SentinelGroupSpec
            {
                Primary = names[0], Count = 3, Quorum = 2, DownAfterMs = 5000, FailoverTimeoutMs = 60000,
                MinReplicasToWrite = bounded ? null : 0,
            }, ct);
            var primary = await nodeOps.GetOneAsync(names[0], ct);
            var password = await ctx.Session.GetPasswordAsync(topology, ct);
            var docker = await ctx.Session.GetDockerAsync(ct);

            // The writer, pinned to the primary.
            var ackedKeys = new List<string>(capacity: 200_000);
            using var stopWriter = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var refused = 0;
            var writer = Task.Run(async () =>
            {
                var (h, port) = EndpointMap.Split(primary.HostEndpoint!);
                RespConnection? conn = null;
                for (var i = 0; i < MaxWrites && !stopWriter.IsCancellationRequested; i++)
                {
                    try
                    {
                        conn ??= await RespConnection.ConnectAsync(h, port, new RespConnectionOptions
                        {
                            Password = password, CommandTimeout = TimeSpan.FromSeconds(1), ConnectTimeout = TimeSpan.FromSeconds(1),
                        }, stopWriter.Token);
                        var key = $"sb:{i}";
                        var r = await conn.SendAsync(new object[] { "SET", key, i }, stopWriter.Token);
                        if (!r.IsError) ackedKeys.Add(key);
                        else { refused++; await Task.Delay(5, stopWriter.Token); }
                    }
                    catch (OperationCanceledException) { break; }
                    catch (Exception)
                    {
                        conn?.Dispose();
                        conn = null;
                        try { await Task.Delay(50, stopWriter.Token); } catch (OperationCanceledException) { break; }
                    }
                }
                conn?.Dispose();
            }, CancellationToken.None);

            await Task.Delay(2000, ct);
            var before = ackedKeys.Count;
            var info = await docker.InspectContainerAsync(primary.Id, ct) ?? throw new InvalidOperationException("primary vanished");
            var gateway = net.Gateway ?? throw new InvalidOperationException("network without gateway");
            if (kind == "partition")
            {
                pid = info.State.Pid;
                isolateRules = new[]
                {
                    $"INPUT -s {gateway} -j ACCEPT", $"INPUT -s {subnet} -j DROP",
                    $"OUTPUT -d {gateway} -j ACCEPT", $"OUTPUT -d {subnet} -j DROP",
                };
                foreach (var rule in isolateRules) await Iptables(pid, "-A " + rule, ct);
            }
            else
            {
                await docker.PauseContainerAsync(primary.Id, ct);
                paused = true;
            }
            BenchContext.Log($"sb {kind} bounded={bounded} run {run}: {primary.Name} cut off ({before} writes acknowledged before)");
            await Task.Delay(TimeSpan.FromSeconds(ctx.Options.SplitSeconds), ct);
            var during = ackedKeys.Count - before;
            if (isolateRules is not null)
            {
                foreach (var rule in isolateRules) await Iptables(pid, "-D " + rule, ct);
                isolateRules = null;
            }
            if (paused) { await docker.UnpauseContainerAsync(primary.Id, ct); paused = false; }

            // The old primary rejoins as a replica of whoever the sentinels promoted.
            string? current = null;
            var healed = await ctx.PollAsync("old primary a linked replica again", Bound, 200, async c =>
            {
                var view = (await sentinels.GetAsync(topology, group.MasterName, c)).Single();
                current = view.Primary;
                if (current is null || current == primary.Name) return false;
                var repl = await replication.GetAsync(primary.Name, c);
                return repl.Role == RedisRole.Replica && repl.PrimaryName == current && repl.LinkStatus == "up" && !repl.SyncInProgress;
            });
            await Task.Delay(1000, ct);
            stopWriter.Cancel();
            await writer;
            if (!healed.Done) BenchContext.Log($"sb {kind}: the group did not heal within {Bound.TotalSeconds} s ({healed.LastError}); counting on {current}");
            var target = current ?? primary.Name;

            // Every acknowledged write, looked up on the primary the sentinels name.
            var keys = ackedKeys.ToArray();
            var tnode = await nodeOps.GetOneAsync(target, ct);
            var tconn = await ctx.Session.ConnectAsync(tnode, ct);
            var missing = 0;
            foreach (var chunk in keys.Chunk(1000))
            {
                var replies = await tconn.PipelineAsync(chunk.Select(k => (IReadOnlyList<object>)new object[] { "EXISTS", k }).ToArray(), ct);
                missing += replies.Count(r => r.Integer == 0);
            }
            BenchContext.Log($"sb {kind} bounded={bounded} run {run}: acknowledged {keys.Length} ({during} while cut off), refused {refused}, " +
                             $"lost {missing} ({(keys.Length == 0 ? 0 : 100.0 * missing / keys.Length):0.0}%); primary now {target}");
            return (keys.Length, missing);
        }
        finally
        {
            try
            {
                if (isolateRules is not null)
                    foreach (var rule in isolateRules) await Iptables(pid, "-D " + rule, CancellationToken.None);
                if (paused)
                {
                    var docker = await ctx.Session.GetDockerAsync(CancellationToken.None);
                    await docker.UnpauseContainerAsync($"{topology}-1", CancellationToken.None);
                }
            }
            catch (Exception e) { BenchContext.Log($"heal after a failure: {e.Message}"); }
            await ctx.RemoveTopologyAsync(topology);
            BenchContext.ReleaseSubnet(subnet);
        }
    }

    /// <summary>iptables inside one container's network namespace (nsenter -n): the host's own rules are not touched.</summary>
    private static async Task Iptables(int pid, string rule, CancellationToken ct)
    {
        if (pid <= 0) throw new InvalidOperationException("no container pid for the partition");
        var psi = new ProcessStartInfo("nsenter", $"-t {pid.ToString(CultureInfo.InvariantCulture)} -n iptables -w {rule}")
        {
            RedirectStandardError = true, RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("nsenter did not start");
        var err = await p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        if (p.ExitCode != 0) throw new InvalidOperationException($"nsenter iptables {rule}: {err.Trim()}");
    }
}
