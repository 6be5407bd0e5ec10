using System.Text;
using System.Text.Json;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

public class NodeIntegrationTests : DockerTestBase
{
    public NodeIntegrationTests() : base("node") { }

    [Fact]
    public async Task ANodeIsReadyWithSafeDefaultsAndServesKeysThroughItsPublishedPort()
    {
        var net = await NewNetworkAsync();
        var node = (await NewNodesAsync(net.Name, 1))[0];

        Assert.Equal("running", node.State);
        Assert.Equal(RedisRole.Primary, node.Role);
        Assert.StartsWith("127.0.0.1:", node.HostEndpoint);
        Assert.True(IPv4Cidr.Parse(net.Subnet!).Contains(node.IPAddress!));
        Assert.Equal($"{node.Name}-data", node.DataVolume);

        await using var conn = await ConnectAsync(node);
        Assert.Equal("OK", (await conn.ExecuteAsync("SET", "k1", "v1")).AsString());
        Assert.Equal("v1", (await conn.ExecuteAsync("GET", "k1")).AsString());

        // Secure defaults: protected mode on, AOF on, a password required.
        Assert.Equal("yes", (await conn.ExecuteAsync("CONFIG", "GET", "protected-mode")).AsArray()[1].AsString());
        Assert.Equal("yes", (await conn.ExecuteAsync("CONFIG", "GET", "appendonly")).AsArray()[1].AsString());
        var (host, port) = EndpointMap.Split(node.HostEndpoint!);
        await using var anonymous = await RespConnection.ConnectAsync(host, port, new RespConnectionOptions(), Ct);
        var refused = await anonymous.SendAsync(new object[] { "GET", "k1" }, Ct);
        Assert.True(refused.IsError);
        Assert.StartsWith("NOAUTH", refused.Text);

        // The configuration was uploaded into the container (no bind mount) and Redis can rewrite it.
        Assert.Equal("OK", (await conn.ExecuteAsync("CONFIG", "REWRITE")).AsString());
        var docker = await Session.GetDockerAsync(Ct);
        var info = await docker.InspectContainerAsync(node.Name, Ct);
        Assert.DoesNotContain(info!.Mounts, m => m.Type == "bind");
        Assert.Contains(info.Mounts, m => m.Type == "volume" && m.Destination == "/data" && m.Name == node.DataVolume);
        Assert.All(info.Ports.Where(p => p.HostPort > 0), p => Assert.Equal("127.0.0.1", p.HostIp));
    }

    [Fact]
    public async Task ThePasswordAppearsNowhereInDockerOrInTheNarration()
    {
        var net = await NewNetworkAsync();
        var node = (await NewNodesAsync(net.Name, 1))[0];
        var password = await Session.GetPasswordAsync(Topology, Ct);
        Assert.False(string.IsNullOrEmpty(password));
        Assert.True(password!.Length >= 32);

        var docker = await Session.GetDockerAsync(Ct);
        var info = await docker.InspectContainerAsync(node.Name, Ct);
        var inspected = JsonSerializer.Serialize(info);
        Assert.DoesNotContain(password, inspected);
        Assert.DoesNotContain(info!.Labels.Values, v => v.Contains(password, StringComparison.Ordinal));
        Assert.DoesNotContain(info.Env, e => e.Contains(password, StringComparison.Ordinal));
        Assert.DoesNotContain(info.Cmd, c => c.Contains(password, StringComparison.Ordinal));
        Assert.DoesNotContain(password, await docker.GetLogsAsync(node.Name, null, Ct));
        Assert.DoesNotContain(Sink.Lines, l => l.Contains(password, StringComparison.Ordinal));
        Assert.Contains(Sink.Lines, l => l.StartsWith("VERBOSE: Creating container", StringComparison.Ordinal));

        // Retrievable later through Docker alone, by another session.
        using var other = new RedisDockerSession(DockerEndpoint.FromEnvironment());
        Assert.Equal(password, await other.GetPasswordAsync(Topology, Ct));
    }

    [Fact]
    public async Task RestartKeepsDataAndIdentity()
    {
        var net = await NewNetworkAsync();
        var node = (await NewNodesAsync(net.Name, 1))[0];
        await using (var conn = await ConnectAsync(node))
        {
            await conn.ExecuteAsync("SET", "persisted", "yes");
        }
        var restarted = await Nodes.RestartAsync(node.Name, 10, Ct);
        Assert.Equal(node.Id, restarted.Id);
        Assert.Equal(node.IPAddress, restarted.IPAddress);
        await using (var conn = await ConnectAsync(restarted))
        {
            Assert.Equal("yes", (await conn.ExecuteAsync("GET", "persisted")).AsString());
        }

        var stopped = await Nodes.StopAsync(node.Name, 10, Ct);
        Assert.Equal("exited", stopped.State);
        Assert.Null(stopped.HostEndpoint);
        var started = await Nodes.StartAsync(node.Name, Ct);
        await using (var conn = await ConnectAsync(started))
        {
            Assert.Equal("yes", (await conn.ExecuteAsync("GET", "persisted")).AsString());
        }
    }

    [Fact]
    public async Task GetFindsNodesByNameTopologyNetworkAndRole()
    {
        var net = await NewNetworkAsync();
        var made = await NewNodesAsync(net.Name, 2);
        var byTopology = await Nodes.GetAsync(new NodeFilter { Topology = Topology }, Ct);
        Assert.Equal(made.Select(n => n.Name).OrderBy(x => x), byTopology.Select(n => n.Name));
        var byNetwork = await Nodes.GetAsync(new NodeFilter { Network = net.Name }, Ct);
        Assert.Equal(2, byNetwork.Count);
        var byName = await Nodes.GetAsync(new NodeFilter { Names = new[] { made[0].Name } }, Ct);
        Assert.Equal(made[0].Id, Assert.Single(byName).Id);
        var primaries = await Nodes.GetAsync(new NodeFilter { Topology = Topology, Role = RedisRole.Primary }, Ct);
        Assert.Equal(2, primaries.Count);
        var replicas = await Nodes.GetAsync(new NodeFilter { Topology = Topology, Role = RedisRole.Replica }, Ct);
        Assert.Empty(replicas);
    }

    [Fact]
    public async Task ADuplicateNameIsRefusedBeforeAnythingIsCreated()
    {
        var net = await NewNetworkAsync();
        var node = (await NewNodesAsync(net.Name, 1))[0];
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.CreateAsync(new[] { new NodeSpec { Name = node.Name, Network = net.Name } }, Ct));
        Assert.Equal(ErrorIds.NodeNameTaken, e.ErrorId);
        Assert.Single(await Nodes.GetAsync(new NodeFilter { Topology = Topology }, Ct));
    }

    [Theory]
    [InlineData("-bad")]
    [InlineData("has space")]
    [InlineData("ünïcode")]
    [InlineData("")]
    public async Task InvalidContainerNamesAreRefused(string name)
    {
        var net = await NewNetworkAsync();
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.CreateAsync(new[] { new NodeSpec { Name = name, Network = net.Name } }, Ct));
        Assert.Equal(ErrorIds.InvalidName, e.ErrorId);
        Assert.Empty(await Nodes.GetAsync(new NodeFilter { Topology = Topology }, Ct));
    }

    [Fact]
    public async Task AnAddressOutsideTheSubnetOrTakenIsRefused()
    {
        var net = await NewNetworkAsync();
        var outside = await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.CreateAsync(new[] { new NodeSpec { Name = Topology + "-x", Network = net.Name, IPAddress = "172.31.254.10" } }, Ct));
        Assert.Equal(ErrorIds.IPAddressInvalid, outside.ErrorId);
        var gateway = await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.CreateAsync(new[] { new NodeSpec { Name = Topology + "-x", Network = net.Name, IPAddress = net.Gateway } }, Ct));
        Assert.Equal(ErrorIds.IPAddressTaken, gateway.ErrorId);
        Assert.Empty(await Nodes.GetAsync(new NodeFilter { Topology = Topology }, Ct));
    }

    [Fact]
    public async Task AHostPortAlreadyTakenIsRefusedAndLeavesNothing()
    {
        var net = await NewNetworkAsync();
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.CreateAsync(new[] { new NodeSpec { Name = Topology + "-p", Network = net.Name, HostPort = port } }, Ct));
        Assert.Equal(ErrorIds.HostPortTaken, e.ErrorId);
        Assert.Contains(port.ToString(), e.Message);
        var docker = await Session.GetDockerAsync(Ct);
        Assert.Null(await docker.InspectContainerAsync(Topology + "-p", Ct));
    }

    [Fact]
    public async Task AHostPortTakenByAnotherNodeFailsThatNodeOnlyAndCleansUp()
    {
        var net = await NewNetworkAsync();
        var first = (await NewNodesAsync(net.Name, 1))[0];
        // Docker owns the port now (docker-proxy): the second container fails at start and is removed.
        var results = await Nodes.CreateAsync(new[] { new NodeSpec { Name = Topology + "-dup", Network = net.Name, HostPort = first.HostPort } }, Ct)
            .ContinueWith(t => t.IsFaulted ? null : t.Result);
        if (results is not null)
        {
            var r = Assert.Single(results);
            Assert.NotNull(r.Error);
            Assert.Equal(ErrorIds.HostPortTaken, ErrorTranslator.Translate(r.Error!).ErrorId);
        }
        var docker = await Session.GetDockerAsync(Ct);
        Assert.Null(await docker.InspectContainerAsync(Topology + "-dup", Ct));
        Assert.DoesNotContain(await docker.ListVolumesAsync(Labels.ForTopology(Topology), Ct), v => v.Name == Topology + "-dup-data");
    }

    [Fact]
    public async Task AMissingImageWithNoRegistryGivesAClearErrorAndLeavesNothing()
    {
        var net = await NewNetworkAsync();
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.CreateAsync(new[] { new NodeSpec { Name = Topology + "-img", Network = net.Name, Image = "redisdocker/does-not-exist:0.0.1" } }, Ct));
        Assert.Equal(ErrorIds.ImageUnavailable, e.ErrorId);
        Assert.Contains("redisdocker/does-not-exist:0.0.1", e.Message);
        var docker = await Session.GetDockerAsync(Ct);
        Assert.Null(await docker.InspectContainerAsync(Topology + "-img", Ct));
    }

    [Fact]
    public async Task AWrongPasswordIsRefusedWithWrongPass()
    {
        var net = await NewNetworkAsync();
        var node = (await NewNodesAsync(net.Name, 1))[0];
        var e = await Assert.ThrowsAsync<RedisServerException>(() => ConnectAsync(node, "not-the-password"));
        Assert.Equal("WRONGPASS", e.Prefix);
        Assert.Equal(ErrorIds.WrongPassword, ErrorTranslator.Translate(e).ErrorId);
        Assert.DoesNotContain("not-the-password", e.Message);

        var mismatch = await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.CreateAsync(new[] { new NodeSpec { Name = Topology + "-pw", Network = net.Name, Password = "another-password" } }, Ct));
        Assert.Equal(ErrorIds.TopologyMismatch, mismatch.ErrorId);
    }

    [Fact]
    public async Task AnUnreachableDockerEndpointIsNamedInTheError()
    {
        using var session = new RedisDockerSession(DockerEndpoint.Parse("unix:///tmp/redisdocker-no-such-engine.sock"));
        var e = await Assert.ThrowsAsync<DockerUnreachableException>(() => session.Workflows(Sink).Networks.GetAsync(null, null, Ct));
        var translated = ErrorTranslator.Translate(e);
        Assert.Equal(ErrorIds.DockerUnreachable, translated.ErrorId);
        Assert.Contains("/tmp/redisdocker-no-such-engine.sock", translated.Message);
        Assert.Contains("DOCKER_HOST", translated.Message);
    }

    [Fact]
    public async Task TabCompletionNamesComeFromLabelsAndStaySilentWhenDockerIsDown()
    {
        var net = await NewNetworkAsync();
        var node = (await NewNodesAsync(net.Name, 1))[0];
        Assert.Contains(node.Name, await NameLookup.GetNamesAsync(Session, NameKind.Node, TimeSpan.FromSeconds(10), Ct));
        Assert.Contains(net.Name, await NameLookup.GetNamesAsync(Session, NameKind.Network, TimeSpan.FromSeconds(10), Ct));
        Assert.Contains(Topology, await NameLookup.GetNamesAsync(Session, NameKind.Topology, TimeSpan.FromSeconds(10), Ct));
        Assert.DoesNotContain(Topology, await NameLookup.GetNamesAsync(Session, NameKind.Cluster, TimeSpan.FromSeconds(10), Ct));

        using var down = new RedisDockerSession(DockerEndpoint.Parse("unix:///tmp/redisdocker-no-such-engine.sock"));
        Assert.Empty(await NameLookup.GetNamesAsync(down, NameKind.Node, TimeSpan.FromSeconds(2), Ct));
        await Assert.ThrowsAsync<DockerUnreachableException>(() => NameLookup.GetNamesAsync(down, NameKind.Cluster, TimeSpan.FromSeconds(2), Ct, throwOnError: true));
    }

    [Fact]
    public async Task ExtraConfigIsAppliedAndReservedDirectivesAreRefused()
    {
        var net = await NewNetworkAsync();
        var node = (await NewNodesAsync(net.Name, 1, customize: (_, s) => s with
        {
            MaxMemory = "64mb",
            MaxMemoryPolicy = "allkeys-lru",
            Config = new[] { new KeyValuePair<string, string>("hz", "20") },
        }))[0];
        await using var conn = await ConnectAsync(node);
        Assert.Equal("20", (await conn.ExecuteAsync("CONFIG", "GET", "hz")).AsArray()[1].AsString());
        Assert.Equal((64L * 1024 * 1024).ToString(), (await conn.ExecuteAsync("CONFIG", "GET", "maxmemory")).AsArray()[1].AsString());

        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.CreateAsync(new[] { new NodeSpec { Name = Topology + "-c", Network = net.Name, Config = new[] { new KeyValuePair<string, string>("requirepass", "x") } } }, Ct));
        Assert.Equal(ErrorIds.InvalidConfig, e.ErrorId);
    }

    [Fact]
    public async Task CancellingACreationHalfWayLeavesNothingBehind()
    {
        var net = await NewNetworkAsync();
        var docker = await Session.GetDockerAsync(Ct);
        foreach (var delayMs in new[] { 150, 400, 800 })
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(delayMs));
            var specs = Enumerable.Range(1, 3).Select(i => new NodeSpec { Name = $"{Topology}-c{delayMs}-{i}", Network = net.Name }).ToArray();
            try
            {
                var results = await Nodes.CreateAsync(specs, cancel.Token);
                // Too fast to cancel: every node either made it or failed with the cancellation.
                Assert.All(results, r => Assert.True(r.Node is not null || r.Error is OperationCanceledException, r.Error?.ToString()));
                foreach (var r in results.Where(r => r.Node is not null)) await Nodes.RemoveAsync(r.Name, true, Ct);
            }
            catch (OperationCanceledException) { }
            await Task.Delay(1000, Ct);   // let any request cancelled in flight land, then look: nothing may remain
            foreach (var s in specs)
            {
                Assert.Null(await docker.InspectContainerAsync(s.Name, Ct));
                // Every volume, labelled or not: Docker creates a missing named volume without labels.
                Assert.DoesNotContain(await docker.ListVolumesAsync(null, Ct), v => v.Name == s.Name + "-data");
            }
        }
    }

    [Fact]
    public async Task SeveralNodesAreCreatedTogetherWithDistinctAddresses()
    {
        var net = await NewNetworkAsync();
        var nodes = await NewNodesAsync(net.Name, 3);
        Assert.Equal(3, nodes.Select(n => n.IPAddress).Distinct().Count());
        Assert.Equal(3, nodes.Select(n => n.HostPort).Distinct().Count());
        var names = await Nodes.NextNamesAsync(Topology, 2, Ct);
        Assert.Equal(new[] { $"{Topology}-4", $"{Topology}-5" }, names);
        Assert.Contains(Sink.Lines, l => l.StartsWith("PROGRESS: Starting 3 Redis nodes", StringComparison.Ordinal));
    }
}
