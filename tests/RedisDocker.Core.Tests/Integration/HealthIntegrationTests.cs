using RedisDocker.Core.Docker;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>
/// Issue 9 items 7, 11 and 12: Get-RedisTopology's health reads every node's view and names what is wrong
/// (a failing cluster, an unknown member, primaries without slots, two primaries in a sentinel group, a node
/// back with another address), and a node that returned with another address is put back on its own.
/// </summary>
public class HealthIntegrationTests : DockerTestBase
{
    public HealthIntegrationTests() : base("hlth") { }

    private TopologyOperations Topologies => Session.Workflows(Sink).Topologies;

    private async Task<RedisTopology> TopologyAsync() => Assert.Single(await Topologies.GetAsync(Topology, Ct));

    /// <summary>Polls the topology's health until a problem matching <paramref name="match"/> shows (bounded).</summary>
    private async Task<RedisTopology> WaitForProblemAsync(Func<string, bool> match, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var t = await TopologyAsync();
            if (t.Problems.Any(match)) return t;
            if (DateTime.UtcNow > deadline) Assert.Fail($"no problem about {what} within 90 s; health {t.Health}: {string.Join(" | ", t.Problems)}");
            await Task.Delay(1000, Ct);
        }
    }

    private async Task<RedisTopology> WaitHealthyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var t = await TopologyAsync();
            if (t.Health == "Healthy") return t;
            if (DateTime.UtcNow > deadline) Assert.Fail($"not Healthy within 90 s: {t.Health}: {string.Join(" | ", t.Problems)}");
            await Task.Delay(1000, Ct);
        }
    }

    /// <summary>What `docker network disconnect` + `docker network connect` does: the node comes back with a new address.</summary>
    private async Task ReconnectWithoutItsAddressAsync(RedisNode node)
    {
        var docker = await Session.GetDockerAsync(Ct);
        await docker.DisconnectNetworkAsync(node.Network!, node.Name, force: true, Ct);
        // Take its address meanwhile with nothing, then connect without an address: Docker picks another one.
        var net = (await docker.InspectNetworkAsync(node.Network!, Ct))!;
        var free = NetworkOperations.FreeAddresses(net, new HashSet<string> { node.IPAddress! }).First();
        await docker.ConnectNetworkAsync(net.Id, node.Name, free, new[] { node.Name }, Ct);
        var moved = await Nodes.GetOneAsync(node.Name, Ct);
        Assert.NotEqual(node.IPAddress, moved.IPAddress);
    }

    [Fact]
    public async Task EveryNodeInClusterStateFailIsNamed()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 3, cluster: true);
        await Clusters.CreateAsync(nodes.Select(n => n.Name).ToArray(), 0, Ct);
        Assert.Equal("Healthy", (await TopologyAsync()).Health);

        // Slot 0 unassigned on every node (its owner too): every node reports cluster_state:fail, all still run.
        foreach (var n in nodes)
        {
            await using var c = await ConnectAsync(n);
            Assert.False((await c.ExecuteAsync("CLUSTER", "DELSLOTS", 0)).IsError);
        }
        var t = await WaitForProblemAsync(p => p.Contains("failing cluster", StringComparison.Ordinal), "cluster_state:fail");
        Assert.Equal("Degraded", t.Health);
        Assert.Equal(3, t.Running);
        var problem = t.Problems.First(p => p.Contains("failing cluster", StringComparison.Ordinal));
        Assert.All(nodes, n => Assert.Contains($"{n.Name}:fail", problem));
        Assert.StartsWith("3 of 3", problem);
    }

    [Fact]
    public async Task AnUnknownClusterMemberMakesHealthAndTestRedisClusterRed()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 3, cluster: true);
        await Clusters.CreateAsync(nodes.Select(n => n.Name).ToArray(), 0, Ct);
        Assert.Equal("Healthy", (await TopologyAsync()).Health);
        Assert.All(await Clusters.TestAsync(Topology, 0, Ct), c => Assert.True(c.Passed, c.ToString()));

        // A passwordless container on the topology's network (not a node of it) joins with CLUSTER MEET.
        var docker = await Session.GetDockerAsync(Ct);
        var ip = NetworkOperations.FreeAddresses((await docker.InspectNetworkAsync(net.Name, Ct))!, new HashSet<string>()).First();
        var intruder = Topology + "-intruder";
        await docker.CreateContainerAsync(new ContainerCreateSpec
        {
            Name = intruder,
            Image = TestImage,
            Cmd = new[] { "redis-server", "--cluster-enabled", "yes", "--protected-mode", "no", "--port", "6379" },
            Labels = new Dictionary<string, string> { [Labels.Managed] = "true", [Labels.Topology] = Topology },
            Network = net.Name,
            IPv4Address = ip,
        }, Ct);
        await docker.StartContainerAsync(intruder, Ct);
        await using (var c = await ConnectAsync(nodes[0]))
        {
            for (var i = 0; ; i++)
            {
                var r = await c.ExecuteAsync("CLUSTER", "MEET", ip, 6379);
                if (!r.IsError) break;
                Assert.True(i < 20, r.Text);
                await Task.Delay(250, Ct);
            }
        }

        var t = await WaitForProblemAsync(p => p.StartsWith("Unknown node", StringComparison.Ordinal), "the unknown member");
        Assert.Equal("Degraded", t.Health);
        Assert.Contains(t.Problems, p => p.Contains($"{ip}:6379", StringComparison.Ordinal) && p.Contains("no authentication", StringComparison.Ordinal));
        var check = Assert.Single(await Clusters.TestAsync(Topology, 0, Ct), c => c.Check == "NoUnknownNodes");
        Assert.False(check.Passed);
        Assert.Contains($"{ip}:6379", check.Detail);
    }

    [Fact]
    public async Task AnInterruptedCreateLeavingPrimariesWithoutSlotsOrNodesOutsideIsNamed()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 5, cluster: true);
        await Clusters.CreateAsync(nodes.Take(3).Select(n => n.Name).ToArray(), 0, Ct);
        // As if New-RedisCluster -ReplicasPerPrimary 1 stopped after the meets: node 4 joined as an empty
        // primary, node 5 was never met.
        await using (var c = await ConnectAsync(nodes[0]))
            // A cluster node listens on its host port number, with its bus at HostEndpoints.BusPortOf(port).
            Assert.False((await c.ExecuteAsync("CLUSTER", "MEET", nodes[3].IPAddress!, nodes[3].Port,
                HostEndpoints.BusPortOf(nodes[3].Port))).IsError);

        var t = await WaitForProblemAsync(p => p.Contains("no slots", StringComparison.Ordinal), "the primary without slots");
        Assert.Equal("Degraded", t.Health);
        Assert.Contains(t.Problems, p => p.Contains("no slots", StringComparison.Ordinal) && p.Contains(nodes[3].Name, StringComparison.Ordinal));
        Assert.Contains(t.Problems, p => p.Contains($"'{nodes[4].Name}' is cluster-enabled but not in the cluster", StringComparison.Ordinal));
        Assert.DoesNotContain(t.Problems, p => p.Contains(nodes[0].Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASentinelPrimaryBackWithAnotherAddressIsTwoPrimariesUntilStartPutsItBack()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 3);
        var replication = Session.Workflows(Sink).Replication;
        foreach (var r in nodes.Skip(1)) await replication.SetReplicaAsync(r.Name, nodes[0].Name, Ct);
        await Session.Workflows(Sink).Sentinels.CreateAsync(
            new SentinelGroupSpec { Primary = nodes[0].Name, Count = 3, Quorum = 2, DownAfterMs = 2000, FailoverTimeoutMs = 10000 }, Ct);
        await WaitHealthyAsync();

        await ReconnectWithoutItsAddressAsync(nodes[0]);
        // The sentinels lose the primary at its address and promote a replica; the old primary still accepts writes.
        var t = await WaitForProblemAsync(p => p.Contains("primaries", StringComparison.Ordinal), "two primaries");
        Assert.Equal("Degraded", t.Health);
        Assert.Contains(t.Problems, p => p.Contains("2 primaries", StringComparison.Ordinal) && p.Contains($"'{nodes[0].Name}'", StringComparison.Ordinal));
        Assert.Contains(t.Problems, p => p.Contains($"Node '{nodes[0].Name}' has address", StringComparison.Ordinal)
            && p.Contains($"its own {nodes[0].IPAddress}", StringComparison.Ordinal));

        // Restart-RedisNode puts it back at its own address, where the sentinels make it a replica.
        var back = await Nodes.RestartAsync(nodes[0].Name, 10, Ct);
        Assert.Equal(nodes[0].IPAddress, back.IPAddress);
        Assert.Equal(nodes[0].HostPort, back.HostPort);
        Assert.Contains(Sink.Lines, l => l.Contains("putting it back", StringComparison.Ordinal));
        var healthy = await WaitHealthyAsync();
        Assert.Empty(healthy.Problems);
        var primaries = (await Nodes.GetAsync(new NodeFilter { Topology = Topology, IncludeSentinels = false }, Ct)).Count(n => n.Role == RedisRole.Primary);
        Assert.Equal(1, primaries);
    }

    [Fact]
    public async Task AClusterNodeBackWithAnotherAddressIsNamedAndRepairPutsItBack()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 3, cluster: true);
        await Clusters.CreateAsync(nodes.Select(n => n.Name).ToArray(), 0, Ct);

        await ReconnectWithoutItsAddressAsync(nodes[1]);
        // The other nodes cannot reach it where they know it (whether the cluster fails depends on the traffic
        // it still sends them): health names the node and the way back.
        var t = await WaitForProblemAsync(p => p.Contains($"Node '{nodes[1].Name}' has address", StringComparison.Ordinal), "the moved node");
        Assert.Equal("Degraded", t.Health);
        Assert.Contains(t.Problems, p => p.Contains($"its own {nodes[1].IPAddress}", StringComparison.Ordinal)
            && p.Contains("Repair-RedisCluster", StringComparison.Ordinal));

        var actions = await Clusters.RepairAsync(Topology, Ct);
        Assert.Contains(actions, a => a.StartsWith(nodes[1].Name, StringComparison.Ordinal) && a.Contains("own address", StringComparison.Ordinal));
        Assert.Equal(nodes[1].IPAddress, (await Nodes.GetOneAsync(nodes[1].Name, Ct)).IPAddress);
        await WaitHealthyAsync();
        Assert.All(await Clusters.TestAsync(Topology, 0, Ct), c => Assert.True(c.Passed, c.ToString()));
    }

    [Fact]
    public async Task ConnectRedisNetworkPutsANodeBackOnItsOwnNetworkAtItsOwnAddress()
    {
        var net = await NewNetworkAsync();
        var node = (await NewNodesAsync(net.Name, 1))[0];
        await Networks.DisconnectAsync(node.Name, net.Name, force: true, Ct);
        await Networks.ConnectAsync(node.Name, net.Name, null, Ct);
        var back = await Nodes.GetOneAsync(node.Name, Ct);
        Assert.Equal(node.IPAddress, back.IPAddress);
        Assert.Equal(node.HostPort, back.HostPort);
    }
}
