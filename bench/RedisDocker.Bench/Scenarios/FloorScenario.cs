using RedisDocker.Core.Topology;

namespace RedisDocker.Bench.Scenarios;

/// <summary>
/// The floor: NetworkOperations.CreateAsync / RemoveAsync of one network, and
/// NodeOperations.CreateAsync of one node until it is ready (PING through its published
/// 127.0.0.1 port), then RemoveAsync (container and volume). Compare with floor.sh.
/// </summary>
public sealed class FloorScenario : IScenario
{
    public string Short => "floor_module";
    public string Describe(BenchOptions o) => $", node runs {o.FloorNodeRuns}, network runs {o.FloorNetworkRuns}{(o.Warmup ? ", after one cold (unmeasured-in-median) round" : "")}";

    public async Task RunAsync(BenchContext ctx, Figures f)
    {
        var topology = BenchContext.NewTopology("fl");
        var networks = ctx.Session.Workflows(ctx.Sink).Networks;
        var nodes = ctx.Session.Workflows(ctx.Sink).Nodes;
        var ct = ctx.Ct;
        string? nodeSubnet = null;
        try
        {
            // (b) network create / remove
            var rounds = ctx.Options.FloorNetworkRuns + (ctx.Options.Warmup ? 1 : 0);
            for (var i = 0; i < rounds; i++)
            {
                var subnet = await ctx.FreeSubnetAsync();
                var name = $"{topology}-net{i}";
                var t0 = BenchContext.Now();
                await networks.CreateAsync(new NetworkSpec { Name = name, Subnet = subnet, Topology = topology }, ct);
                var t1 = BenchContext.Now();
                await networks.RemoveAsync(name, force: false, ct);
                var t2 = BenchContext.Now();
                BenchContext.ReleaseSubnet(subnet);
                var cold = ctx.Options.Warmup && i == 0;
                if (cold)
                {
                    f.Add("floor_module_cold_network_create_ms", BenchContext.Ms(t0, t1));
                    continue;
                }
                f.Add("floor_module_network_create_ms", BenchContext.Ms(t0, t1));
                f.Add("floor_module_network_rm_ms", BenchContext.Ms(t1, t2));
            }

            // (a) one node until ready, then removed with its volume
            nodeSubnet = await ctx.FreeSubnetAsync();
            await networks.CreateAsync(new NetworkSpec { Name = topology, Subnet = nodeSubnet, Topology = topology }, ct);
            rounds = ctx.Options.FloorNodeRuns + (ctx.Options.Warmup ? 1 : 0);
            for (var i = 0; i < rounds; i++)
            {
                var name = $"{topology}-n{i}";
                var t0 = BenchContext.Now();
                var result = (await nodes.CreateAsync(new[] { new NodeSpec { Name = name, Network = topology } }, ct)).Single();
                var t1 = BenchContext.Now();
                if (result.Error is not null) throw result.Error;
                await nodes.RemoveAsync(name, removeVolume: true, ct);
                var t2 = BenchContext.Now();
                var cold = ctx.Options.Warmup && i == 0;
                BenchContext.Log($"floor node {i}{(cold ? " (cold)" : "")}: create_to_ready={BenchContext.Ms(t0, t1)} remove={BenchContext.Ms(t1, t2)} (ms) at {result.Node!.HostEndpoint}");
                if (cold)
                {
                    f.Add("floor_module_cold_node_create_to_ready_ms", BenchContext.Ms(t0, t1));
                    continue;
                }
                f.Add("floor_module_node_create_to_ready_ms", BenchContext.Ms(t0, t1), raw: true);
                f.Add("floor_module_node_remove_ms", BenchContext.Ms(t1, t2));
            }
        }
        finally
        {
            await ctx.RemoveTopologyAsync(topology);
            BenchContext.ReleaseSubnet(nodeSubnet);
        }
    }
}
