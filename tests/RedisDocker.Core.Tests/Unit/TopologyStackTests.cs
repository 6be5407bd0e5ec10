using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>
/// Issue 15 item 5: the spec of a topology on an overlay records the overlay and each node's swarm node and
/// published address (older specs read as before), and its Compose export is a Docker Swarm stack file.
/// </summary>
public class TopologyStackTests
{
    private const string Shared = "host-a/0123456789ab";

    private static TopologySpec OverlaySpec(bool sharedHostnames = false, bool sentinels = false)
    {
        var nodes = Enumerable.Range(1, 6).Select(i => new NodeSpecDto($"ov-{i}", "ov", $"172.30.9.{40 + i}", 6379,
            null, !sentinels, 5000, true, null, null, sentinels && i > 1 ? "ov-1" : null, null,
            i % 2 == 1 ? "tcp://10.250.1.2:2375" : "tcp://10.250.2.2:2375")
        {
            SwarmNode = i % 2 == 1 ? (sharedHostnames ? Shared : "machine-a") : "machine-b",
            SwarmNodeId = i % 2 == 1 ? "0123456789abcdef" : "fedcba9876543210",
            HostAddress = i % 2 == 1 ? "10.250.1.2" : "10.250.2.2",
        }).ToArray();
        return new TopologySpec(TopologySpec.CurrentFormat, "ov", DateTimeOffset.UnixEpoch,
            new PasswordReferenceDto("node-configuration", "-"),
            new[] { new NetworkSpecDto("ov", "172.30.9.0/24", null, false, "tcp://10.250.1.2:2375", "overlay") },
            nodes,
            sentinels ? null : new ClusterSpecDto(new[]
            {
                new ClusterPrimaryDto("ov-1", new[] { "0-5460" }, new[] { "ov-4" }),
                new ClusterPrimaryDto("ov-2", new[] { "5461-10922" }, new[] { "ov-5" }),
                new ClusterPrimaryDto("ov-3", new[] { "10923-16383" }, new[] { "ov-6" }),
            }),
            sentinels ? new[] { new SentinelGroupDto("ovm", "ov-1", 3, 2, 5000, 60000, 1, 26379, null) }
                : Array.Empty<SentinelGroupDto>());
    }

    /// <summary>The services of a stack file: name to its indented block.</summary>
    private static Dictionary<string, string> Services(string yaml)
    {
        var lines = yaml.Split('\n');
        var start = Array.IndexOf(lines, "services:");
        var result = new Dictionary<string, string>();
        string? current = null;
        for (var i = start + 1; i < lines.Length && (lines[i].StartsWith(' ') || lines[i].Length == 0); i++)
        {
            if (lines[i].StartsWith("  ", StringComparison.Ordinal) && !lines[i].StartsWith("   ",
                StringComparison.Ordinal))
                result[current = lines[i].Trim().TrimEnd(':')] = "";
            else if (current is not null) result[current] += lines[i] + "\n";
        }
        return result;
    }

    [Fact]
    public void TheSpecRecordsTheOverlayAndEachNodesSwarmNodeAndReadsOlderSpecsAsBefore()
    {
        var json = TopologyOperations.ToJson(OverlaySpec());
        Assert.Contains("\"driver\": \"overlay\"", json);
        Assert.Contains("\"swarmNode\": \"machine-b\"", json);
        Assert.Contains("\"swarmNodeId\": \"fedcba9876543210\"", json);
        Assert.Contains("\"hostAddress\": \"10.250.2.2\"", json);
        var back = TopologyOperations.FromJson(json);
        Assert.Equal("overlay", back.Networks[0].Driver);
        Assert.Equal("machine-a", back.Nodes[0].SwarmNode);
        Assert.Equal("10.250.1.2", InputValidation.ToNodeSpec(back, back.Nodes[0], null).HostIp);

        // A spec written before: no driver, no swarm node, no published address.
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        foreach (var n in node["networks"]!.AsArray()) n!.AsObject().Remove("driver");
        foreach (var n in node["nodes"]!.AsArray())
            foreach (var key in new[] { "swarmNode", "swarmNodeId", "hostAddress" }) n!.AsObject().Remove(key);
        var older = TopologyOperations.FromJson(node.ToJsonString());
        Assert.Null(older.Networks[0].Driver);
        Assert.All(older.Nodes, n => Assert.Null(n.HostAddress));
        Assert.Equal("127.0.0.1", InputValidation.ToNodeSpec(older, older.Nodes[0], null).HostIp);
        Assert.False(TopologyOperations.IsOverlayTopology(older));
    }

    [Fact]
    public void AClusterNodeListeningAbove55535OnANetworkIsAValidSpec()
    {
        // A cluster node on a network listens on the host port Docker picked for it (32768-60999 on a remote engine)
        // and takes port - 10000 as its bus port there: its export must import again (SwarmMoveIntegrationTests
        // failed on it now and then). With host networking the bus port is port + 10000, and stays refused.
        var spec = OverlaySpec() with
        {
            Nodes = OverlaySpec().Nodes.Select(n => n with { Port = 57816 }).ToArray(),
        };
        InputValidation.ValidateSpec(spec, null);
        // The stack file gives it the same bus port (SwarmMoveIntegrationTests deployed one that restarted).
        Assert.Contains("\"--port\", \"57816\", ", TopologyOperations.ToStack(spec));
        Assert.Contains("\"--cluster-port\", \"47816\"", TopologyOperations.ToStack(spec));
        // So does the per-host Compose file of the same nodes on a bridge network.
        var bridge = spec with { Networks = new[] { new NetworkSpecDto("ov", "172.30.9.0/24", null, false, null) } };
        var withCluster = TopologyOperations.ToCompose(bridge).Values
            .Where(y => y.Contains("--cluster-enabled")).ToList();
        Assert.NotEmpty(withCluster);
        Assert.All(withCluster, yaml => Assert.Contains("\"--cluster-port\", \"47816\"", yaml));
        var hostNetwork = InputValidation.ToNodeSpec(spec, spec.Nodes[0], null) with
        {
            HostNetwork = true, AnnounceAddress = "10.250.1.2", Topology = "ov",
        };
        Assert.Equal(ErrorIds.InvalidConfig,
            Assert.Throws<RedisDockerException>(() => InputValidation.ValidateNode(hostNetwork)).ErrorId);
    }

    /// <summary>The command line of a service: the words of its command: line, unquoted.</summary>
    private static string Command(string service) =>
        service.Split('\n').First(l => l.TrimStart().StartsWith("command:", StringComparison.Ordinal))
            .Split('[', 2)[1].TrimEnd(']').Replace("\"", "", StringComparison.Ordinal).Replace(",", "",
                StringComparison.Ordinal);

    /// <summary>The stack file and the per-host Compose file build a node's redis-server command from the same parts
    /// (cluster flags, the bus port below a port above 55535, memory, the node's settings, the secret last); each
    /// names the other nodes its own way (service names, container addresses).</summary>
    [Fact]
    public void BothExportsBuildANodesCommandFromTheSameParts()
    {
        var config = new Dictionary<string, string> { ["hz"] = "50", ["save"] = "900 1 300 10" };
        var spec = OverlaySpec();
        spec = spec with
        {
            Nodes = spec.Nodes.Select((n, i) => i == 0
                ? n with { Port = 57816, MaxMemory = "256mb", MaxMemoryPolicy = "allkeys-lru", Config = config,
                    ClusterNodeTimeoutMs = 3000 }
                : n).ToArray(),
        };
        Assert.Equal("redis-server --port 57816 --appendonly yes --protected-mode yes --replica-announce-ip ov-1 "
            + "--cluster-enabled yes --cluster-config-file /data/nodes.conf --cluster-node-timeout 3000 "
            + "--cluster-announce-hostname ov-1 --cluster-preferred-endpoint-type hostname --cluster-port 47816 "
            + "--maxmemory 256mb --maxmemory-policy allkeys-lru --hz 50 --save 900 1 300 10 "
            + $"--include /run/secrets/{TopologyOperations.ComposeNodeSecret}",
            Command(Services(TopologyOperations.ToStack(spec))["ov-1"]));
        var bridge = spec with { Networks = new[] { new NetworkSpecDto("ov", "172.30.9.0/24", null, false, null) } };
        var compose = TopologyOperations.ToCompose(bridge).Values.Select(Services)
            .First(s => s.ContainsKey("ov-1"))["ov-1"];
        Assert.Equal("redis-server --port 57816 --appendonly yes --protected-mode yes --replica-announce-ip "
            + "172.30.9.41 --cluster-enabled yes --cluster-config-file /data/nodes.conf --cluster-node-timeout 3000 "
            + "--cluster-announce-ip 172.30.9.41 --cluster-port 47816 --maxmemory 256mb --maxmemory-policy "
            + $"allkeys-lru --hz 50 --save 900 1 300 10 --include /run/secrets/{TopologyOperations.ComposeNodeSecret}",
            Command(compose));

        // A replica outside a cluster: replicaof names its primary, by service name or by address.
        var sentinels = OverlaySpec(sentinels: true);
        Assert.Equal("redis-server --port 6379 --appendonly yes --protected-mode yes --replica-announce-ip ov-2 "
            + $"--replicaof ov-1 6379 --include /run/secrets/{TopologyOperations.ComposeNodeSecret}",
            Command(Services(TopologyOperations.ToStack(sentinels))["ov-2"]));
        var sentinelBridge = sentinels with
        {
            Networks = new[] { new NetworkSpecDto("ov", "172.30.9.0/24", null, false, null) },
        };
        var replica = TopologyOperations.ToCompose(sentinelBridge).Values.Select(Services)
            .First(s => s.ContainsKey("ov-2"))["ov-2"];
        Assert.Equal("redis-server --port 6379 --appendonly yes --protected-mode yes --replica-announce-ip "
            + $"172.30.9.42 --replicaof 172.30.9.41 6379 --include /run/secrets/{TopologyOperations.ComposeNodeSecret}",
            Command(replica));
    }

    [Fact]
    public void AnUnknownNetworkDriverInASpecIsRefused()
    {
        var spec = OverlaySpec() with
        {
            Networks = new[] { new NetworkSpecDto("ov", "172.30.9.0/24", null, false, null, "macvlan") },
        };
        Assert.Equal(ErrorIds.InvalidArgument,
            Assert.Throws<RedisDockerException>(() => InputValidation.ValidateSpec(spec, null)).ErrorId);
    }

    [Fact]
    public void TheStackFilePlacesEachNodeOnItsSwarmNodeOnAnOverlayTheStackMakes()
    {
        var spec = OverlaySpec();
        var yaml = TopologyOperations.ToStack(spec);
        var services = Services(yaml);
        Assert.Equal(spec.Nodes.Select(n => n.Name).Order(), services.Keys.Order());
        foreach (var n in spec.Nodes)
        {
            var s = services[n.Name];
            Assert.Contains($"    hostname: {n.Name}\n", s);
            Assert.Contains("    networks:\n      - ov\n", s);
            Assert.Contains($"    volumes:\n      - {n.Name}-data:/data\n", s);
            Assert.Contains($"          - \"node.hostname == {n.SwarmNode}\"\n", s);
            Assert.Contains("      replicas: 1\n      endpoint_mode: dnsrr\n", s);
            Assert.Contains($"    secrets:\n      - {TopologyOperations.ComposeNodeSecret}\n", s);
            // Hostnames where the module uses addresses; no static address, no host port, no password.
            Assert.Contains($"\"--cluster-announce-hostname\", \"{n.Name}\"", s);
            Assert.Contains($"\"--replica-announce-ip\", \"{n.Name}\"", s);
            Assert.Contains("\"--cluster-preferred-endpoint-type\", \"hostname\"", s);
            Assert.DoesNotContain(n.IPAddress!, s);
            Assert.DoesNotContain("requirepass", s);
        }
        var body = string.Join("\n", yaml.Split('\n').Where(l => !l.StartsWith('#')));
        Assert.DoesNotContain("ipv4_address", body);
        Assert.DoesNotContain("container_name", body);
        Assert.DoesNotContain("ports:", body);
        Assert.DoesNotContain("io.redisdocker", body);
        Assert.Contains("networks:\n  ov:\n    name: ov\n    driver: overlay\n    attachable: true\n"
            + "    ipam:\n      config:\n        - subnet: 172.30.9.0/24\n", yaml);
        Assert.Contains($"secrets:\n  {TopologyOperations.ComposeNodeSecret}:\n    file: ./"
            + $"{TopologyOperations.ComposeNodeSecret}\n", yaml);
        foreach (var n in spec.Nodes) Assert.Contains($"  {n.Name}-data:\n    name: {n.Name}-data\n", yaml);
        // The header says what Swarm cannot express and how to form the cluster.
        var header = string.Join("\n", yaml.Split('\n').TakeWhile(l => l.StartsWith('#')));
        Assert.Contains("docker stack deploy", header);
        Assert.Contains("Static addresses", header);
        Assert.Contains("--cluster create $(getent hosts ov-1 | cut -d' ' -f1):6379", header);
        Assert.Contains("--cluster-replicas 1", header);
    }

    [Fact]
    public void SharedHostnamesPlaceByNodeIdAndSentinelsMonitorByServiceName()
    {
        var spec = OverlaySpec(sharedHostnames: true, sentinels: true);
        var services = Services(TopologyOperations.ToStack(spec));
        Assert.Contains("          - \"node.id == 0123456789abcdef\"\n", services["ov-1"]);
        Assert.Contains("          - \"node.hostname == machine-b\"\n", services["ov-2"]);
        Assert.Contains("\"--replicaof\", \"ov-1\", \"6379\"", services["ov-3"]);
        for (var i = 1; i <= 3; i++)
        {
            var s = services[$"ov-sentinel-{i}"];
            Assert.Contains("sentinel monitor ovm ov-1 6379 2", s);
            Assert.Contains("sentinel resolve-hostnames yes", s);
            Assert.Contains($"sentinel announce-ip ov-sentinel-{i}", s);
            Assert.Contains("placement:", s);
            Assert.DoesNotContain("auth-pass", s.Split('\n').First(l => l.Contains("command:")));
        }
    }

    [Fact]
    public void ABridgeTopologyHasNoStackFile()
    {
        var spec = OverlaySpec() with
        {
            Networks = new[] { new NetworkSpecDto("ov", "172.30.9.0/24", null, false, null) },
        };
        Assert.False(TopologyOperations.IsOverlayTopology(spec));
        Assert.Equal(ErrorIds.InvalidArgument,
            Assert.Throws<RedisDockerException>(() => TopologyOperations.ToStack(spec)).ErrorId);
    }

    /// <summary>Review: each member of the printed cluster create line carries its own port (the nodes listen on
    /// their own host port), not the first member's.</summary>
    [Fact]
    public void TheClusterCreateLineGivesEachMemberItsOwnPort()
    {
        var spec = OverlaySpec();
        spec = spec with { Nodes = spec.Nodes.Select((n, i) => n with { Port = 7001 + i }).ToArray() };
        var header = string.Join("\n",
            TopologyOperations.ToStack(spec).Split('\n').TakeWhile(l => l.StartsWith('#')));
        foreach (var n in spec.Nodes)
            Assert.Contains($"$(getent hosts {n.Name} | cut -d' ' -f1):{n.Port} ", header);
        Assert.DoesNotContain("ov-4 | cut -d' ' -f1):7001", header);
    }

    /// <summary>Review: the stack file of a TLS topology, or one with ACL users or the user default off, lacks
    /// them; the export says so through the sink instead of only in a comment.</summary>
    [Fact]
    public void TheExportWarnsWhenTheStackFileLacksTlsOrUsers()
    {
        var plain = new RecordingSink();
        TopologyOperations.ToStack(OverlaySpec(), plain);
        Assert.DoesNotContain(plain.Lines, l => l.StartsWith("WARNING:", StringComparison.Ordinal));

        var spec = OverlaySpec();
        spec = spec with
        {
            Nodes = spec.Nodes.Select(n => n with { Tls = "yes" }).ToArray(),
            Users = new[] { new UserSpecDto("app", true, new[] { "#" + new string('a', 64) }, "+@read ~*") },
            DefaultUserOff = true,
        };
        var sink = new RecordingSink();
        TopologyOperations.ToStack(spec, sink);
        var warnings = sink.Lines.Where(l => l.StartsWith("WARNING:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("uses TLS") && w.Contains("plain text"));
        Assert.Contains(warnings, w => w.Contains("ACL users and the user default off") && w.Contains("ACL SETUSER"));

        var usersOnly = new RecordingSink();
        TopologyOperations.ToStack(OverlaySpec() with { DefaultUserOff = true }, usersOnly);
        Assert.Single(usersOnly.Lines, l => l.Contains("the user default off"));
    }
}
