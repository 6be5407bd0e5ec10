using RedisDocker.Core.Security;
using RedisDocker.Core.Topology;

namespace RedisDocker.Bench.Scenarios;

/// <summary>
/// Issue 12: what TLS costs, plain and TLS in the same run (alternating, so machine noise mostly cancels in the
/// ratio): New-RedisCluster -Count 6 (network included), a coordinated failover of one shard, and a SET/GET
/// probe through one primary's published port with the module's RESP client (sequential round trips, then
/// pipelines of 100), bounded in count and time. Prints the medians and the ratio TLS / plain.
/// </summary>
public sealed class TlsScenario : IScenario
{
    private const int Sequential = 2000;
    private const int Pipelines = 50;
    private const int PerPipeline = 100;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public string Short => "tls";
    public string Describe(BenchOptions o) =>
        $", 6 nodes (3x1), plain then TLS each run; probe {Sequential} SET+GET round trips and {Pipelines} pipelines "
        + $"of {PerPipeline} SET through one published port";

    public async Task RunAsync(BenchContext ctx, Figures f)
    {
        var figures = new Dictionary<string, List<double>>();
        for (var r = 1; r <= ctx.Options.Runs; r++)
            foreach (var tls in new[] { false, true })
                foreach (var (k, v) in await OneAsync(ctx, tls, r))
                    (figures.TryGetValue(k, out var l) ? l : figures[k] = new List<double>()).Add(v);
        foreach (var (k, v) in figures.OrderBy(x => x.Key, StringComparer.Ordinal)) f.Add(k, Figures.Median(v));
        foreach (var name in new[] { "create_ms", "failover_ms", "roundtrip_ops_per_s", "pipelined_ops_per_s" })
            if (figures.TryGetValue($"tls_plain_{name}", out var p)
                && figures.TryGetValue($"tls_tls_{name}", out var t))
                f.Add($"tls_ratio_{name}", Math.Round(Figures.Median(t)!.Value / Figures.Median(p)!.Value, 2));
    }

    private static async Task<IReadOnlyList<(string, double)>> OneAsync(BenchContext ctx, bool tls, int run)
    {
        var kind = tls ? "tls" : "plain";
        var topology = BenchContext.NewTopology(tls ? "tl" : "pl");
        var ct = ctx.Ct;
        var result = new List<(string, double)>();
        string? subnet = null;
        try
        {
            subnet = await ctx.FreeSubnetAsync();
            var t0 = BenchContext.Now();
            await ctx.Session.Workflows(ctx.Sink).ClusterBuilder.CreateFromScratchAsync(new ClusterFromScratchSpec
            {
                NewNetworkName = topology, Subnet = subnet, Count = 6, ReplicasPerPrimary = 1,
                Tls = tls ? new TlsOptions() : null,
            }, ct);
            result.Add(($"tls_{kind}_create_ms", BenchContext.MsSince(t0)));

            var (owner, replica) = await ClusterHelpers.OwnerOfAsync(ctx, topology, "a");
            var t1 = BenchContext.Now();
            await ctx.Session.Workflows(ctx.Sink).Failover
                .FailoverToAsync(topology, replica!.Name!, ClusterFailoverMode.Coordinated, Bound, ct);
            result.Add(($"tls_{kind}_failover_ms", BenchContext.MsSince(t1)));

            // The probe: one primary's published port, keys of its own slots ({a} hashes to slot 15495).
            (owner, _) = await ClusterHelpers.OwnerOfAsync(ctx, topology, "a");
            var node = await ctx.Session.Workflows(ctx.Sink).Nodes.GetOneAsync(owner.Name!, ct);
            var conn = await ctx.Session.ConnectAsync(node, ct);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(Bound);
            var t2 = BenchContext.Now();
            for (var i = 0; i < Sequential / 2; i++)
            {
                await conn.ExecuteAsync(new object[] { "SET", "{a}k" + i, "v" }, bound.Token);
                await conn.ExecuteAsync(new object[] { "GET", "{a}k" + i }, bound.Token);
            }
            result.Add(($"tls_{kind}_roundtrip_ops_per_s", Math.Round(Sequential * 1000.0 / BenchContext.MsSince(t2))));
            var t3 = BenchContext.Now();
            for (var p = 0; p < Pipelines; p++)
                await conn.PipelineAsync(Enumerable.Range(0, PerPipeline)
                    .Select(i => (IReadOnlyList<object>)new object[] { "SET", $"{{a}}p{p}-{i}", "v" }).ToArray(),
                    bound.Token);
            result.Add(($"tls_{kind}_pipelined_ops_per_s",
                Math.Round(Pipelines * PerPipeline * 1000.0 / BenchContext.MsSince(t3))));
            BenchContext.Log($"tls run {run} {kind}: " + string.Join(" ", result.Select(x => $"{x.Item1}={x.Item2}")));
        }
        finally
        {
            await ctx.RemoveTopologyAsync(topology);
            BenchContext.ReleaseSubnet(subnet);
        }
        return result;
    }
}
