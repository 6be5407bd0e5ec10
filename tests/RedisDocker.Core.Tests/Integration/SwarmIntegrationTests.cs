using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>
/// Issue 15: two extra Docker engines (tests/multihost/engine.sh, never the main engine) linked and joined into a
/// Docker Swarm (tests/multihost/swarm.sh); one attachable overlay network across them; a cluster whose nodes
/// talk over container addresses on the overlay (no host networking, no announce address); the loss of one
/// engine, failover, the engine back, the cluster whole again. Swarm and engines are left as found.
/// </summary>
public class SwarmIntegrationTests : IAsyncLifetime
{
    private const string Manager = "rdksw1";
    private const string Worker = "rdksw2";
    private const string Subnet = "172.30.78.0/24";   // only inside the two engines' network namespaces
    private readonly string _topology = $"tsw-{Guid.NewGuid().ToString("N")[..6]}";
    private readonly CancellationTokenSource _cts = new(TimeSpan.FromMinutes(8));
    private readonly RecordingSink _sink = new();
    private TestSwarm? _swarm;
    private CancellationToken Ct => _cts.Token;
    private RedisDockerSession Session => _swarm!.Session;

    public async Task InitializeAsync() =>
        _swarm = await TestSwarm.UpAsync(_topology, (Manager, "78"), (Worker, "79"));

    public async Task DisposeAsync()
    {
        try { if (_swarm is not null) await _swarm.DisposeAsync(); }
        finally { _cts.Dispose(); }
    }

    [Fact]
    public async Task AClusterOverAnOverlayAcrossTwoSwarmEnginesSurvivesTheLossOfOne()
    {
        var managerHost = _swarm!.Tcp(Manager);
        var workerHost = _swarm!.Tcp(Worker);
        var networks = Session.Workflows(_sink).Networks;
        var nodes = Session.Workflows(_sink).Nodes;
        var clusters = Session.Workflows(_sink).Cluster;

        // The session knows the swarm: two nodes, which engine serves which.
        var swarm = await Session.Workflows(_sink).Swarm.RefreshAsync(Ct);
        Assert.Equal(2, swarm.Count);
        var managerNode = Assert.Single(swarm, n => n.Role == "manager");
        var workerNode = Assert.Single(swarm, n => n.Role == "worker");
        Assert.Equal(managerHost, managerNode.DockerHost);
        Assert.Equal(workerHost, workerNode.DockerHost);
        Assert.Equal(_swarm!.SwarmNodeId(Worker), workerNode.Id);
        Assert.All(swarm, n => Assert.True(n.Usable, $"{n.Name}: {n.State}/{n.Availability}"));
        Assert.Equal(2, swarm.Select(n => n.Name).Distinct().Count());

        // A worker cannot make an overlay network: the error says to use a manager.
        var refused = await Assert.ThrowsAsync<RedisDockerException>(() => networks.CreateAsync(new NetworkSpec
        {
            Name = _topology + "-w", Subnet = "172.30.79.0/24", Driver = "overlay", DockerHost = workerHost,
        }, Ct));
        Assert.Equal(ErrorIds.NotASwarmManager, refused.ErrorId);

        var net = await networks.CreateAsync(new NetworkSpec
        {
            Name = _topology, Subnet = Subnet, Driver = "overlay", DockerHost = managerHost,
        }, Ct);
        Assert.Equal("overlay", net.Driver);

        // Six cluster nodes placed by the module over the swarm's two nodes (no -DockerHost): three per engine,
        // each published on its own engine's address.
        var specs = Enumerable.Range(1, 6).Select(i => new NodeSpec
        {
            Name = $"{_topology}-{i}",
            Network = _topology,
            ClusterEnabled = true,
            Password = "swarm-password",
        }).ToArray();
        var made = await nodes.CreateAsync(specs, Ct);
        Assert.All(made, r => Assert.True(r.Error is null, r.Error?.ToString()));
        var overlay = IPv4Cidr.Parse(Subnet);
        foreach (var r in made)
        {
            // Static overlay addresses above the range Docker allocates from itself, no host network.
            Assert.True(overlay.Contains(r.Node!.IPAddress!), r.Node.IPAddress);
            Assert.True(IPv4Cidr.TryParseAddress(r.Node.IPAddress, out var a) && a >= overlay.Network + 32);
            Assert.Equal(_topology, r.Node.Network);
            Assert.Null(r.Node.Labels.GetValueOrDefault(Labels.HostNetwork));
        }
        Assert.Equal(6, made.Select(r => r.Node!.IPAddress).Distinct().Count());
        Assert.All(made, r => Assert.Equal(r.Node!.DockerHost == managerHost ? managerNode.Name : workerNode.Name,
            r.Node.SwarmNode));
        Assert.Equal(2, made.Select(r => r.Node!.DockerHost).Distinct().Count());
        Assert.All(made.GroupBy(r => r.Node!.DockerHost), g => Assert.Equal(3, g.Count()));
        Assert.All(made, r => Assert.Equal(r.Node!.DockerHost == managerHost ? _swarm!.Addr(Manager)
            : _swarm!.Addr(Worker), EndpointMap.Split(r.Node.HostEndpoint!).Host));

        var cluster = await clusters.CreateAsync(specs.Select(s => s.Name).ToArray(), 1, Ct);
        Assert.Equal("ok", cluster.State);
        var members = await clusters.GetNodesAsync(_topology, Ct);
        var hostOf = made.ToDictionary(r => r.Name, r => r.Node!.DockerHost);
        foreach (var p in members.Where(m => m.Role == RedisRole.Primary))
        {
            Assert.Single(p.Replicas);
            Assert.All(p.Replicas, r => Assert.NotEqual(hostOf[p.Name!], hostOf[r]));
        }

        var cmd = Session.Workflows(_sink).Commands;
        for (var i = 0; i < 30; i++)
            Assert.Equal("OK", await cmd.InvokeOnClusterAsync(_topology, new object[] { "SET", $"k{i}", i }, Ct));
        foreach (var p in members.Where(m => m.Role == RedisRole.Primary))
        {
            var (host, port) = EndpointMap.Split(p.HostEndpoint!);
            await using var c = await RespConnection.ConnectAsync(host, port,
                new RespConnectionOptions { Password = "swarm-password" }, Ct);
            // The replica on the other engine took the writes over the overlay.
            Assert.Equal(1, (await c.ExecuteAsync("WAIT", 1, 5000)).AsInt64());
        }

        // The worker's machine is lost: the manager's replicas take over its slots.
        await RepoPaths.MultiHostScriptAsync("engine.sh", "cut", Worker);
        var recovering = "cluster recovering on the manager's engine";
        await Waiter.UntilAsync(_sink, recovering, TimeSpan.FromSeconds(90), async c =>
        {
            var missing = 0;
            for (var i = 0; i < 30; i++)
            {
                try
                {
                    if (!Equals(await cmd.InvokeOnClusterAsync(_topology, new object[] { "GET", $"k{i}" }, c),
                            i.ToString())) missing++;
                }
                catch (Exception e) when (e is RedisDockerException or RedisException) { missing++; }
            }
            return (missing == 0, $"{missing} keys unreadable");
        }, Ct, pollMs: 500);
        // The swarm says which machine is gone.
        await Waiter.UntilAsync(_sink, "the worker down in the swarm", TimeSpan.FromSeconds(60), async c =>
        {
            var now = await Session.Workflows(_sink).Swarm.RefreshAsync(c);
            var w = now.Single(n => n.Id == workerNode.Id);
            return (w.State == "down", w.State);
        }, Ct, pollMs: 1000);
        // The keys answer through the redirects of the nodes that know of the promotions; the node the roles are
        // read from may learn of the last one a moment later.
        await Waiter.UntilAsync(_sink, "three primaries on the manager", TimeSpan.FromSeconds(30), async c =>
        {
            var survivors = await clusters.GetNodesAsync(_topology, c);
            var primaries = survivors.Count(m =>
                m.Role == RedisRole.Primary && !m.Failing && hostOf[m.Name!] == managerHost);
            return (primaries == 3, $"{primaries} working primaries on the manager");
        }, Ct, pollMs: 500);

        // The machine returns: its nodes rejoin as replicas over the overlay, the cluster is whole again.
        await RepoPaths.MultiHostScriptAsync("engine.sh", "heal", Worker);
        await Waiter.UntilAsync(_sink, "worker's nodes rejoining", TimeSpan.FromSeconds(120), async c =>
        {
            var checks = await clusters.TestAsync(_topology, 1, c);
            return (checks.All(x => x.Passed), string.Join("; ", checks.Where(x => !x.Passed)));
        }, Ct, pollMs: 1000);
        for (var i = 0; i < 30; i++)
            Assert.Equal(i.ToString(), await cmd.InvokeOnClusterAsync(_topology, new object[] { "GET", $"k{i}" }, Ct));

        // Remove-RedisTopology removes the containers of both engines, then the overlay through the manager.
        await Session.Workflows(_sink).Topologies.RemoveAsync(_topology, keepVolumes: false, Ct);
        foreach (var host in new[] { managerHost, workerHost })
        {
            var docker = await Session.GetDockerAsync(host, Ct);
            Assert.Empty(await docker.ListContainersAsync(Labels.ForTopology(_topology), all: true, Ct));
            Assert.Empty(await docker.ListNetworksAsync(Labels.ForTopology(_topology), Ct));
        }
    }
}
