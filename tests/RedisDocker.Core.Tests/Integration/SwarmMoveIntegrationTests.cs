using System.Diagnostics;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>
/// Issue 15, items 4 (a drained swarm node) and 5 (export/import of an overlay topology): three extra Docker
/// engines (tests/multihost/engine.sh, never the main engine) in one Docker Swarm (swarm.sh), a 3x1 cluster on an
/// overlay across two of them. The JSON export records the overlay and each node's engine and swarm node; the
/// topology is removed and imported again from it (one engine named by an endpoint that is gone, found by its swarm
/// node). Then one engine is drained: Docker moves none of the module's containers (they are not services), and
/// Move-RedisNode moves its Redis nodes to the third engine. Swarm and engines are left as found.
/// </summary>
public class SwarmMoveIntegrationTests : IAsyncLifetime
{
    private const string Manager = "rdkst1";
    private const string Drained = "rdkst2";
    private const string Spare = "rdkst3";
    private const string Subnet = "172.30.95.0/24";   // only inside the three engines' network namespaces
    private const string Password = "swarm-move-password";
    private readonly Dictionary<string, string> _env = new();
    private readonly string _topology = $"tst-{Guid.NewGuid().ToString("N")[..6]}";
    private readonly CancellationTokenSource _cts = new(TimeSpan.FromMinutes(10));
    private readonly RecordingSink _sink = new();
    private RedisDockerSession? _session;
    private CancellationToken Ct => _cts.Token;
    private RedisDockerSession Session => _session!;
    private string Tcp(string engine) => _env[$"{engine}.RDK_DOCKER_TCP"];
    private string Addr(string engine) => _env[$"{engine}.RDK_ENGINE_ADDR"];

    public async Task InitializeAsync()
    {
        foreach (var (name, index) in new[] { (Manager, "95"), (Drained, "96"), (Spare, "97") })
            Parse(await RepoPaths.MultiHostScriptAsync("engine.sh", "up", name, index), name);
        Parse(await RepoPaths.MultiHostScriptAsync("swarm.sh", "up", Manager, Drained, Spare), "swarm");
        _session = new RedisDockerSession(DockerEndpoint.Parse(Tcp(Manager)))
        {
            DefaultImage = DockerTestBase.TestImage,
        };
        Session.AddHost(DockerEndpoint.Parse(Tcp(Drained)));
        Session.AddHost(DockerEndpoint.Parse(Tcp(Spare)));
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_session is not null)
            {
                foreach (var host in Session.Hosts.Reverse())
                {
                    using var s = new RedisDockerSession(host);
                    try { await DockerTestBase.RemoveTopologyAsync(s, _topology); } catch (Exception) { }
                }
                _session.Dispose();
            }
        }
        finally
        {
            try { await RepoPaths.MultiHostScriptAsync("swarm.sh", "down", Spare, Drained, Manager); }
            finally
            {
                try { await RepoPaths.MultiHostScriptAsync("engine.sh", "down", Spare); }
                finally
                {
                    try { await RepoPaths.MultiHostScriptAsync("engine.sh", "down", Drained); }
                    finally
                    {
                        await RepoPaths.MultiHostScriptAsync("engine.sh", "down", Manager);
                        _cts.Dispose();
                    }
                }
            }
        }
    }

    private void Parse(string output, string prefix)
    {
        foreach (var line in output.Split('\n'))
            if (line.Split('=', 2) is [var k, var v]) _env[$"{prefix}.{k.Trim()}"] = v.Trim();
    }

    [Fact]
    public async Task AnOverlayClusterRoundTripsThroughItsExportAndLeavesADrainedSwarmNodeWithMoveRedisNode()
    {
        var w = Session.Workflows(_sink);
        var swarm = await w.Swarm.RefreshAsync(Ct);
        Assert.Equal(3, swarm.Count);
        var nodeOf = swarm.ToDictionary(n => n.DockerHost!, n => n);

        await w.Networks.CreateAsync(new NetworkSpec
        {
            Name = _topology, Subnet = Subnet, Driver = "overlay", DockerHost = Tcp(Manager),
        }, Ct);
        var specs = Enumerable.Range(1, 6).Select(i => new NodeSpec
        {
            Name = $"{_topology}-{i}",
            Network = _topology,
            ClusterEnabled = true,
            Password = Password,
            DockerHost = Tcp(i % 2 == 1 ? Manager : Drained),
            HostIp = Addr(i % 2 == 1 ? Manager : Drained),
        }).ToArray();
        var made = await w.Nodes.CreateAsync(specs, Ct);
        Assert.All(made, r => Assert.True(r.Error is null, r.Error?.ToString()));
        Assert.Equal("ok", (await w.Cluster.CreateAsync(specs.Select(s => s.Name).ToArray(), 1, Ct)).State);
        var before = (await w.Nodes.GetAsync(new NodeFilter { Topology = _topology }, Ct))
            .ToDictionary(n => n.Name);

        // ---- item 5: the JSON export records the overlay, each node's engine, swarm node and published address.
        var spec = await w.Topologies.ExportAsync(_topology, Ct);
        var json = TopologyOperations.ToJson(spec);
        var net = Assert.Single(spec.Networks);
        Assert.Equal("overlay", net.Driver);
        Assert.Equal(Tcp(Manager), net.DockerHost);
        Assert.Contains("\"driver\": \"overlay\"", json);
        foreach (var n in spec.Nodes)
        {
            var engine = before[n.Name].DockerHost;
            Assert.Equal(engine, n.DockerHost);
            Assert.Equal(nodeOf[engine].Name, n.SwarmNode);
            Assert.Equal(nodeOf[engine].Id, n.SwarmNodeId);
            Assert.Equal(EndpointMap.Split(before[n.Name].HostEndpoint!).Host, n.HostAddress);
            Assert.Contains($"\"swarmNodeId\": \"{n.SwarmNodeId}\"", json);
        }

        await w.Topologies.RemoveAsync(_topology, keepVolumes: false, Ct);
        // An engine the spec names that does not answer, with no swarm node to find it by: a clear error, nothing made.
        const string gone = "unix:///run/rdk-st-gone.sock";
        var lost = spec with
        {
            Nodes = spec.Nodes.Select(n => n.DockerHost == Tcp(Drained)
                ? n with { DockerHost = gone, SwarmNodeId = null } : n).ToArray(),
        };
        var refused = await Assert.ThrowsAsync<RedisDockerException>(() =>
            w.Topologies.ImportAsync(TopologyOperations.FromJson(TopologyOperations.ToJson(lost)), Password, Ct));
        Assert.True(refused.ErrorId == ErrorIds.DockerUnreachable, $"{refused.ErrorId}: {refused.Message}");
        Assert.Contains(gone, refused.Message);
        Assert.Contains("Connect-RedisDocker", refused.Message);
        foreach (var host in Session.Hosts)
        {
            var docker = await Session.GetDockerAsync(host.ToString(), Ct);
            Assert.Empty(await docker.ListContainersAsync(Labels.ForTopology(_topology), all: true, Ct));
        }

        // The same engine under an endpoint that is gone, but with its swarm node recorded: found by the swarm node.
        var moved = spec with
        {
            Nodes = spec.Nodes.Select(n => n.DockerHost == Tcp(Drained) ? n with { DockerHost = gone } : n).ToArray(),
        };
        await w.Topologies.ImportAsync(TopologyOperations.FromJson(TopologyOperations.ToJson(moved)), Password, Ct);
        var imported = (await w.Nodes.GetAsync(new NodeFilter { Topology = _topology }, Ct)).ToDictionary(n => n.Name);
        Assert.Equal(6, imported.Count);
        foreach (var (name, old) in before)
        {
            Assert.Equal(old.DockerHost, imported[name].DockerHost);
            Assert.Equal(old.IPAddress, imported[name].IPAddress);
            Assert.Equal(old.SwarmNode, imported[name].SwarmNode);
        }
        var overlay = await Swarm.OverlayNetworks.FindAsync(Session, _topology, _sink, Ct);
        Assert.Equal("overlay", overlay!.Driver);
        Assert.All(await w.Cluster.TestAsync(_topology, 1, Ct), c => Assert.True(c.Passed, c.ToString()));

        var cmd = w.Commands;
        for (var i = 0; i < 30; i++)
            Assert.Equal("OK", await cmd.InvokeOnClusterAsync(_topology, new object[] { "SET", $"k{i}", i }, Ct));

        // ---- item 4: the swarm node is drained; Docker moves none of the module's containers.
        var drainedNode = nodeOf[Tcp(Drained)];
        await DockerCliAsync("-H", Tcp(Manager), "node", "update", "--availability", "drain", drainedNode.Id);
        swarm = await w.Swarm.RefreshAsync(Ct);
        Assert.Equal("drain", swarm.Single(n => n.Id == drainedNode.Id).Availability);
        var onDrained = (await w.Nodes.GetAsync(new NodeFilter { Topology = _topology }, Ct))
            .Where(n => n.DockerHost == Tcp(Drained)).ToList();
        Assert.Equal(3, onDrained.Count);
        Assert.All(onDrained, n => Assert.Equal("running", n.State));

        // Nothing is moved onto a drained swarm node.
        var toDrained = await Assert.ThrowsAsync<RedisDockerException>(() => w.Topologies.MoveNodeAsync(
            new NodeMoveSpec { Name = $"{_topology}-1", SwarmNode = drainedNode.Name }, Ct));
        Assert.Equal(ErrorIds.InvalidArgument, toDrained.ErrorId);
        Assert.Contains("drain", toDrained.Message);

        // At least one primary on the drained engine, so a move fails over first.
        var roles = await w.Cluster.GetNodesAsync(_topology, Ct);
        if (!roles.Any(m => m.Role == RedisRole.Primary && onDrained.Any(n => n.Name == m.Name)))
            await w.Cluster.FailoverAsync(_topology, roles.First(m => onDrained.Any(n => n.Name == m.Name)).Name!,
                ClusterFailoverMode.Coordinated, Ct);
        var spare = nodeOf[Tcp(Spare)];
        foreach (var n in onDrained)
        {
            var after = await w.Topologies.MoveNodeAsync(new NodeMoveSpec { Name = n.Name, SwarmNode = spare.Name },
                Ct);
            Assert.Equal(Tcp(Spare), after.DockerHost);
            Assert.Equal(spare.Name, after.SwarmNode);
            Assert.Equal(n.IPAddress, after.IPAddress);
            Assert.Equal(Addr(Spare), EndpointMap.Split(after.HostEndpoint!).Host);
        }

        // Nothing of the topology is left on the drained engine; the cluster is whole, every key readable, and each
        // primary has its replica on another engine, synced over the overlay.
        var drainedDocker = await Session.GetDockerAsync(Tcp(Drained), Ct);
        Assert.Empty(await drainedDocker.ListContainersAsync(Labels.ForTopology(_topology), all: true, Ct));
        Assert.Empty(await drainedDocker.ListVolumesAsync(Labels.ForTopology(_topology), Ct));
        Assert.All(await w.Cluster.TestAsync(_topology, 1, Ct), c => Assert.True(c.Passed, c.ToString()));
        for (var i = 0; i < 30; i++)
            Assert.Equal(i.ToString(), await cmd.InvokeOnClusterAsync(_topology, new object[] { "GET", $"k{i}" }, Ct));
        var nodes = (await w.Nodes.GetAsync(new NodeFilter { Topology = _topology }, Ct)).ToDictionary(n => n.Name);
        var members = await w.Cluster.GetNodesAsync(_topology, Ct);
        foreach (var p in members.Where(m => m.Role == RedisRole.Primary))
        {
            var replica = Assert.Single(p.Replicas);
            Assert.NotEqual(nodes[p.Name!].DockerHost, nodes[replica].DockerHost);
            var (host, port) = EndpointMap.Split(p.HostEndpoint!);
            await using var c = await RespConnection.ConnectAsync(host, port,
                new RespConnectionOptions { Password = Password }, Ct);
            Assert.Equal(1, (await c.ExecuteAsync("WAIT", 1, 5000)).AsInt64());
        }

        await w.Topologies.RemoveAsync(_topology, keepVolumes: false, Ct);
    }

    private static async Task DockerCliAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await p.WaitForExitAsync(bound.Token);
        Assert.True(p.ExitCode == 0, $"docker {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}");
    }
}
