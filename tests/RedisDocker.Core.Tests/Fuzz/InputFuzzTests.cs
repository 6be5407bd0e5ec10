using System.Text;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Tests.Integration;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Fuzz;

/// <summary>
/// Issue 9 (input safety): 200 generated bad values for every string and number a node takes
/// (New-RedisNode) and every field of an imported spec (Import-RedisTopology), through the real
/// operations on the real engine. Each must end in a module error id from validation, before anything
/// is created; afterwards a label query shows that nothing of the fuzz topology exists.
/// Seeded, so a failure replays; bounded: validation makes no Docker call.
/// </summary>
public sealed class InputFuzzTests : IAsyncLifetime
{
    private const int PerField = 200;
    private readonly string _topology = "fz" + Guid.NewGuid().ToString("N")[..8];
    private readonly RedisDockerSession _session = new(DockerEndpoint.FromEnvironment()) { DefaultImage = DockerTestBase.TestImage };

    /// <summary>Ids that validation raises; a raw Docker error (DockerError) or a crash (UnexpectedError) is a failure.</summary>
    private static readonly HashSet<string> s_validationIds = new()
    {
        ErrorIds.InvalidName, ErrorIds.InvalidConfig, ErrorIds.InvalidImage, ErrorIds.InvalidPassword, ErrorIds.IPAddressInvalid,
        ErrorIds.InvalidArgument, ErrorIds.InvalidDockerHost, ErrorIds.InvalidSubnet, ErrorIds.InvalidSlot, ErrorIds.SentinelQuorumInvalid,
        ErrorIds.NodeNotFound, ErrorIds.NetworkNotFound, ErrorIds.ClusterModeRequired, ErrorIds.NodeNameTaken, ErrorIds.NetworkNameTaken,
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await DockerTestBase.RemoveTopologyAsync(_session, _topology);
        _session.Dispose();
    }

    // ------------------------------------------------------------------ generators

    /// <summary>A seed that is the same in every run (string.GetHashCode is randomised per process).</summary>
    private static int Seed(string field) => field.Aggregate(17, (h, c) => unchecked(h * 31 + c));

    private static readonly string[] s_injections =
    {
        "\n", "\r\n", "\r", "\0", "\t", "\u0007", "\u001b[2J", "\u007f", "\u0085", "\u2028", "\u2029",
        "\nuser backdoor on >letmein ~* &* +@all", "\nprotected-mode no", "\nrequirepass x",
    };

    private static readonly string[] s_junk =
    {
        "../../etc", "..", "/", "a/b", "a\\b", "$(id)", "`id`", "a;b", "a b", " ", "", "\"", "'", "-x", ".x", "_x", "a:b", "a@b",
        "ä", "名前", "%00", "%2e%2e%2f", "*", "?", "{", "#", "=", "&", "|", ">", "<",
    };

    private static string Inject(Random r, string valid) =>
        r.Next(3) switch
        {
            0 => valid + s_injections[r.Next(s_injections.Length)],
            1 => s_injections[r.Next(s_injections.Length)] + valid,
            _ => valid.Insert(r.Next(valid.Length + 1), s_injections[r.Next(s_injections.Length)]),
        };

    private const string BadNameChars = "/\\ :;$!@#%^&*()+=[]{}|<>?,\"'`~\n\t";

    /// <summary>Never a valid name (1-63 of [A-Za-z0-9_.-], starting with a letter or digit).</summary>
    private static string BadName(Random r) => r.Next(5) switch
    {
        0 => Inject(r, "node"),
        1 => s_junk[r.Next(s_junk.Length)] + "/",
        2 => new string('a', 64 + r.Next(200)),
        3 => "-_."[r.Next(3)] + "node",
        _ => "node" + BadNameChars[r.Next(BadNameChars.Length)] + r.Next(1000),
    };

    private static string BadIp(Random r) => r.Next(6) switch
    {
        0 => Inject(r, "127.0.0.1"),
        1 => $"{256 + r.Next(1000)}.{r.Next(256)}.{r.Next(256)}.{r.Next(256)}",
        2 => new[] { "localhost", "not-an-ip", "1", "127.1", "0x7f.0.0.1", "127.0.0.01", "1.2.3", "1.2.3.4.5", "::g", "host.docker.internal" }[r.Next(10)],
        3 => s_junk[r.Next(s_junk.Length)],
        4 => $"{r.Next(256)}.{r.Next(256)}.{r.Next(256)}.{r.Next(256)}/{r.Next(33)}",
        _ => $"{r.Next(256)}.{r.Next(256)}..{r.Next(256)}",
    };

    private static int BadPort(Random r) => r.Next(4) switch
    {
        0 => -r.Next(int.MaxValue),
        1 => 0,
        2 => 65536 + r.Next(int.MaxValue - 65536),
        _ => new[] { int.MinValue, int.MaxValue, -1, 65536, 100000 }[r.Next(5)],
    };

    private static string BadImage(Random r) => r.Next(5) switch
    {
        0 => Inject(r, "redis:7.4"),
        1 => "REDIS" + r.Next(100),
        2 => "redis" + new[] { ":", "::7", "@sha256:xyz", " latest", ":-x", "/", "//x", "..", "!", "$x" }[r.Next(10)],
        3 => new string('a', 256 + r.Next(100)),
        _ => s_junk[r.Next(s_junk.Length)] + "redis ",
    };

    private static string BadMemory(Random r) => r.Next(4) switch
    {
        0 => Inject(r, "64mb"),
        1 => r.Next(1000) + new[] { "tb", "pb", "mib", "gib", " mb", "m b", "xb", "%", "mbs", "k k" }[r.Next(10)],
        2 => new[] { "lots", "-1", "", " ", "1e9", "0x10", "1.5gb", "∞" }[r.Next(8)],
        _ => new string('9', 16 + r.Next(20)),
    };

    private static string BadPolicy(Random r) => r.Next(3) switch
    {
        0 => Inject(r, "allkeys-lru"),
        1 => new[] { "ALLKEYS-LRU", "lru", "allkeys", "volatile", "", " noeviction", "noeviction " }[r.Next(7)],
        _ => "policy-" + r.Next(10000),
    };

    private static string BadPassword(Random r) => r.Next(3) switch
    {
        0 => "",
        1 => new string('p', RedisConfigRenderer.MaxPasswordBytes + 1 + r.Next(60000)),
        _ => "password-" + r.Next(1000) + "\0" + r.Next(1000),
    };

    private static KeyValuePair<string, string> BadConfig(Random r) => r.Next(6) switch
    {
        0 => new(BadName(r) + "!", "1"),
        1 => new("hz", Inject(r, "10")),
        2 => new(new[] { "port", "requirepass", "masterauth", "dir", "include", "bind", "protected-mode", "user", "aclfile", "masteruser",
                          "cluster-announce-ip", "cluster-announce-port", "replica-announce-ip", "replicaof", "daemonize", "maxmemory" }[r.Next(16)], "x y"),
        3 => new("rename-command", new[] { "CONFIG", "AUTH", "PING", "INFO", "ROLE", "CLUSTER", "replicaof", "Config" }[r.Next(8)] + " \"\""),
        4 => new("notify-keyspace-events", new[] { "\"KEA", "'KEA", "\"K\"EA", "'K'EA" }[r.Next(4)]),
        _ => new(new[] { "hz", "databases", "maxclients", "timeout" }[r.Next(4)], new[] { "ten", "1 2", "1.5", "-", "x" }[r.Next(5)]),
    };

    private static string BadDockerHost(Random r) => r.Next(3) switch
    {
        0 => "no-scheme-" + r.Next(1000),
        1 => Inject(r, "unix:///var/run/docker.sock"),
        _ => new[] { "", " ", "://x", "ftp://example" }[r.Next(4)],
    };

    // ------------------------------------------------------------------ node parameters (New-RedisNode)

    public static IEnumerable<object[]> NodeFields() => new[]
    {
        "Name", "Network", "Topology", "Image", "Port", "HostPort", "BusPort", "ClusterNodeTimeoutMs", "HostIp", "IPAddress",
        "AnnounceAddress", "Password", "MaxMemory", "MaxMemoryPolicy", "ConfigName", "ConfigValue", "Label", "DockerHost",
    }.Select(f => new object[] { f });

    private NodeSpec BadNode(string field, Random r, int i)
    {
        var s = new NodeSpec { Name = $"{_topology}-{i}", Network = _topology };
        return field switch
        {
            "Name" => s with { Name = BadName(r) },
            "Network" => s with { Network = BadName(r) },
            "Topology" => s with { Topology = BadName(r) },
            "Image" => s with { Image = BadImage(r) },
            "Port" => s with { Port = BadPort(r) },
            "HostPort" => s with { HostPort = BadPort(r) },
            "BusPort" => s with { BusPort = BadPort(r) },
            "ClusterNodeTimeoutMs" => s with { ClusterEnabled = true, ClusterNodeTimeoutMs = r.Next(2) == 0 ? -r.Next(int.MaxValue) + 99 : 600001 + r.Next(int.MaxValue - 600001) },
            "HostIp" => s with { HostIp = BadIp(r) },
            "IPAddress" => s with { IPAddress = BadIp(r) },
            "AnnounceAddress" => s with { HostNetwork = true, Topology = _topology, AnnounceAddress = BadIp(r) },
            "Password" => s with { Password = BadPassword(r) },
            "MaxMemory" => s with { MaxMemory = BadMemory(r) },
            "MaxMemoryPolicy" => s with { MaxMemoryPolicy = BadPolicy(r) },
            "ConfigName" or "ConfigValue" => s with { Config = new[] { BadConfig(r) } },
            "Label" => s with
            {
                Labels = new Dictionary<string, string>
                {
                    [r.Next(2) == 0 ? "io.redisdocker." + new[] { "topology", "managed", "role", "port", "x" }[r.Next(5)] : Inject(r, "com.example.team")] = Inject(r, "v"),
                },
            },
            "DockerHost" => s with { DockerHost = BadDockerHost(r) },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
    }

    [Theory]
    [MemberData(nameof(NodeFields))]
    public async Task EveryBadNodeValueIsRefusedBeforeAnythingIsMade(string field)
    {
        var r = new Random(Seed(field) ^ 9009);
        var sink = new RecordingSink();
        var nodes = _session.Workflows(sink).Nodes;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (var i = 0; i < PerField; i++)
        {
            var spec = BadNode(field, r, i);
            var e = await Assert.ThrowsAsync<RedisDockerException>(() => nodes.CreateAsync(new[] { spec }, cts.Token));
            Assert.True(s_validationIds.Contains(e.ErrorId) && e.ErrorId != ErrorIds.NetworkNotFound,
                $"{field} #{i} '{RedisConfigRenderer.Printable(Describe(spec, field))}': {e.ErrorId} {e.Message}");
        }
        // Refused before anything was made: no network, volume or container was even created and removed again.
        Assert.DoesNotContain(sink.Lines, l => l.StartsWith("VERBOSE: Creating", StringComparison.Ordinal));
        await AssertNothingMadeAsync();
    }

    private static string Describe(NodeSpec s, string field) => field switch
    {
        "Password" => $"({s.Password?.Length} chars)",
        "ConfigName" or "ConfigValue" => string.Join(";", s.Config.Select(kv => kv.Key + "=" + kv.Value)),
        "Label" => string.Join(";", s.Labels.Select(kv => kv.Key + "=" + kv.Value)),
        _ => typeof(NodeSpec).GetProperty(field)?.GetValue(s)?.ToString() ?? "",
    };

    // ------------------------------------------------------------------ imported spec fields (Import-RedisTopology)

    public static IEnumerable<object[]> SpecFields() => new[]
    {
        "spec.name", "networks.name", "networks.subnet", "networks.gateway", "networks.dockerHost",
        "nodes.name", "nodes.network", "nodes.ipAddress", "nodes.port", "nodes.image", "nodes.clusterNodeTimeoutMs", "nodes.maxMemory",
        "nodes.maxMemoryPolicy", "nodes.replicaOf", "nodes.config", "nodes.dockerHost", "nodes.announceAddress",
        "cluster.primaries.name", "cluster.primaries.slots", "cluster.primaries.replicas",
        "sentinelGroups.masterName", "sentinelGroups.primary", "sentinelGroups.count", "sentinelGroups.quorum", "sentinelGroups.downAfterMs",
        "sentinelGroups.failoverTimeoutMs", "sentinelGroups.parallelSyncs", "sentinelGroups.port", "sentinelGroups.image", "password",
    }.Select(f => new object[] { f });

    private (TopologySpec Spec, string? Password) BadSpec(string field, Random r)
    {
        var t = _topology;
        var net = new NetworkSpecDto(t, "172.27.252.0/24", null, false, null);
        var node = new NodeSpecDto($"{t}-1", t, "172.27.252.10", 6379, null, false, null, true, null, null, null, null, null);
        var cnode = node with { Name = $"{t}-2", IPAddress = "172.27.252.11", ClusterEnabled = true };
        var cluster = new ClusterSpecDto(new[] { new ClusterPrimaryDto(cnode.Name, new[] { "0-16383" }, Array.Empty<string>()) });
        var group = new SentinelGroupDto(t, node.Name, 3, 2, 5000, 60000, 1, 26379, null);
        var spec = new TopologySpec(TopologySpec.CurrentFormat, t, DateTimeOffset.UtcNow, new PasswordReferenceDto("x", "y"),
            new[] { net }, new[] { node, cnode }, cluster, new[] { group });
        TopologySpec WithNode(NodeSpecDto n) => spec with { Nodes = new[] { n, cnode } };
        TopologySpec WithPrimary(ClusterPrimaryDto p) => spec with { Cluster = new ClusterSpecDto(new[] { p }) };
        TopologySpec WithGroup(SentinelGroupDto g) => spec with { SentinelGroups = new[] { g } };
        var primary = cluster.Primaries[0];
        return field switch
        {
            "spec.name" => (spec with { Name = BadName(r) }, null),
            "networks.name" => (spec with { Networks = new[] { net with { Name = BadName(r) } } }, null),
            "networks.subnet" => (spec with
            {
                Networks = new[] { net with { Subnet = r.Next(3) == 0 ? $"172.27.{r.Next(256)}.{1 + r.Next(255)}/24" : r.Next(2) == 0 ? $"10.0.0.0/{31 + r.Next(100)}" : $"{BadIp(r)}/24" } },
            }, null),
            "networks.gateway" => (spec with { Networks = new[] { net with { Gateway = BadIp(r) } } }, null),
            "networks.dockerHost" => (spec with { Networks = new[] { net with { DockerHost = BadDockerHost(r) } } }, null),
            "nodes.name" => (WithNode(node with { Name = BadName(r) }), null),
            "nodes.network" => (WithNode(node with { Network = r.Next(2) == 0 ? BadName(r) : "undefined-" + r.Next(1000) }), null),
            "nodes.ipAddress" => (WithNode(node with { IPAddress = BadIp(r) }), null),
            "nodes.port" => (WithNode(node with { Port = BadPort(r) }), null),
            "nodes.image" => (WithNode(node with { Image = BadImage(r) }), null),
            "nodes.clusterNodeTimeoutMs" => (WithNode(node with { ClusterNodeTimeoutMs = r.Next(2) == 0 ? -r.Next(int.MaxValue) + 99 : 600001 + r.Next(1 << 30) }), null),
            "nodes.maxMemory" => (WithNode(node with { MaxMemory = BadMemory(r) }), null),
            "nodes.maxMemoryPolicy" => (WithNode(node with { MaxMemoryPolicy = BadPolicy(r) }), null),
            "nodes.replicaOf" => (WithNode(node with { ReplicaOf = r.Next(2) == 0 ? BadName(r) : "missing-" + r.Next(1000) }), null),
            "nodes.config" => (WithNode(node with { Config = new[] { BadConfig(r) }.ToDictionary(kv => kv.Key, kv => kv.Value) }), null),
            "nodes.dockerHost" => (WithNode(node with { DockerHost = BadDockerHost(r) }), null),
            "nodes.announceAddress" => (WithNode(node with { AnnounceAddress = BadIp(r) }), null),
            "cluster.primaries.name" => (WithPrimary(primary with { Name = r.Next(2) == 0 ? BadName(r) : node.Name }), null),
            "cluster.primaries.slots" => (WithPrimary(primary with
            {
                Slots = new[] { new[] { "abc", "-1", "16384", "0-16384", "10-5", "1--2", "", " ", "0-", "99999999999" }[r.Next(10)] + (r.Next(3) == 0 ? Inject(r, "") : "") },
            }), null),
            "cluster.primaries.replicas" => (WithPrimary(primary with { Replicas = new[] { r.Next(2) == 0 ? BadName(r) : node.Name } }), null),
            "sentinelGroups.masterName" => (WithGroup(group with { MasterName = BadName(r) }), null),
            "sentinelGroups.primary" => (WithGroup(group with { Primary = r.Next(2) == 0 ? BadName(r) : cnode.Name }), null),
            "sentinelGroups.count" => (WithGroup(group with { Count = r.Next(2) == 0 ? -r.Next(int.MaxValue) : 16 + r.Next(int.MaxValue - 16) }), null),
            "sentinelGroups.quorum" => (WithGroup(group with { Quorum = r.Next(2) == 0 ? -r.Next(int.MaxValue) : 4 + r.Next(int.MaxValue - 4) }), null),
            "sentinelGroups.downAfterMs" => (WithGroup(group with { DownAfterMs = -r.Next(int.MaxValue) }), null),
            "sentinelGroups.failoverTimeoutMs" => (WithGroup(group with { FailoverTimeoutMs = -r.Next(int.MaxValue) }), null),
            "sentinelGroups.parallelSyncs" => (WithGroup(group with { ParallelSyncs = -r.Next(int.MaxValue) }), null),
            "sentinelGroups.port" => (WithGroup(group with { Port = BadPort(r) }), null),
            "sentinelGroups.image" => (WithGroup(group with { Image = BadImage(r) }), null),
            "password" => (spec, BadPassword(r)),
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };
    }

    [Theory]
    [MemberData(nameof(SpecFields))]
    public async Task EveryBadSpecFieldIsRefusedBeforeAnythingIsMade(string field)
    {
        var r = new Random(Seed(field) ^ 9017);
        var sink = new RecordingSink();
        var topologies = _session.Workflows(sink).Topologies;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (var i = 0; i < PerField; i++)
        {
            var (spec, password) = BadSpec(field, r);
            var e = await Assert.ThrowsAsync<RedisDockerException>(() => topologies.ImportAsync(spec, password, cts.Token));
            Assert.True(s_validationIds.Contains(e.ErrorId), $"{field} #{i}: {e.ErrorId} {e.Message}");
            // Compose export goes through the same validation.
            if (password is null) Assert.Throws<RedisDockerException>(() => TopologyOperations.ToCompose(spec));
        }
        Assert.DoesNotContain(sink.Lines, l => l.StartsWith("VERBOSE: Creating", StringComparison.Ordinal));
        await AssertNothingMadeAsync();
    }

    [Fact]
    public async Task EveryBadNameGivenForAnExistingNodeOrNetworkIsNotFound()
    {
        // Remove-RedisNode, Stop-RedisNode, Get-RedisNode (one), Remove-RedisNetwork: a module error, never a raw Docker one.
        var r = new Random(9031);
        var nodes = _session.Workflows(NullSink.Instance).Nodes;
        var networks = _session.Workflows(NullSink.Instance).Networks;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        for (var i = 0; i < PerField; i++)
        {
            var name = BadName(r);
            Func<Task> act = (i % 4) switch
            {
                0 => () => nodes.RemoveAsync(name, true, cts.Token),
                1 => () => nodes.StopAsync(name, 1, cts.Token),
                2 => () => nodes.GetOneAsync(name, cts.Token),
                _ => () => networks.RemoveAsync(name, false, cts.Token),
            };
            var e = await Assert.ThrowsAsync<RedisDockerException>(act);
            Assert.True(e.ErrorId is ErrorIds.NodeNotFound or ErrorIds.NetworkNotFound, $"#{i} '{RedisConfigRenderer.Printable(name)}': {e.ErrorId} {e.Message}");
        }
        await AssertNothingMadeAsync();
    }

    [Fact]
    public void TheValuesTheFuzzMutatesAreValidAsTheyAre()
    {
        // So every refusal above is caused by the one field the fuzz changed.
        InputValidation.ValidateNode(new NodeSpec { Name = $"{_topology}-1", Network = _topology });
        InputValidation.ValidateNode(new NodeSpec { Name = $"{_topology}-1", Network = _topology, HostNetwork = true, Topology = _topology, AnnounceAddress = "10.250.0.1" });
        var r = new Random(1);
        var (spec, _) = BadSpec("password", r);
        InputValidation.ValidateSpec(spec, null);
        Assert.Single(TopologyOperations.ToCompose(spec));
    }

    private async Task AssertNothingMadeAsync()
    {
        var ct = CancellationToken.None;
        var docker = await _session.GetDockerAsync(ct);
        var labels = Labels.ForTopology(_topology);
        Assert.Empty(await docker.ListContainersAsync(labels, all: true, ct));
        Assert.Empty(await docker.ListVolumesAsync(labels, ct));
        Assert.Empty(await docker.ListNetworksAsync(labels, ct));
        Assert.DoesNotContain(await docker.ListContainersAsync(null, all: true, ct), c => c.Names.Any(n => n.StartsWith(_topology, StringComparison.Ordinal)));
        Assert.DoesNotContain(await docker.ListVolumesAsync(null, ct), v => v.Name.StartsWith(_topology, StringComparison.Ordinal));
    }
}
