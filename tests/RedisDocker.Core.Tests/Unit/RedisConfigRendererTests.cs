using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class RedisConfigRendererTests
{
    private static string[] Lines(string config) =>
        config.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToArray();

    [Fact]
    public void Render_Standalone_Defaults()
    {
        var text = RedisConfigRenderer.Render(new RedisServerConfig { Password = "s3cretPw" });
        Assert.StartsWith("# Rendered by RedisDocker.", text);
        Assert.EndsWith("\n", text);
        Assert.DoesNotContain("\r", text);
        Assert.Equal(new[]
        {
            "port 6379",
            "bind * -::*",
            "protected-mode yes",
            "requirepass s3cretPw",
            "masterauth s3cretPw",
            "dir /data",
            "aclfile /data/users.acl",
            "appendonly yes",
            "appendfsync everysec",
            "repl-diskless-sync-delay 0",
        }, Lines(text));
    }

    [Fact]
    public void Render_AReplicaAuthenticatesAsTheAdminUserWhenGiven()
    {
        var text = RedisConfigRenderer.Render(new RedisServerConfig { Password = "pw", MasterUser = "redisdocker" });
        var lines = Lines(text).ToList();
        Assert.Equal(lines.IndexOf("masterauth pw") + 1, lines.IndexOf("masteruser redisdocker"));
        Assert.DoesNotContain(Lines(RedisConfigRenderer.Render(new RedisServerConfig { Password = "pw" })),
            l => l.StartsWith("masteruser", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_NoClusterDirectivesUnlessEnabled()
    {
        var text = RedisConfigRenderer.Render(new RedisServerConfig
        {
            Password = "pw",
            AnnounceIp = "172.28.0.11",
            AnnouncePort = 6379,
            AnnounceBusPort = 16379,
        });
        Assert.DoesNotContain("cluster-", text);
        Assert.Contains("replica-announce-ip 172.28.0.11\n", text);
        Assert.Contains("replica-announce-port 6379\n", text);
    }

    [Fact]
    public void Render_Cluster_AllOptions()
    {
        var text = RedisConfigRenderer.Render(new RedisServerConfig
        {
            Password = "pw",
            Port = 7000,
            AppendOnly = false,
            ClusterEnabled = true,
            ClusterNodeTimeoutMs = 3000,
            AnnounceIp = "172.28.0.11",
            AnnouncePort = 7000,
            AnnounceBusPort = 17000,
            MaxMemory = "256mb",
            MaxMemoryPolicy = "allkeys-lru",
            Extra = new[]
            {
                new KeyValuePair<string, string>("HZ", "20"),
                new KeyValuePair<string, string>("save", "900 1 300 10"),
            },
        });
        var lines = Lines(text);
        Assert.Equal(new[]
        {
            "port 7000",
            "bind * -::*",
            "protected-mode yes",
            "requirepass pw",
            "masterauth pw",
            "dir /data",
            "aclfile /data/users.acl",
            "appendonly no",
            "appendfsync everysec",
            "repl-diskless-sync-delay 0",
            "replica-announce-ip 172.28.0.11",
            "replica-announce-port 7000",
            "cluster-enabled yes",
            "cluster-config-file /data/nodes.conf",
            "cluster-node-timeout 3000",
            "cluster-announce-ip 172.28.0.11",
            "cluster-announce-port 7000",
            "cluster-announce-bus-port 17000",
            "maxmemory 256mb",
            "maxmemory-policy allkeys-lru",
            "hz 20",
            "save 900 1 300 10",
        }, lines);
    }

    [Fact]
    public void Render_ClusterWithoutAnnounce_HasNoAnnounceLines()
    {
        var text = RedisConfigRenderer.Render(new RedisServerConfig { Password = "pw", ClusterEnabled = true });
        Assert.Contains("cluster-enabled yes\n", text);
        Assert.Contains("cluster-node-timeout 5000\n", text);
        Assert.DoesNotContain("announce", text);
    }

    [Fact]
    public void Render_ReplicaOf()
    {
        var text = RedisConfigRenderer.Render(new RedisServerConfig { Password = "pw", ReplicaOf = "172.28.0.11 6379" });
        Assert.Contains("\nreplicaof 172.28.0.11 6379\n", text);
        Assert.Equal("172.28.0.11", RedisConfigRenderer.ReadDirective(text, "replicaof"));
    }

    [Theory]
    [InlineData("p w", "\"p w\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    public void Render_QuotesThePasswordWhenNeeded(string password, string rendered)
    {
        var text = RedisConfigRenderer.Render(new RedisServerConfig { Password = password });
        Assert.Contains($"\nrequirepass {rendered}\n", text);
        Assert.Contains($"\nmasterauth {rendered}\n", text);
    }

    [Fact]
    public void Render_RefusesReservedExtra()
    {
        var ex = Assert.Throws<RedisDockerException>(() => RedisConfigRenderer.Render(new RedisServerConfig
        {
            Password = "pw",
            Extra = new[] { new KeyValuePair<string, string>("requirepass", "other") },
        }));
        Assert.Contains("managed by RedisDocker", ex.Message);
        Assert.DoesNotContain("other", ex.Message);
    }

    [Fact]
    public void Render_RefusesMultiLineExtra()
    {
        Assert.Throws<RedisDockerException>(() => RedisConfigRenderer.Render(new RedisServerConfig
        {
            Password = "pw",
            Extra = new[] { new KeyValuePair<string, string>("hz", "10\nrequirepass x") },
        }));
    }

    [Theory]
    [InlineData("port")]
    [InlineData("requirepass")]
    [InlineData("REQUIREPASS")]
    [InlineData("masterauth")]
    [InlineData("dir")]
    [InlineData("cluster-enabled")]
    [InlineData("cluster-config-file")]
    [InlineData("appendonly")]
    [InlineData("maxmemory")]
    [InlineData("daemonize")]
    [InlineData("include")]
    [InlineData("replicaof")]
    [InlineData("SlaveOf")]
    [InlineData("bind")]
    [InlineData("protected-mode")]
    [InlineData("logfile")]
    public void ValidateExtra_RefusesReservedDirectives(string name)
    {
        var problem = RedisConfigRenderer.ValidateExtra(name, "x");
        Assert.NotNull(problem);
        Assert.Contains($"'{name}' is managed by RedisDocker", problem);
    }

    [Fact]
    public void ValidateExtra_ReservedMessagesSayWhatToUse()
    {
        Assert.Contains("use -Password", RedisConfigRenderer.ValidateExtra("requirepass", "x"));
        Assert.Contains("use -Port", RedisConfigRenderer.ValidateExtra("port", "1"));
        Assert.Contains("Set-RedisReplica", RedisConfigRenderer.ValidateExtra("replicaof", "a 1"));
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("under_score")]
    [InlineData("semi;colon")]
    [InlineData("new\nline")]
    public void ValidateExtra_RefusesBadNames(string name)
    {
        var problem = RedisConfigRenderer.ValidateExtra(name, "1");
        Assert.NotNull(problem);
        Assert.Contains("is not a redis.conf directive name", problem);
    }

    [Theory]
    [InlineData("a\nb")]
    [InlineData("a\rb")]
    [InlineData("a\0b")]
    [InlineData("10\n")]
    public void ValidateExtra_RefusesMultiLineValues(string value)
    {
        Assert.StartsWith("The value of 'hz' must be on one line", RedisConfigRenderer.ValidateExtra("hz", value));
    }

    [Theory]
    [InlineData("hz", "10")]
    [InlineData("maxmemory-policy", "allkeys-lru")]
    [InlineData("save", "")]
    [InlineData("save", "900 1 300 10")]
    [InlineData("notify-keyspace-events", "KEA")]
    [InlineData("client-output-buffer-limit", "replica 256mb 64mb 60")]
    public void ValidateExtra_AcceptsOrdinaryDirectives(string name, string value)
    {
        Assert.Null(RedisConfigRenderer.ValidateExtra(name, value));
    }

    [Theory]
    [InlineData("abc", "abc")]
    [InlineData("Abc123!@#$%^&*()-_=+[]{};:,.<>/?|~`", "Abc123!@#$%^&*()-_=+[]{};:,.<>/?|~`")]
    [InlineData("", "\"\"")]
    [InlineData("a b", "\"a b\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("a\\b", "\"a\\\\b\"")]
    [InlineData("it's", "\"it's\"")]
    [InlineData("tab\there", "\"tab\\there\"")]
    public void Quote(string value, string quoted)
    {
        Assert.Equal(quoted, RedisConfigRenderer.Quote(value));
    }

    [Fact]
    public void Quote_NonAsciiIsQuoted()
    {
        // Non-ASCII bytes are written as \xHH, as Redis itself writes them (sdscatrepr).
        Assert.Equal("\"p\\xc3\\xa4sswort\"", RedisConfigRenderer.Quote("pässwort"));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("with space")]
    [InlineData("  leading and trailing  ")]
    [InlineData("dq\"inside")]
    [InlineData("\"starts-with-quote")]
    [InlineData("sq'inside")]
    [InlineData("'single'")]
    [InlineData("back\\slash")]
    [InlineData("ends-with-backslash\\")]
    [InlineData("\\\"")]
    [InlineData("\\n-is-not-a-newline")]
    [InlineData("mixed \"quotes' and \\ back")]
    [InlineData("tab\tinside")]
    [InlineData("#not-a-comment")]
    [InlineData("pässwort-日本")]
    public void QuoteAndReadDirective_RoundTrip(string password)
    {
        var text = RedisConfigRenderer.Render(new RedisServerConfig { Password = password });
        Assert.Equal(password, RedisConfigRenderer.ReadDirective(text, "requirepass"));
        Assert.Equal(password, RedisConfigRenderer.ReadDirective(text, "masterauth"));
    }

    [Fact]
    public void QuoteAndReadDirective_RoundTrip_GeneratedPasswords()
    {
        for (var i = 0; i < 20; i++)
        {
            var pw = Secrets.GeneratePassword();
            Assert.Equal(pw, RedisConfigRenderer.Quote(pw)); // generated passwords never need quoting
            Assert.Equal(pw, RedisConfigRenderer.ReadDirective(RedisConfigRenderer.Render(new RedisServerConfig { Password = pw }), "requirepass"));
        }
    }

    [Fact]
    public void ReadDirective_SkipsCommentsAndOtherDirectives_IsCaseInsensitive()
    {
        var text = "# requirepass commented\n" +
                   "requirepass-extra nope\n" +
                   "  REQUIREPASS   first  second\n" +
                   "requirepass later\n";
        Assert.Equal("first", RedisConfigRenderer.ReadDirective(text, "requirepass"));
    }

    [Fact]
    public void ReadDirective_ReadsARedisRewrittenFile()
    {
        // CONFIG REWRITE writes string options double-quoted with backslash escapes, and may move lines around.
        var text = "port 6379\nrequirepass \"s3 cret\\\\x\"\nmasterauth \"s3 cret\\\\x\"\n# Generated by CONFIG REWRITE\nreplicaof 172.28.0.11 6379\n";
        Assert.Equal("s3 cret\\x", RedisConfigRenderer.ReadDirective(text, "requirepass"));
        Assert.Equal("172.28.0.11", RedisConfigRenderer.ReadDirective(text, "replicaof"));
    }

    [Fact]
    public void ReadDirective_DecodesNewlineAndTabEscapes()
    {
        Assert.Equal("a\nb\tc\rd", RedisConfigRenderer.ReadDirective("requirepass \"a\\nb\\tc\\rd\"\n", "requirepass"));
    }

    [Fact]
    public void ReadDirective_AbsentIsNull()
    {
        Assert.Null(RedisConfigRenderer.ReadDirective("port 6379\n", "requirepass"));
        Assert.Null(RedisConfigRenderer.ReadDirective("", "requirepass"));
        Assert.Null(RedisConfigRenderer.ReadDirective("requirepass\n", "requirepass"));
    }

    [Fact]
    public void ConfigPaths()
    {
        Assert.Equal("/etc/redisdocker/redis.conf", RedisConfigRenderer.RedisConfigPath);
        Assert.Equal("/etc/redisdocker/sentinel.conf", RedisConfigRenderer.SentinelConfigPath);
    }

    private static SentinelConfig Sentinel(string password = "pw") => new()
    {
        Password = password,
        MasterName = "shop",
        PrimaryIp = "172.28.0.11",
        PrimaryPort = 6380,
        Quorum = 2,
        DownAfterMs = 3000,
        FailoverTimeoutMs = 20000,
        ParallelSyncs = 2,
        AnnounceIp = "172.28.0.21",
        Port = 26380,
    };

    [Fact]
    public void RenderSentinel()
    {
        var text = RedisConfigRenderer.Render(Sentinel());
        Assert.StartsWith("# Rendered by RedisDocker.", text);
        Assert.Equal(new[]
        {
            "port 26380",
            "bind * -::*",
            "protected-mode yes",
            "dir /data",
            "requirepass pw",
            "sentinel announce-ip 172.28.0.21",
            "sentinel announce-port 26380",
            "sentinel monitor shop 172.28.0.11 6380 2",
            "sentinel auth-pass shop pw",
            "sentinel down-after-milliseconds shop 3000",
            "sentinel failover-timeout shop 20000",
            "sentinel parallel-syncs shop 2",
            "sentinel sentinel-pass pw",
        }, Lines(text));
    }

    [Fact]
    public void RenderSentinel_AuthenticatesAsTheAdminUserWhenGiven()
    {
        var lines = Lines(RedisConfigRenderer.Render(Sentinel() with { AuthUser = "redisdocker" })).ToList();
        // After the monitor line (Sentinel refuses options of a master it does not monitor yet).
        Assert.True(lines.IndexOf("sentinel auth-user shop redisdocker") > lines.IndexOf(
            "sentinel monitor shop 172.28.0.11 6380 2"));
        Assert.Contains("sentinel auth-pass shop pw", lines);
    }

    [Fact]
    public void RenderSentinel_Defaults()
    {
        var text = RedisConfigRenderer.Render(new SentinelConfig
        {
            Password = "pw",
            MasterName = "m",
            PrimaryIp = "10.0.0.5",
            AnnounceIp = "10.0.0.9",
        });
        Assert.Contains("port 26379\n", text);
        Assert.Contains("sentinel monitor m 10.0.0.5 6379 2\n", text);
        Assert.Contains("sentinel down-after-milliseconds m 5000\n", text);
        Assert.Contains("sentinel failover-timeout m 60000\n", text);
        Assert.Contains("sentinel parallel-syncs m 1\n", text);
        Assert.Contains("sentinel announce-port 26379\n", text);
    }

    [Fact]
    public void RenderSentinel_QuotesTrickyPassword()
    {
        var pw = "a b\"c";
        var text = RedisConfigRenderer.Render(Sentinel(pw));
        Assert.Contains("\nrequirepass \"a b\\\"c\"\n", text);
        Assert.Contains("\nsentinel auth-pass shop \"a b\\\"c\"\n", text);
        Assert.Contains("\nsentinel sentinel-pass \"a b\\\"c\"\n", text);
        Assert.Equal(pw, RedisConfigRenderer.ReadDirective(text, "requirepass"));
        Assert.Equal(pw, RedisConfigRenderer.ReadDirective(text, "sentinel sentinel-pass"));
    }
}
