using RedisDocker.Core.Resp;
using RedisDocker.Core.Tests.Unit;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>Issue 9 (input safety) against the real engine: refused values create nothing, names never match id prefixes.</summary>
public class InputSafetyIntegrationTests : DockerTestBase
{
    public InputSafetyIntegrationTests() : base("safe") { }

    /// <summary>Nothing of the test's topology, and no container or volume of the given names, exists.</summary>
    private async Task AssertNothingMadeAsync(params string[] names)
    {
        var docker = await Session.GetDockerAsync(Ct);
        var labelled = await docker.ListContainersAsync(Labels.ForTopology(Topology), all: true, Ct);
        Assert.DoesNotContain(labelled, c => c.Names.Any(n => names.Contains(n)));
        var all = await docker.ListContainersAsync(null, all: true, Ct);
        Assert.DoesNotContain(all, c => c.Names.Any(n => names.Contains(n)));
        var volumes = await docker.ListVolumesAsync(null, Ct);
        Assert.DoesNotContain(volumes, v => names.Any(n => v.Name == n + "-data"));
    }

    private async Task<RedisDockerException> RefusedAsync(NodeSpec spec)
    {
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.CreateAsync(new[] { spec }, Ct));
        await AssertNothingMadeAsync(spec.Name);
        return e;
    }

    [Fact]
    public async Task Item1_MaxMemoryInjectionCreatesNothing()
    {
        var net = await NewNetworkAsync();
        var e = await RefusedAsync(new NodeSpec { Name = Topology + "-mm", Network = net.Name, MaxMemory = "64mb\nprotected-mode no" });
        Assert.Equal(ErrorIds.InvalidConfig, e.ErrorId);
        e = await RefusedAsync(new NodeSpec { Name = Topology + "-mm", Network = net.Name, MaxMemory = "64mb\nuser backdoor on >letmein ~* &* +@all" });
        Assert.Equal(ErrorIds.InvalidConfig, e.ErrorId);
    }

    [Fact]
    public async Task Item1_AnImportedSpecWithAnInjectedMaxMemoryCreatesNothing()
    {
        var spec = InputSafetyTests.Spec(n => n with { Name = Topology + "-1", Network = Topology, MaxMemory = "64mb\nuser backdoor on >letmein ~* &* +@all" })
            with { Name = Topology, Networks = new[] { new NetworkSpecDto(Topology, "172.27.250.0/24", null, false, null) } };
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Session.Workflows(Sink).Topologies.ImportAsync(spec, null, Ct));
        Assert.Equal(ErrorIds.InvalidConfig, e.ErrorId);
        await AssertNothingMadeAsync(Topology + "-1");
        var docker = await Session.GetDockerAsync(Ct);
        Assert.Null(await docker.InspectNetworkAsync(Topology, Ct));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("999.1.1.1")]
    [InlineData("not-an-ip")]
    [InlineData("0.0.0.0")]
    [InlineData("10.250.99.99")]
    public async Task Item2_AHostAddressThatIsNotOneOfThisHostCreatesNothing(string address)
    {
        var net = await NewNetworkAsync();
        var e = await RefusedAsync(new NodeSpec { Name = Topology + "-ha", Network = net.Name, HostIp = address });
        Assert.Equal(ErrorIds.IPAddressInvalid, e.ErrorId);
    }

    [Fact]
    public async Task Item2_TheReportedEndpointIsWhatDockerBound()
    {
        var net = await NewNetworkAsync();
        var node = (await NewNodesAsync(net.Name, 1)).Single();
        var info = await (await Session.GetDockerAsync(Ct)).InspectContainerAsync(node.Name, Ct);
        var bound = Assert.Single(info!.Ports, p => p.ContainerPort == node.Port);
        Assert.Equal("127.0.0.1", bound.HostIp);
        Assert.Equal($"{bound.HostIp}:{bound.HostPort}", node.HostEndpoint);
    }

    [Fact]
    public async Task Item3_ANameThatIsAnIdPrefixNeverResolvesToThatContainer()
    {
        var net = await NewNetworkAsync();
        var node = (await NewNodesAsync(net.Name, 1)).Single();
        var prefix = node.Id[..6];
        // Remove-RedisNode -Name <prefix>: not found, and the node is still there.
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.RemoveAsync(prefix, removeVolume: true, Ct));
        Assert.Equal(ErrorIds.NodeNotFound, e.ErrorId);
        await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.StopAsync(prefix, 1, Ct));
        Assert.Equal("running", (await Nodes.GetOneAsync(node.Name, Ct)).State);
        Assert.Empty(await Nodes.GetAsync(new NodeFilter { Names = new[] { prefix } }, Ct));
        Assert.Null(await Session.FindContainerAsync(prefix, Ct));
        // The full id still works, and a new node may take that name.
        Assert.Equal(node.Name, (await Session.FindContainerAsync(node.Id, Ct))!.Value.Info.Name);
    }

    [Fact]
    public async Task Item5_PasswordsAndLockOutConfigAreRefusedBeforeCreation()
    {
        var net = await NewNetworkAsync();
        var name = Topology + "-pw";
        Assert.Equal(ErrorIds.InvalidPassword, (await RefusedAsync(new NodeSpec { Name = name, Network = net.Name, Password = "" })).ErrorId);
        Assert.Equal(ErrorIds.InvalidPassword, (await RefusedAsync(new NodeSpec { Name = name, Network = net.Name, Password = new string('p', 65536) })).ErrorId);
        foreach (var (k, v) in new[] { ("user", "default on nopass"), ("rename-command", "CONFIG \"\""), ("cluster-announce-ip", "10.1.1.1") })
            Assert.Equal(ErrorIds.InvalidConfig, (await RefusedAsync(new NodeSpec
            {
                Name = name, Network = net.Name, ClusterEnabled = true, Config = new[] { new KeyValuePair<string, string>(k, v) },
            })).ErrorId);
    }

    [Fact]
    public async Task Item5_TheLongestPasswordRedisAcceptsMakesAReadyNode()
    {
        var net = await NewNetworkAsync();
        var pw = new string('p', RedisConfigRenderer.MaxPasswordBytes);
        var node = (await NewNodesAsync(net.Name, 1, customize: (_, s) => s with { Password = pw })).Single();
        Assert.Equal(RedisRole.Primary, node.Role);
    }

    [Fact]
    public async Task Item6_AComposeNodeReadsItsQuotedPasswordFromTheSecretAndShowsItNowhere()
    {
        // The node service's command exactly as exported, run with the test image; the secret file written
        // as the export's header says (double quotes, \\ and \" escaped) with a password that needs it.
        const string password = "pa ss\"word\\with'quotes $(id) #x";
        var spec = InputSafetyTests.Spec(n => n with { Name = Topology + "-cmp" });
        var yaml = Assert.Single(TopologyOperations.ToCompose(spec)).Value;
        var line = yaml.Split('\n').Single(l => l.TrimStart().StartsWith("command:", StringComparison.Ordinal));
        var cmd = System.Text.Json.JsonSerializer.Deserialize<string[]>(line[(line.IndexOf(':') + 1)..])!;
        var docker = await Session.GetDockerAsync(Ct);
        var name = Topology + "-cmp";
        await docker.CreateContainerAsync(new Core.Docker.ContainerCreateSpec
        {
            Name = name, Image = TestImage, Cmd = cmd,
            Labels = new Dictionary<string, string> { [Labels.Managed] = "true", [Labels.Topology] = Topology },
            Ports = new[] { new Core.Docker.PortBinding(6379, "tcp", "127.0.0.1", null) },
        }, Ct);
        var escaped = password.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        await docker.UploadFilesAsync(name, "/run/secrets", new[]
        {
            new Core.Docker.ArchiveFile(TopologyOperations.ComposeNodeSecret,
                System.Text.Encoding.UTF8.GetBytes($"requirepass \"{escaped}\"\nmasterauth \"{escaped}\"\n"), Mode: 0b110_100_100),
        }, Ct);
        await docker.StartContainerAsync(name, Ct);
        var info = (await docker.InspectContainerAsync(name, Ct))!;
        var port = Assert.Single(info.Ports, p => p.ContainerPort == 6379).HostPort;
        var pong = "";
        await Waiter.UntilAsync(Sink, "compose node", TimeSpan.FromSeconds(30), async c =>
        {
            try
            {
                await using var conn = await RespConnection.ConnectAsync("127.0.0.1", port, new RespConnectionOptions { Password = password }, c);
                pong = (await conn.SendAsync(new object[] { "PING" }, c)).Text ?? "";
                return (true, pong);
            }
            catch (Exception e) when (e is RedisException or IOException) { return (false, e.Message); }
        }, Ct, pollMs: 200);
        Assert.Equal("PONG", pong);
        // docker inspect: no password on the command line, in the environment or anywhere else.
        var psi = new System.Diagnostics.ProcessStartInfo("docker", $"inspect {name}") { RedirectStandardOutput = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var inspect = await p.StandardOutput.ReadToEndAsync(Ct);
        await p.WaitForExitAsync(Ct);
        Assert.Contains("/run/secrets/" + TopologyOperations.ComposeNodeSecret, inspect);
        Assert.DoesNotContain("pa ss", inspect);
    }

    [Fact]
    public async Task Item17_AnInvalidImageAndTheDefaultBridgeAreModuleErrors()
    {
        var net = await NewNetworkAsync();
        Assert.Equal(ErrorIds.InvalidImage, (await RefusedAsync(new NodeSpec { Name = Topology + "-img", Network = net.Name, Image = "Not A Valid:ref" })).ErrorId);
        Assert.Equal(ErrorIds.NetworkNotFound, (await RefusedAsync(new NodeSpec { Name = Topology + "-br", Network = "bridge" })).ErrorId);
    }

    [Fact]
    public async Task Item17_AnImportedNodeNamedLikeAPathIsAModuleError()
    {
        var spec = InputSafetyTests.Spec(n => n with { Name = "../../etc", Network = Topology })
            with { Name = Topology, Networks = new[] { new NetworkSpecDto(Topology, "172.27.251.0/24", null, false, null) } };
        var e = await Assert.ThrowsAsync<RedisDockerException>(() => Session.Workflows(Sink).Topologies.ImportAsync(spec, null, Ct));
        Assert.Equal(ErrorIds.InvalidName, e.ErrorId);
        Assert.Null(await (await Session.GetDockerAsync(Ct)).InspectNetworkAsync(Topology, Ct));
        // Given to the cmdlets that act on an existing node or network: not found, never a raw HTTP 301.
        Assert.Equal(ErrorIds.NodeNotFound, (await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.RemoveAsync("../../etc", true, Ct))).ErrorId);
        Assert.Equal(ErrorIds.NodeNotFound, (await Assert.ThrowsAsync<RedisDockerException>(() => Nodes.StopAsync("../../etc", 1, Ct))).ErrorId);
        Assert.Equal(ErrorIds.NetworkNotFound, (await Assert.ThrowsAsync<RedisDockerException>(() => Networks.RemoveAsync("../../etc", false, Ct))).ErrorId);
    }
}
