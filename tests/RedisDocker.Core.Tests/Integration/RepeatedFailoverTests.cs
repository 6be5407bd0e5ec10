using System.Diagnostics;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;
using Xunit;
using Xunit.Abstractions;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>Coordinated cluster failovers between the same primary/replica pair in quick succession
/// (the documentation examples: Get-RedisClusterNode #2, the fixture failing back, Invoke-RedisFailover #1).</summary>
public class RepeatedFailoverTests : DockerTestBase
{
    private readonly ITestOutputHelper _out;

    public RepeatedFailoverTests(ITestOutputHelper output) : base("rfo") => _out = output;

    [Fact]
    public async Task QuickRepeatedCoordinatedFailoversOfOnePairEachEndWithEveryNodeAgreeing()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 6, cluster: true);
        await Clusters.CreateAsync(nodes.Select(n => n.Name).ToArray(), 1, Ct);
        var replica = (await Clusters.GetNodesAsync(Topology, Ct)).First(n => n.Role == RedisRole.Replica);
        var pair = new[] { replica.Name!, replica.PrimaryName! };
        var shown = 0;
        for (var round = 0; round < 3; round++)
        {
            var target = pair[round % 2];
            try
            {
                var result = await Clusters.FailoverAsync(Topology, target, ClusterFailoverMode.Coordinated, Ct);
                _out.WriteLine($"round {round}: {result.OldPrimary} -> {result.NewPrimary} in {result.Duration}");
                Assert.Equal(target, result.NewPrimary);
            }
            catch (Exception)
            {
                await DumpAsync(nodes);
                throw;
            }
            finally
            {
                var lines = Sink.Lines;
                foreach (var l in lines.Skip(shown).Where(l => l.Contains("FAILOVER") || l.Contains("asking again")))
                    _out.WriteLine(l);
                shown = lines.Count;
            }
            foreach (var n in nodes)
            {
                await using var c = await ConnectAsync(n);
                var view = ClusterNodesParser.Parse((await c.ExecuteAsync("CLUSTER", "NODES")).AsString());
                var (targetId, otherId) = target == replica.Name
                    ? (replica.NodeId, replica.PrimaryId) : (replica.PrimaryId, replica.NodeId);
                Assert.True(view.Single(e => e.Id == targetId).IsPrimary,
                    $"round {round}: {n.Name} still sees {target} as a replica");
                var other = view.Single(e => e.Id == otherId);
                Assert.True(other.IsReplica && other.PrimaryId == targetId,
                    $"round {round}: {n.Name}: the old primary is not {target}'s replica");
            }
        }
    }

    private async Task DumpAsync(IReadOnlyList<RedisNode> nodes)
    {
        foreach (var n in nodes)
        {
            try
            {
                await using var c = await ConnectAsync(n);
                _out.WriteLine($"==== {n.Name} CLUSTER NODES\n{(await c.ExecuteAsync("CLUSTER", "NODES")).AsString()}");
            }
            catch (Exception e) { _out.WriteLine($"{n.Name}: {e.Message}"); }
            var psi = new ProcessStartInfo("docker", $"logs --tail 60 {n.Name}")
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var p = Process.Start(psi)!;
            var o = await p.StandardOutput.ReadToEndAsync();
            var e2 = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            _out.WriteLine($"==== {n.Name} logs\n{o}{e2}");
        }
    }
}
