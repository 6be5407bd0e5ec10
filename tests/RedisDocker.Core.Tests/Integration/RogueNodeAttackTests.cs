using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Security;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>
/// Issue 12, the bug report as a test: a passwordless container attached to a cluster's network joins the
/// cluster bus (CLUSTER MEET, no authentication there) and takes a primary's slots (CLUSTER REPLICATE, then
/// CLUSTER FAILOVER TAKEOVER). Against a plain cluster it succeeds; against a -Tls cluster (tls-cluster,
/// tls-auth-clients) the rogue, holding no certificate of the topology's CA, never joins, and a plain-text
/// client is refused on the published port.
/// </summary>
public class RogueNodeAttackTests : DockerTestBase
{
    public RogueNodeAttackTests() : base("rg") { }

    private string TlsTopology => Topology + "s";

    public override async Task DisposeAsync()
    {
        await RemoveTopologyAsync(Session, TlsTopology);
        await base.DisposeAsync();
    }

    [Fact]
    public async Task ARogueContainerTakesSlotsOfAPlainClusterButCannotJoinATlsOne()
    {
        // 1. Plain cluster: the attack succeeds (this is the bug the issue reports).
        var plainNet = await NewNetworkAsync();
        await BuildClusterAsync(plainNet.Name, tls: false);
        var (plainOwner, plainRogue) = await AttackAsync(Topology, plainNet.Name);
        Assert.Equal(plainRogue, plainOwner);

        // 2. TLS cluster: the rogue cannot join the bus, slot 0 keeps its owner, plain text is refused.
        var tlsNet = await NewTopologyNetworkAsync(TlsTopology);
        await BuildClusterAsync(tlsNet.Name, tls: true);
        var (tlsOwner, tlsRogue) = await AttackAsync(TlsTopology, tlsNet.Name);
        Assert.NotEqual(tlsRogue, tlsOwner);
        var victim = (await Nodes.GetAsync(new NodeFilter { Topology = TlsTopology }, Ct))
            .First(n => n.HostEndpoint is not null);
        var (host, port) = EndpointMap.Split(victim.HostEndpoint!);
        var password = await Session.GetPasswordAsync(TlsTopology, Ct);
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var plain = await RespConnection.ConnectAsync(host, port,
                new RespConnectionOptions { Password = password, ConnectTimeout = TimeSpan.FromSeconds(3) }, Ct);
            await plain.ExecuteAsync(new object[] { "PING" }, Ct);
        });
    }

    /// <summary>
    /// A stronger rogue: it speaks TLS, trusts the topology's CA (its certificate is public: Export-RedisCertificate
    /// gives it to applications) and presents a certificate of its own CA. The nodes still refuse it on the bus.
    /// </summary>
    [Fact]
    public async Task ARogueSpeakingTlsWithACertificateOfItsOwnCaCannotJoinEither()
    {
        var tlsNet = await NewTopologyNetworkAsync(TlsTopology);
        await BuildClusterAsync(tlsNet.Name, tls: true);
        var topologyCa = await Session.Tls.GetCaAsync(TlsTopology, Ct);
        using var ownCa = CertificateAuthority.Create("rogue");
        using var ownCert = ownCa.IssueNode(TlsTopology + "-rogue", Array.Empty<string>());
        var uid = NodeOperations.RedisUid;
        ArchiveFile[] Files(System.Security.Cryptography.X509Certificates.X509Certificate2 cert) => new[]
        {
            new ArchiveFile("ca.crt",
                System.Text.Encoding.ASCII.GetBytes(topologyCa!.CertificatePem + "\n" + ownCa.CertificatePem + "\n"),
                0b110_100_100, uid, uid),
            new ArchiveFile("r.crt", System.Text.Encoding.ASCII.GetBytes(cert.ExportCertificatePem()),
                0b110_100_100, uid, uid),
            new ArchiveFile("r.key", System.Text.Encoding.ASCII.GetBytes(CertificateAuthority.KeyPemOf(cert)),
                0b110_000_000, uid, uid),
        };
        string[] tls = { "--tls-cert-file", "/tmp/rogue/r.crt", "--tls-key-file", "/tmp/rogue/r.key",
            "--tls-ca-cert-file", "/tmp/rogue/ca.crt" };
        var server = new[] { "--port", "0", "--tls-port", "6379", "--tls-cluster", "yes", "--tls-replication", "yes" }
            .Concat(tls).ToArray();
        var cli = new[]
        {
            "--tls", "--cert", "/tmp/rogue/r.crt", "--key", "/tmp/rogue/r.key", "--cacert", "/tmp/rogue/ca.crt",
        };
        var (owner, rogue) = await AttackAsync(TlsTopology, tlsNet.Name, server, cli, Files(ownCert));
        Assert.NotEqual(rogue, owner);

        // The control: the same container holding a certificate of the topology's CA joins and takes the slots, so
        // what refused the rogue above is the certificate check, nothing else in its set-up.
        using var stolen = topologyCa!.IssueNode(TlsTopology + "-rogue", Array.Empty<string>());
        (owner, rogue) = await AttackAsync(TlsTopology, tlsNet.Name, server, cli, Files(stolen));
        Assert.Equal(rogue, owner);
    }

    private async Task<RedisNetwork> NewTopologyNetworkAsync(string topology)
    {
        for (var attempt = 1; ; attempt++)
        {
            var subnet = await TestSubnets.NextAsync(this, Session, Ct);
            try
            {
                return await Networks.CreateAsync(
                    new NetworkSpec { Name = topology, Subnet = subnet, Topology = topology }, Ct);
            }
            catch (RedisDockerException e) when (e.ErrorId == ErrorIds.SubnetOverlap && attempt < 5) { }
        }
    }

    private Task<RedisCluster> BuildClusterAsync(string network, bool tls) =>
        Session.Workflows(Sink).ClusterBuilder.CreateFromScratchAsync(new ClusterFromScratchSpec
        {
            Network = network, Count = 3, ReplicasPerPrimary = 0, ClusterNodeTimeoutMs = 2000,
            Tls = tls ? new TlsOptions() : null,
        }, Ct);

    /// <summary>
    /// The attack from a container on the topology's network, through redis-cli inside it: MEET a node of the
    /// cluster, REPLICATE the owner of slot 0 once it is known, FAILOVER TAKEOVER. Returns who owns slot 0 as
    /// the cluster's own nodes see it afterwards, and the rogue's node id.
    /// </summary>
    private async Task<(string Owner, string Rogue)> AttackAsync(string topology, string network,
        string[]? serverArgs = null, string[]? cliArgs = null, IReadOnlyList<ArchiveFile>? files = null)
    {
        var docker = await Session.GetDockerAsync(Ct);
        var rogueName = topology + "-rogue";
        await docker.CreateContainerAsync(new ContainerCreateSpec
        {
            Name = rogueName,
            Image = TestImage,
            Cmd = new[]
            {
                "redis-server", "--port", "6379", "--cluster-enabled", "yes", "--protected-mode", "no",
                "--cluster-config-file", "/tmp/nodes.conf", "--appendonly", "no", "--save", "",
            }.Concat(serverArgs ?? Array.Empty<string>()).ToArray(),
            Labels = new Dictionary<string, string> { [Labels.Managed] = "true", [Labels.Topology] = topology },
            Network = network,
            User = NodeOperations.RedisUser,
        }, Ct);
        if (files is not null)
            await docker.UploadFilesAsync(rogueName, "/tmp/rogue", files, Ct, dirMode: 0b111_000_000,
                uid: NodeOperations.RedisUid, gid: NodeOperations.RedisUid);
        await docker.StartContainerAsync(rogueName, Ct);
        async Task<string> Cli(params string[] args)
        {
            var r = await docker.ExecAsync(rogueName, new[] { "redis-cli", "-p", "6379" }
                .Concat(cliArgs ?? Array.Empty<string>()).Concat(args).ToArray(), Ct);
            return r.Stdout.Trim();
        }
        var rogueId = "";
        for (var i = 0; i < 50 && rogueId.Length != 40; i++)
        {
            rogueId = await Cli("CLUSTER", "MYID");
            if (rogueId.Length != 40) await Task.Delay(100, Ct);
        }
        Assert.Equal(40, rogueId.Length);

        var nodes = await Nodes.GetAsync(new NodeFilter { Topology = topology }, Ct);
        var legit = nodes.First(n => n.Name != rogueName && n.HostEndpoint is not null && n.IPAddress is not null);
        var password = await Session.GetPasswordAsync(topology, Ct);
        async Task<IReadOnlyList<(string Id, string Line)>> ClusterNodesAsync()
        {
            var text = (await Session.SendAsync(legit.HostEndpoint!, password, new object[] { "CLUSTER", "NODES" }, Ct))
                .AsString() ?? "";
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (l.Split(' ')[0], l)).ToArray();
        }
        var slot0Owner = (await ClusterNodesAsync()).First(x => x.Line.Split(' ').Skip(8).Any(r => r.StartsWith("0-",
            StringComparison.Ordinal) || r == "0")).Id;

        var inv = System.Globalization.CultureInfo.InvariantCulture;
        await Cli("CLUSTER", "MEET", legit.IPAddress!, legit.Port.ToString(inv),
            HostEndpoints.BusPortOf(legit.Port).ToString(inv));
        // Bounded: the rogue learns the owner of slot 0 through gossip once the bus accepted it (plain), or never
        // (TLS).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var replicated = false;
        while (DateTime.UtcNow < deadline && !replicated)
        {
            replicated = (await Cli("CLUSTER", "REPLICATE", slot0Owner)) == "OK";
            if (!replicated) await Task.Delay(250, Ct);
        }
        if (replicated)
        {
            for (var i = 0; i < 40; i++)
            {
                if (await Cli("CLUSTER", "FAILOVER", "TAKEOVER") == "OK") break;
                await Task.Delay(250, Ct);
            }
        }
        // What the cluster's own nodes believe: wait (bounded) for the rogue to own slot 0, or not.
        var owner = slot0Owner;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(replicated ? 20 : 3);
        while (DateTime.UtcNow < until)
        {
            var view = await ClusterNodesAsync();
            owner = view.FirstOrDefault(x => x.Line.Split(' ').Skip(8).Any(r => r.StartsWith("0-",
                StringComparison.Ordinal) || r == "0")).Id ?? owner;
            if (owner == rogueId) break;
            await Task.Delay(250, Ct);
        }
        if (!replicated)
            Assert.DoesNotContain(await ClusterNodesAsync(), x => x.Id == rogueId);
        await docker.RemoveContainerAsync(rogueName, force: true, removeVolumes: true, Ct);
        return (owner, rogueId);
    }
}
