using RedisDocker.Core.Resp;
using RedisDocker.Core.Security;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>Issue 12: the module's workflows on TLS topologies (every link TLS, peers checked against the topology
/// CA).</summary>
public class TlsWorkflowTests : DockerTestBase
{
    public TlsWorkflowTests() : base("tls") { }

    private SentinelOperations Sentinels => Session.Workflows(Sink).Sentinels;

    [Fact]
    public async Task ATlsClusterIsCreatedFailedOverGrownAndRestarted()
    {
        var net = await NewNetworkAsync();
        var cluster = await Session.Workflows(Sink).ClusterBuilder.CreateFromScratchAsync(new ClusterFromScratchSpec
        {
            Network = net.Name, Count = 6, ReplicasPerPrimary = 1, Tls = new TlsOptions(),
        }, Ct);
        Assert.Equal("ok", cluster.State);
        Assert.All(await Clusters.TestAsync(Topology, 1, Ct), c => Assert.True(c.Passed, c.ToString()));

        // Every node listens on TLS only, checks client certificates, and uses TLS on the bus and replication.
        var nodes = await Nodes.GetAsync(new NodeFilter { Topology = Topology }, Ct);
        var password = await Session.GetPasswordAsync(Topology, Ct);
        foreach (var n in nodes)
        {
            Assert.Equal("yes", n.Labels[TlsFiles.Label]);
            var conf = (await Session.SendAsync(n.HostEndpoint!, password,
                new object[] { "CONFIG", "GET", "tls-*" }, Ct)).AsArray()!.Select(v => v.AsString()).ToArray();
            string Get(string k) => conf[Array.IndexOf(conf, k) + 1]!;
            Assert.Equal("yes", Get("tls-cluster"));
            Assert.Equal("yes", Get("tls-replication"));
            Assert.Equal("yes", Get("tls-auth-clients"));
            Assert.Equal(n.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Get("tls-port"));
            Assert.DoesNotContain(n.Labels.Values, v => v.Contains("BEGIN", StringComparison.Ordinal));
        }

        var cmd = Session.Workflows(Sink).Commands;
        for (var i = 0; i < 20; i++)
            Assert.Equal("OK", await cmd.InvokeOnClusterAsync(Topology, new object[] { "SET", $"k{i}", $"v{i}" }, Ct));

        // A coordinated failover: the replica's TLS replication link carried the data, the bus agrees.
        var members = await Clusters.GetNodesAsync(Topology, Ct);
        var replica = members.First(m => m.Role == RedisRole.Replica);
        var result = await Clusters.FailoverAsync(Topology, replica.Name!, ClusterFailoverMode.Coordinated, Ct);
        Assert.Equal(replica.Name, result.NewPrimary);

        // A node added without -Tls inherits the topology's TLS and joins as a replica over the TLS bus.
        var added = (await Nodes.CreateAsync(new[]
        {
            new NodeSpec { Name = Topology + "-7", Network = net.Name, ClusterEnabled = true },
        }, Ct)).Single();
        Assert.Null(added.Error);
        Assert.Equal("yes", added.Node!.Labels[TlsFiles.Label]);
        var primary = (await Clusters.GetNodesAsync(Topology, Ct)).First(m => m.Role == RedisRole.Primary);
        await Clusters.AddNodeAsync(Topology, added.Name, primary.Name, Ct);

        // A restart keeps the key material (it lives in the volume) and the cluster heals.
        await Nodes.RestartAsync(primary.Name!, 10, Ct);
        await Clusters.WaitHealthyAsync(Topology, Ct);
        for (var i = 0; i < 20; i++)
            Assert.Equal($"v{i}", await cmd.InvokeOnClusterAsync(Topology, new object[] { "GET", $"k{i}" }, Ct));
        Assert.Equal(7, (await Clusters.GetNodesAsync(Topology, Ct)).Count);

        // -Tls on a node of this TLS topology with other client-auth settings is refused before anything is made.
        var ex = await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.CreateAsync(new[]
        {
            new NodeSpec
            {
                Name = Topology + "-8", Network = net.Name, ClusterEnabled = true,
                Tls = new TlsOptions { ClientAuth = TlsClientAuth.Optional },
            },
        }, Ct));
        Assert.Equal(ErrorIds.TopologyMismatch, ex.ErrorId);
    }

    [Fact]
    public async Task ATlsTopologyIsExportedAndImportedWithTlsAndNoKeyMaterial()
    {
        var net = await NewNetworkAsync();
        await Session.Workflows(Sink).ClusterBuilder.CreateFromScratchAsync(new ClusterFromScratchSpec
        {
            Network = net.Name, Count = 3, ReplicasPerPrimary = 0,
            Tls = new TlsOptions { ClientAuth = TlsClientAuth.Optional },
        }, Ct);
        var topologies = Session.Workflows(Sink).Topologies;
        var spec = await topologies.ExportAsync(Topology, Ct);
        var json = TopologyOperations.ToJson(spec);
        Assert.DoesNotContain("BEGIN", json);
        // The Compose export names the TLS directives and the files the user supplies, and holds no key.
        var yaml = Assert.Single(TopologyOperations.ToCompose(spec)).Value;
        foreach (var directive in new[]
                 {
                     $"\"--tls-port\", \"{spec.Nodes[0].Port}\"", "\"--port\", \"0\"", "\"--tls-cluster\", \"yes\"",
                     "\"--tls-replication\", \"yes\"", "\"--tls-auth-clients\", \"optional\"", "/tls/node.key",
                     "/tls/ca.crt",
                 })
            Assert.Contains(directive, yaml);
        Assert.DoesNotContain("BEGIN", yaml);
        Assert.DoesNotContain("PRIVATE", yaml);
        await TopologyIntegrationTests.AssertComposeValidAsync(yaml, Ct);
        Assert.DoesNotContain("tls-cert-file", json);
        Assert.Contains("\"optional\"", json);
        await topologies.RemoveAsync(Topology, keepVolumes: false, Ct);

        var imported = await topologies.ImportAsync(TopologyOperations.FromJson(json), null, Ct,
            dockerHost: Session.DockerHost);
        Assert.Equal("Healthy", imported.Health);
        var nodes = await Nodes.GetAsync(new NodeFilter { Topology = Topology }, Ct);
        Assert.Equal(3, nodes.Count);
        Assert.All(nodes, n => Assert.Equal("optional", n.Labels[TlsFiles.Label]));
        var cmd = Session.Workflows(Sink).Commands;
        Assert.Equal("OK", await cmd.InvokeOnClusterAsync(Topology, new object[] { "SET", "k", "v" }, Ct));
        Assert.Equal("v", await cmd.InvokeOnClusterAsync(Topology, new object[] { "GET", "k" }, Ct));
    }

    [Fact]
    public async Task ATlsSentinelGroupFailsOverAKilledPrimaryIsGrownAndExportedAndImported()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 3, customize: (_, s) => s with { Tls = new TlsOptions() });
        var replication = Session.Workflows(Sink).Replication;
        foreach (var r in nodes.Skip(1)) await replication.SetReplicaAsync(r.Name, nodes[0].Name, Ct);
        var group = await Sentinels.CreateAsync(new SentinelGroupSpec
        {
            Primary = nodes[0].Name, Count = 3, Quorum = 2, DownAfterMs = 2000, FailoverTimeoutMs = 10000,
        }, Ct);
        Assert.True(group.QuorumOk, group.CkQuorum);
        var sentinels = await Nodes.GetAsync(new NodeFilter { Topology = Topology, SentinelsOnly = true }, Ct);
        Assert.Equal(3, sentinels.Count);
        Assert.All(sentinels, s => Assert.Equal("yes", s.Labels[TlsFiles.Label]));

        await Nodes.KillAsync(nodes[0].Name, Ct);
        var result = await Sentinels.FailoverAsync(Topology, group.MasterName, waitOnly: true, TimeSpan.FromSeconds(60),
            Ct);
        Assert.Contains(result.NewPrimary, nodes.Skip(1).Select(r => r.Name));
        var newPrimary = await Nodes.GetOneAsync(result.NewPrimary, Ct);
        var password = await Session.GetPasswordAsync(Topology, Ct);
        Assert.Equal("OK", (await Session.SendAsync(newPrimary.HostEndpoint!, password,
            new object[] { "SET", "after", "1" }, Ct)).AsString());

        // The old primary back (a replica now), and the group grown by a node: a replica added to the TLS topology
        // is TLS by itself, links over TLS, and the sentinels find it.
        await Nodes.StartAsync(nodes[0].Name, Ct);
        var added = Assert.Single(await Nodes.CreateAsync(new[]
        {
            new NodeSpec { Name = $"{Topology}-4", Network = net.Name },
        }, Ct));
        Assert.True(added.Error is null, added.Error?.ToString());
        Assert.Equal("yes", added.Node!.Labels[TlsFiles.Label]);
        await replication.SetReplicaAsync(added.Name, result.NewPrimary!, Ct);
        await WaitForGroupAsync(group.MasterName, result.NewPrimary!, replicas: 3);

        // Exported and imported: the same group, TLS on every node and sentinel, a new CA, no key in the spec.
        var topologies = Session.Workflows(Sink).Topologies;
        var json = TopologyOperations.ToJson(await topologies.ExportAsync(Topology, Ct));
        Assert.DoesNotContain("BEGIN", json);
        Assert.DoesNotContain("PRIVATE", json);
        await topologies.RemoveAsync(Topology, keepVolumes: false, Ct);
        await topologies.ImportAsync(TopologyOperations.FromJson(json), null, Ct, dockerHost: Session.DockerHost);
        var all = await Nodes.GetAsync(new NodeFilter { Topology = Topology }, Ct);
        Assert.Equal(7, all.Count);
        Assert.All(all, n => Assert.Equal("yes", n.Labels[TlsFiles.Label]));
        await WaitForGroupAsync(group.MasterName, result.NewPrimary!, replicas: 3);
        var primary = await Nodes.GetOneAsync(result.NewPrimary!, Ct);
        Assert.Equal("OK", (await Session.SendAsync(primary.HostEndpoint!, await Session.GetPasswordAsync(Topology, Ct),
            new object[] { "SET", "imported", "1" }, Ct)).AsString());
    }

    /// <summary>Waits until the sentinels agree on the primary, all three answer and see the replicas.</summary>
    private async Task WaitForGroupAsync(string masterName, string primary, int replicas)
    {
        await Waiter.UntilAsync(Sink, "the TLS group whole", TimeSpan.FromSeconds(90), async c =>
        {
            var g = (await Sentinels.GetAsync(Topology, masterName, c)).Single();
            var ok = g.QuorumOk && g.ReachableSentinels == 3 && g.Replicas.Count == replicas && g.Primary == primary;
            return (ok, $"primary {g.Primary}, {g.ReachableSentinels} sentinels, {g.Replicas.Count} replicas");
        }, Ct, pollMs: 500);
    }
}
