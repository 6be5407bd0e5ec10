using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Security;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>Issue 12: the module administers its topologies as its own admin user (redisdocker), so the user
/// 'default' can be turned off: a client with only the password is refused, and the module still fails over, grows,
/// restarts and replicates.</summary>
public class AdminUserTests : DockerTestBase
{
    public AdminUserTests() : base("adm") { }

    private AclOperations Users => Session.Workflows(Sink).Acl;

    private async Task<string> PasswordAsync() => (await Session.GetPasswordAsync(Topology, Ct))!;

    /// <summary>A client that authenticates with the password only (AUTH password, as default) is refused; the same
    /// password as the admin user is accepted.</summary>
    private async Task AssertDefaultRefusedAsync(RedisNode node)
    {
        var (host, port) = EndpointMap.Split(node.HostEndpoint!);
        var password = await PasswordAsync();
        var refused = await Assert.ThrowsAsync<RedisServerException>(() => RespConnection.ConnectAsync(host, port,
            new RespConnectionOptions { Password = password }, Ct));
        Assert.Equal("WRONGPASS", refused.Prefix);
        Assert.DoesNotContain(password, refused.Message);
        await using var admin = await RespConnection.ConnectAsync(host, port,
            new RespConnectionOptions { User = AclFile.AdminUser, Password = password }, Ct);
        Assert.Equal("PONG", (await admin.SendAsync(new object[] { "PING" }, Ct)).Text);
    }

    /// <summary>Every replica of the topology has its link to its primary up (read through the module).</summary>
    private async Task AssertReplicationUpAsync(int replicas)
    {
        await Waiter.UntilAsync(Sink, "every replica linked to its primary", TimeSpan.FromSeconds(60), async c =>
        {
            var nodes = await Nodes.GetAsync(new NodeFilter { Topology = Topology, IncludeSentinels = false }, c);
            var infos = new List<RedisReplicationInfo>();
            foreach (var n in nodes) infos.Add(await Session.Workflows(Sink).Replication.GetAsync(n.Name, c));
            var linked = infos.Where(i => i.Role == RedisRole.Replica).ToList();
            var up = linked.Count(i => i.LinkStatus == "up");
            return (linked.Count == replicas && up == replicas, $"{up} of {linked.Count} replica link(s) up");
        }, Ct, pollMs: 250);
    }

    private async Task AssertNoLeakAsync()
    {
        var password = await PasswordAsync();
        var docker = await Session.GetDockerAsync(Ct);
        foreach (var n in await Nodes.GetAsync(new NodeFilter { Topology = Topology }, Ct))
        {
            var info = (await docker.InspectContainerAsync(n.Name, Ct))!;
            Assert.Equal(AclFile.AdminUser, info.Labels[Labels.AdminUser]);
            var seen = string.Join("\n", info.Labels.Keys.Concat(info.Labels.Values).Concat(info.Cmd))
                + await docker.GetLogsAsync(n.Name, null, Ct);
            if (n.Kind == RedisNodeKind.Redis)
            {
                var acl = System.Text.Encoding.UTF8.GetString((await docker.ReadFileAsync(n.Name, AclFile.Path, Ct))!);
                Assert.Contains($"user {AclFile.AdminUser} on #{AclFile.HashOf(password)} ", acl);
                seen += acl;
            }
            Assert.DoesNotContain(password, seen);
        }
    }

    private async Task DisableDefaultAsync()
    {
        // The module's own users are reserved: default may only be turned off or on, redisdocker not touched.
        var admin = await Assert.ThrowsAsync<RedisDockerException>(
            () => Users.SetAsync(Topology, AclFile.AdminUser, null, null, enabled: false, Ct));
        Assert.Equal(ErrorIds.DefaultUserReserved, admin.ErrorId);
        Assert.Contains("module's own admin user", admin.Message);
        Assert.Equal(ErrorIds.DefaultUserReserved, (await Assert.ThrowsAsync<RedisDockerException>(
            () => Users.RemoveAsync(Topology, AclFile.AdminUser, Ct))).ErrorId);
        Assert.Equal(ErrorIds.DefaultUserReserved, (await Assert.ThrowsAsync<RedisDockerException>(
            () => Users.SetAsync(Topology, AclFile.DefaultUser, "~* +@read", null, null, Ct))).ErrorId);

        var off = await Users.SetAsync(Topology, AclFile.DefaultUser, null, null, enabled: false, Ct);
        Assert.False(off.Enabled);
        var users = await Users.GetAsync(Topology, null, Ct);
        Assert.Equal(new[] { AclFile.DefaultUser, AclFile.AdminUser }, users.Select(u => u.Name).Order());
        Assert.True(users.Single(u => u.Name == AclFile.AdminUser).ModuleUser);
        Assert.True(users.Single(u => u.Name == AclFile.AdminUser).Enabled);
    }

    [Fact]
    public async Task AClusterWithDefaultOffRefusesThePasswordAloneAndIsStillFailedOverGrownAndRestarted()
    {
        var net = await NewNetworkAsync();
        await Session.Workflows(Sink).ClusterBuilder.CreateFromScratchAsync(new ClusterFromScratchSpec
        {
            Network = net.Name, Count = 6, ReplicasPerPrimary = 1,
        }, Ct);
        await DisableDefaultAsync();
        foreach (var n in await Nodes.GetAsync(new NodeFilter { Topology = Topology }, Ct))
            await AssertDefaultRefusedAsync(n);

        // A connection string with the password only would be refused: it says so.
        await Session.Workflows(Sink).ConnectionStrings.GetAsync(ConnectionTarget.Cluster, Topology, true, Ct);
        Assert.Contains(Sink.Lines, l => l.StartsWith("WARNING: The user 'default' is off", StringComparison.Ordinal));

        // Invoke-RedisFailover's workflow: a coordinated failover to a replica.
        var replica = (await Clusters.GetNodesAsync(Topology, Ct)).First(m => m.Role == RedisRole.Replica);
        var result = await Session.Workflows(Sink).Failover.FailoverToAsync(null, replica.Name!,
            ClusterFailoverMode.Coordinated, TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(replica.Name, result.NewPrimary);
        await AssertReplicationUpAsync(3);

        // A node added to the cluster gets the admin user and default off from its peers.
        var added = (await Nodes.CreateAsync(new[]
        {
            new NodeSpec { Name = Topology + "-7", Network = net.Name, ClusterEnabled = true },
        }, Ct)).Single();
        Assert.Null(added.Error);
        var primary = (await Clusters.GetNodesAsync(Topology, Ct)).First(m => m.Role == RedisRole.Primary);
        await Clusters.AddNodeAsync(Topology, added.Name, primary.Name, Ct);
        await AssertDefaultRefusedAsync(added.Node!);
        await AssertReplicationUpAsync(4);

        // A restarted node loads both from its volume; the cluster heals.
        await Nodes.RestartAsync(primary.Name!, 10, Ct);
        await Clusters.WaitHealthyAsync(Topology, Ct);
        await AssertDefaultRefusedAsync(await Nodes.GetOneAsync(primary.Name!, Ct));
        await AssertReplicationUpAsync(4);
        await AssertNoLeakAsync();
    }

    [Fact]
    public async Task ASentinelGroupWithDefaultOffStillFailsOverAndReplicates()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 2);
        var replication = Session.Workflows(Sink).Replication;
        await replication.SetReplicaAsync(nodes[1].Name, nodes[0].Name, Ct);
        var sentinels = Session.Workflows(Sink).Sentinels;
        var group = await sentinels.CreateAsync(new SentinelGroupSpec
        {
            Primary = nodes[0].Name, Count = 3, Quorum = 2, DownAfterMs = 2000, FailoverTimeoutMs = 10000,
        }, Ct);
        await DisableDefaultAsync();
        foreach (var n in nodes) await AssertDefaultRefusedAsync(n);
        await AssertReplicationUpAsync(1);

        // Invoke-RedisFailover -SentinelGroup: the sentinels reach the nodes as the admin user (auth-user).
        var result = await sentinels.FailoverAsync(Topology, group.MasterName, waitOnly: false,
            TimeSpan.FromSeconds(60), Ct);
        Assert.Equal(nodes[1].Name, result.NewPrimary);
        await AssertReplicationUpAsync(1);

        // A restarted replica (the old primary) links again as the admin user (masteruser).
        await Nodes.RestartAsync(nodes[0].Name, 10, Ct);
        await AssertDefaultRefusedAsync(await Nodes.GetOneAsync(nodes[0].Name, Ct));
        await AssertReplicationUpAsync(1);
        await Waiter.UntilAsync(Sink, "the group healthy", TimeSpan.FromSeconds(60), async c =>
        {
            var g = (await sentinels.GetAsync(Topology, group.MasterName, c)).Single();
            var ok = g.QuorumOk && g.ReachableSentinels == 3 && g.Replicas.Count == 1 && g.Primary == nodes[1].Name;
            return (ok, $"{g.Flags}, primary {g.Primary}, {g.ReachableSentinels} sentinels, {g.Replicas.Count} replica");
        }, Ct, pollMs: 500);
        await AssertNoLeakAsync();

        // Export and import carry default's off state (the spec says so, no password in it): the imported topology
        // refuses the password alone too, and is administered and replicated as the admin user from the start.
        var topologies = Session.Workflows(Sink).Topologies;
        var spec = await topologies.ExportAsync(Topology, Ct);
        Assert.True(spec.DefaultUserOff);
        var json = TopologyOperations.ToJson(spec);
        var password = await PasswordAsync();
        Assert.DoesNotContain(password, json);
        Assert.Contains("\"defaultUserOff\": true", json);
        await topologies.RemoveAsync(Topology, keepVolumes: false, Ct);
        await topologies.ImportAsync(TopologyOperations.FromJson(json), password, Ct, dockerHost: Session.DockerHost);
        Assert.True(await Users.DefaultDisabledAsync(Topology, Ct));
        foreach (var n in await Nodes.GetAsync(new NodeFilter { Topology = Topology, IncludeSentinels = false }, Ct))
            await AssertDefaultRefusedAsync(n);
        await AssertReplicationUpAsync(1);
        await AssertNoLeakAsync();
    }

    /// <summary>
    /// Makes a node as the module made it before the admin user came: its container again on the same volume,
    /// address and port, without the admin-user label, its configuration without masteruser and its ACL file with
    /// default only.
    /// </summary>
    private async Task MakeOlderAsync(string name)
    {
        var docker = await Session.GetDockerAsync(Ct);
        var info = (await docker.InspectContainerAsync(name, Ct))!;
        var path = info.Labels[Labels.ConfigPath];
        var config = System.Text.Encoding.UTF8.GetString((await docker.ReadFileAsync(name, path, Ct))!);
        Assert.Contains("\nmasteruser redisdocker\n", config);
        var older = string.Join('\n', config.Split('\n')
            .Where(l => !l.StartsWith("masteruser ", StringComparison.Ordinal)));
        var password = await PasswordAsync();
        await Nodes.RemoveAsync(name, removeVolume: false, Ct);
        var port = int.Parse(info.Labels[Labels.Port], System.Globalization.CultureInfo.InvariantCulture);
        var hostPort = int.Parse(info.Labels[Labels.HostPort], System.Globalization.CultureInfo.InvariantCulture);
        await docker.CreateContainerAsync(new ContainerCreateSpec
        {
            Name = name, Image = TestImage, Cmd = info.Cmd, Hostname = name, User = NodeOperations.RedisUser,
            Labels = info.Labels.Where(kv => kv.Key != Labels.AdminUser).ToDictionary(kv => kv.Key, kv => kv.Value),
            Ports = new[] { new PortBinding(port, "tcp", "127.0.0.1", hostPort) },
            Volumes = new[] { new VolumeMount(info.Labels[Labels.DataVolume], "/data") },
            Network = info.Labels[Labels.Network], IPv4Address = info.Labels[Labels.Address],
            NetworkAliases = new[] { name },
        }, Ct);
        await NodeOperations.UploadConfigAsync(docker, name, path, older, Ct);
        await AclOperations.UploadAsync(docker, name, AclFile.Render(password, Array.Empty<string>(), false), Ct);
        await docker.StartContainerAsync(name, Ct);
    }

    [Fact]
    public async Task ATopologyMadeBeforeTheAdminUserIsAdministeredAsDefaultAndKeepsIt()
    {
        var net = await NewNetworkAsync();
        var primary = (await NewNodesAsync(net.Name, 1))[0];
        await MakeOlderAsync(primary.Name);

        // A session that knows nothing of it reads its labels: no admin user, so default (AUTH password).
        using var fresh = new RedisDockerSession(DockerEndpoint.FromEnvironment()) { DefaultImage = TestImage };
        var flows = fresh.Workflows(Sink);
        await Waiter.UntilAsync(Sink, "the older node answering", TimeSpan.FromSeconds(30), async c =>
        {
            try { return ((await flows.Acl.GetAsync(Topology, null, c)).Count == 1, "listed"); }
            catch (Exception e) when (e is RedisDockerException or RedisException) { return (false, e.Message); }
        }, Ct, pollMs: 250);
        Assert.Equal(new[] { AclFile.DefaultUser }, (await flows.Acl.GetAsync(Topology, null, Ct)).Select(u => u.Name));

        // default stays on there: turning it off would lock the older node out. The message names it.
        var refused = await Assert.ThrowsAsync<RedisDockerException>(
            () => flows.Acl.SetAsync(Topology, AclFile.DefaultUser, null, null, enabled: false, Ct));
        Assert.Equal(ErrorIds.DefaultUserReserved, refused.ErrorId);
        Assert.Contains(primary.Name, refused.Message);

        // A replica added to it is made as its peers were (no admin user, replicates as default), and links.
        var added = (await flows.Nodes.CreateAsync(new[] { new NodeSpec { Name = Topology + "-2", Network = net.Name } },
            Ct)).Single();
        Assert.Null(added.Error);
        Assert.False(added.Node!.Labels.ContainsKey(Labels.AdminUser));
        await flows.Replication.SetReplicaAsync(added.Name, primary.Name, Ct);
        await Waiter.UntilAsync(Sink, "the replica linked", TimeSpan.FromSeconds(60), async c =>
        {
            var info = await flows.Replication.GetAsync(added.Name, c);
            return (info.LinkStatus == "up", info.LinkStatus ?? "no link");
        }, Ct, pollMs: 250);
        Assert.Equal(new[] { AclFile.DefaultUser }, (await flows.Acl.GetAsync(Topology, null, Ct)).Select(u => u.Name));
    }

    [Fact]
    public async Task ATlsPairWithDefaultOffRenewsItsCertificatesAndStillReplicates()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 2, customize: (_, s) => s with { Tls = new TlsOptions() });
        var flows = Session.Workflows(Sink);
        await flows.Replication.SetReplicaAsync(nodes[1].Name, nodes[0].Name, Ct);
        await DisableDefaultAsync();

        // Connect-RedisClient authenticates as the admin user when default is off.
        await using (var mux = await flows.Clients.ConnectAsync(ConnectionTarget.Node, nodes[0].Name,
                         ConnectionRoute.Published, Ct))
            Assert.True(await mux.GetDatabase().StringSetAsync("after-default-off", "1"));

        // Update-RedisCertificate, then a restart of the replica: it links again over TLS as the admin user.
        var renewed = await flows.Certificates.RenewAsync(Topology, Ct);
        Assert.Equal(2, renewed.Count);
        await Nodes.RestartAsync(nodes[1].Name, 10, Ct);
        await AssertReplicationUpAsync(1);
        Assert.False((await Users.GetAsync(Topology, new[] { AclFile.DefaultUser }, Ct)).Single().Enabled);
        await AssertNoLeakAsync();
    }
}
