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

    /// <summary>The documentation's drill right after a coordinated failover and its fail-back: the primary is
    /// killed and its replica forced. Redis reuses the replica's last election, whose epoch is older than the
    /// slots' owner's, so the others keep the slots with the dead primary; the module must not report success
    /// before the slots are the new primary's, and they must stay its when the old primary returns.</summary>
    [Fact]
    public async Task AForcedFailoverRightAfterAFailBackGivesTheReplicaTheSlotsForGood()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 6, cluster: true);
        await Clusters.CreateAsync(nodes.Select(n => n.Name).ToArray(), 1, Ct);
        var replica = (await Clusters.GetNodesAsync(Topology, Ct)).First(n => n.Role == RedisRole.Replica);
        var slots = (await Clusters.GetNodesAsync(Topology, Ct)).Single(n => n.NodeId == replica.PrimaryId).SlotRanges;
        try
        {
            await Clusters.FailoverAsync(Topology, replica.Name!, ClusterFailoverMode.Coordinated, Ct);
            await Clusters.FailoverAsync(Topology, replica.PrimaryName!, ClusterFailoverMode.Coordinated, Ct);
            await Nodes.KillAsync(replica.PrimaryName!, Ct);
            var result = await Clusters.FailoverAsync(Topology, replica.Name!, ClusterFailoverMode.Force, Ct);
            Assert.Equal(replica.Name, result.NewPrimary);
            await AssertOwnsAsync(nodes.Where(n => n.Name != replica.PrimaryName), replica.NodeId!, slots, "after the failover");
            await Nodes.StartAsync(replica.PrimaryName!, Ct);
            await Waiter.UntilAsync(Sink, "old primary rejoining", TimeSpan.FromSeconds(60), async c =>
            {
                var old = (await Clusters.GetNodesAsync(Topology, c)).Single(n => n.Name == replica.PrimaryName);
                return (old.Role == RedisRole.Replica, $"{old.Name} is {old.Role}");
            }, Ct);
            await AssertOwnsAsync(nodes, replica.NodeId!, slots, "after the old primary came back");
        }
        catch (Exception)
        {
            await DumpAsync(nodes);
            throw;
        }
    }

    private async Task AssertOwnsAsync(IEnumerable<RedisNode> nodes, string id, IReadOnlyList<SlotRange> ranges, string when)
    {
        foreach (var n in nodes)
        {
            await using var c = await ConnectAsync(n);
            var owner = ClusterNodesParser.Parse((await c.ExecuteAsync("CLUSTER", "NODES")).AsString()).Single(e => e.Id == id);
            foreach (var r in ranges)
                Assert.True(owner.IsPrimary && owner.Slots.Contains(r.Start) && owner.Slots.Contains(r.End),
                    $"{when}: {n.Name} does not give the new primary slots {r}");
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
