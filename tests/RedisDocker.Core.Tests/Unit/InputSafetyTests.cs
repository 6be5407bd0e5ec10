using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>Issue 9 (input safety): every value is checked before it reaches a config file or Docker.</summary>
public class InputSafetyTests
{
    private static NodeSpec Node(Func<NodeSpec, NodeSpec>? f = null)
    {
        var s = new NodeSpec { Name = "safe-1", Network = "safe" };
        return f is null ? s : f(s);
    }

    private static RedisDockerException Refused(NodeSpec s) => Assert.Throws<RedisDockerException>(() => InputValidation.ValidateNode(s));

    // ---- item 1: config injection through -MaxMemory and every other value

    [Theory]
    [InlineData("64mb\nprotected-mode no")]
    [InlineData("64mb\nuser backdoor on >letmein ~* &* +@all")]
    [InlineData("64mb\r\nrequirepass x")]
    [InlineData("64mb\u2028x")]
    [InlineData("lots")]
    [InlineData("64 mb")]
    [InlineData("-1")]
    [InlineData("")]
    public void Item1_MaxMemoryInjectionIsRefused(string value)
    {
        var e = Refused(Node(s => s with { MaxMemory = value }));
        Assert.Equal(ErrorIds.InvalidConfig, e.ErrorId);
        Assert.Throws<RedisDockerException>(() => RedisConfigRenderer.Render(new RedisServerConfig { Password = "pw", MaxMemory = value }));
    }

    [Theory]
    [InlineData("64mb")]
    [InlineData("1GB")]
    [InlineData("1048576")]
    public void Item1_MaxMemorySizesAreAccepted(string value)
    {
        InputValidation.ValidateNode(Node(s => s with { MaxMemory = value }));
        Assert.Contains($"maxmemory {value}\n", RedisConfigRenderer.Render(new RedisServerConfig { Password = "pw", MaxMemory = value }));
    }

    [Fact]
    public void Item1_TheRendererRefusesAControlCharacterInAnyValue()
    {
        // The last line of defence: even a value that skipped validation cannot start a second directive.
        Assert.Throws<RedisDockerException>(() => RedisConfigRenderer.Render(new RedisServerConfig { Password = "pw", AnnounceIp = "10.0.0.1\nuser x on" }));
        Assert.Throws<RedisDockerException>(() => RedisConfigRenderer.Render(new RedisServerConfig { Password = "pw", ReplicaOf = "10.0.0.1 6379\nuser x" }));
        Assert.Throws<RedisDockerException>(() => RedisConfigRenderer.Render(new RedisServerConfig
        {
            Password = "pw", Extra = new[] { new KeyValuePair<string, string>("hz", "10\nuser backdoor on >x +@all") },
        }));
    }

    [Fact]
    public void Item1_AnImportedSpecWithAnInjectedMaxMemoryIsRefusedBeforeAnythingIsMade()
    {
        var spec = Spec(n => n with { MaxMemory = "64mb\nuser backdoor on >letmein ~* &* +@all" });
        var e = Assert.Throws<RedisDockerException>(() => InputValidation.ValidateSpec(spec, null));
        Assert.Equal(ErrorIds.InvalidConfig, e.ErrorId);
    }

    [Theory]
    [InlineData("hz", "ten")]
    [InlineData("hz", "10 20")]
    [InlineData("repl-backlog-size", "big")]
    [InlineData("activedefrag", "maybe")]
    [InlineData("maxmemory-policy", "all-keys")]
    [InlineData("notify-keyspace-events", "\"KEA")]
    [InlineData("notify-keyspace-events", "\"K\"EA")]
    public void Item1_DirectiveGrammarIsChecked(string name, string value)
    {
        Assert.NotNull(RedisConfigRenderer.ValidateExtra(name, value));
    }

    // ---- item 2: -HostAddress

    [Theory]
    [InlineData("localhost")]
    [InlineData("999.1.1.1")]
    [InlineData("not-an-ip")]
    [InlineData("1")]
    [InlineData("127.1")]
    [InlineData("")]
    [InlineData("127.0.0.1\n")]
    public void Item2_AHostAddressThatIsNoIpAddressIsRefused(string address)
    {
        var e = Refused(Node(s => s with { HostIp = address }));
        Assert.Equal(ErrorIds.IPAddressInvalid, e.ErrorId);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public void Item2_EveryInterfaceNeedsTheSwitch(string address)
    {
        Assert.Equal(ErrorIds.IPAddressInvalid, Refused(Node(s => s with { HostIp = address })).ErrorId);
        InputValidation.ValidateNode(Node(s => s with { HostIp = address, AllowAllInterfaces = true }));
    }

    // ---- item 5: passwords and -Config that would lock the module out

    [Fact]
    public void Item5_PasswordsAreCheckedUpFront()
    {
        Assert.Equal(ErrorIds.InvalidPassword, Refused(Node(s => s with { Password = "" })).ErrorId);
        Assert.Equal(ErrorIds.InvalidPassword, Refused(Node(s => s with { Password = new string('a', 65536) })).ErrorId);
        Assert.Equal(ErrorIds.InvalidPassword, Refused(Node(s => s with { Password = new string('a', RedisConfigRenderer.MaxPasswordBytes + 1) })).ErrorId);
        // Bytes count, not characters: 'ä' is two bytes in UTF-8.
        Assert.Equal(ErrorIds.InvalidPassword, Refused(Node(s => s with { Password = new string('ä', RedisConfigRenderer.MaxPasswordBytes / 2 + 1) })).ErrorId);
        Assert.Empty(InputValidation.ValidateNode(Node(s => s with { Password = new string('a', RedisConfigRenderer.MaxPasswordBytes) })));
        // Shorter than 16: accepted, with a warning (decision: warn, do not refuse).
        var warning = Assert.Single(InputValidation.ValidateNode(Node(s => s with { Password = "short-pw" })));
        Assert.Contains("at least 16", warning);
        Assert.Empty(InputValidation.ValidateNode(Node(s => s with { Password = "sixteen-chars-ok" })));
    }

    [Theory]
    [InlineData("user", "default on nopass")]
    [InlineData("user", "backdoor on >letmein ~* &* +@all")]
    [InlineData("rename-command", "CONFIG \"\"")]
    [InlineData("rename-command", "config x-config")]
    [InlineData("rename-command", "AUTH \"\"")]
    [InlineData("rename-command", "CLUSTER cl")]
    [InlineData("cluster-announce-ip", "10.0.0.1")]
    [InlineData("cluster-announce-port", "7000")]
    [InlineData("cluster-announce-bus-port", "17000")]
    [InlineData("cluster-announce-hostname", "x")]
    [InlineData("replica-announce-ip", "10.0.0.1")]
    [InlineData("masteruser", "repl")]
    [InlineData("aclfile", "/data/users.acl")]
    [InlineData("cluster-node-timeout", "100")]
    public void Item5_ConfigThatLocksTheModuleOutIsRefused(string name, string value)
    {
        var e = Refused(Node(s => s with { Config = new[] { new KeyValuePair<string, string>(name, value) } }));
        Assert.Equal(ErrorIds.InvalidConfig, e.ErrorId);
    }

    [Theory]
    [InlineData("rename-command", "FLUSHALL \"\"")]
    [InlineData("hz", "50")]
    [InlineData("save", "")]
    [InlineData("notify-keyspace-events", "\"Ex\"")]
    public void Item5_OrdinaryConfigIsAccepted(string name, string value)
    {
        InputValidation.ValidateNode(Node(s => s with { Config = new[] { new KeyValuePair<string, string>(name, value) } }));
    }

    // ---- item 6: the Compose export keeps the password out of command lines and the environment

    [Fact]
    public void Item6_ComposeReadsThePasswordFromSecretFiles()
    {
        var spec = Spec() with
        {
            SentinelGroups = new[] { new SentinelGroupDto("safe", "safe-1", 3, 2, 5000, 60000, 1, 26379, null) },
        };
        var yaml = Assert.Single(TopologyOperations.ToCompose(spec)).Value;
        var commands = yaml.Split('\n').Where(l => l.TrimStart().StartsWith("command:", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, commands.Count);
        Assert.All(commands, c => Assert.DoesNotContain("requirepass", c));
        Assert.All(commands, c => Assert.DoesNotContain("auth-pass", c));
        Assert.All(commands, c => Assert.DoesNotContain("$", c));
        Assert.DoesNotContain("REDIS_PASSWORD", yaml);
        Assert.DoesNotContain("environment:", yaml);
        Assert.Contains($"\"--include\", \"/run/secrets/{TopologyOperations.ComposeNodeSecret}\"", yaml);
        Assert.Contains($"--include /run/secrets/{TopologyOperations.ComposeSentinelSecret}", yaml);
        Assert.Contains($"secrets:\n  {TopologyOperations.ComposeNodeSecret}:\n    file: ./{TopologyOperations.ComposeNodeSecret}\n", yaml);
    }

    [Fact]
    public void Item6_AnInjectedValueNeverReachesTheComposeShell()
    {
        var spec = Spec() with
        {
            SentinelGroups = new[] { new SentinelGroupDto("x'; rm -rf / #", "safe-1", 3, 2, 5000, 60000, 1, 26379, null) },
        };
        Assert.Throws<RedisDockerException>(() => TopologyOperations.ToCompose(spec));
    }

    // ---- item 17: module errors, not raw Docker errors

    [Theory]
    [InlineData("Not A Valid:ref")]
    [InlineData("UPPER/case")]
    [InlineData("redis:")]
    [InlineData("redis::7")]
    [InlineData("redis@sha256:xyz")]
    [InlineData("-redis")]
    [InlineData("redis:7\n")]
    public void Item17_AnInvalidImageReferenceIsAModuleError(string image)
    {
        Assert.Equal(ErrorIds.InvalidImage, Refused(Node(s => s with { Image = image })).ErrorId);
    }

    [Theory]
    [InlineData("redis")]
    [InlineData("redis:7.4")]
    [InlineData("redisdocker/redis:local")]
    [InlineData("registry.example.com:5000/team/redis:7.4-alpine")]
    public void Item17_ValidImageReferencesAreAccepted(string image)
    {
        InputValidation.ValidateNode(Node(s => s with { Image = image }));
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("-x")]
    public void Item17_AnImportedNodeNamedLikeAPathIsRefused(string name)
    {
        var e = Assert.Throws<RedisDockerException>(() => InputValidation.ValidateSpec(Spec(n => n with { Name = name }), null));
        Assert.Equal(ErrorIds.InvalidName, e.ErrorId);
    }

    [Fact]
    public void Item17_AnImportedAddressOutsideItsNetworkIsRefusedBeforeTheNetworkIsMade()
    {
        var e = Assert.Throws<RedisDockerException>(() => InputValidation.ValidateSpec(Spec(n => n with { IPAddress = "10.9.9.9" }), null));
        Assert.Equal(ErrorIds.IPAddressInvalid, e.ErrorId);
        var spec = Spec() with { Networks = new[] { new NetworkSpecDto("safe", "172.28.0.0/24", "10.0.0.1", false, null) } };
        Assert.Equal(ErrorIds.IPAddressInvalid, Assert.Throws<RedisDockerException>(() => InputValidation.ValidateSpec(spec, null)).ErrorId);
    }

    // ---- item 3: a name never matches an id prefix

    [Fact]
    public void Item3_AContainerIsFoundByItsExactNameOrFullIdOnly()
    {
        var id = new string('d', 4) + new string('a', 60);
        var info = new Core.Docker.ContainerInfo { Id = id, Name = "relc-3", State = new Core.Docker.ContainerState("running", true, false, false, false, false, 1, 0, "", null, null) };
        Assert.True(RedisDockerSession.IsExactly(info, "relc-3"));
        Assert.True(RedisDockerSession.IsExactly(info, id));
        Assert.False(RedisDockerSession.IsExactly(info, "dddd"));
        Assert.False(RedisDockerSession.IsExactly(info, id[..12]));
        Assert.False(RedisDockerSession.IsExactly(info, "relc"));
    }

    internal static TopologySpec Spec(Func<NodeSpecDto, NodeSpecDto>? node = null)
    {
        var n = new NodeSpecDto("safe-1", "safe", "172.28.0.10", 6379, null, false, null, true, null, null, null, null, null);
        return new TopologySpec(TopologySpec.CurrentFormat, "safe", DateTimeOffset.UtcNow, new PasswordReferenceDto("x", "y"),
            new[] { new NetworkSpecDto("safe", "172.28.0.0/24", null, false, null) }, new[] { node is null ? n : node(n) }, null,
            Array.Empty<SentinelGroupDto>());
    }
}
