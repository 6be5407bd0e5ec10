using System.Text;
using RedisDocker.Core.Resp;
using Xunit;

namespace RedisDocker.Core.Tests.Resp;

public class ClusterSlotTests
{
    [Fact]
    public void Crc16_XmodemCheckValue()
    {
        Assert.Equal(0x31C3, ClusterSlot.Crc16(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0, ClusterSlot.Crc16(ReadOnlySpan<byte>.Empty));
    }

    [Theory]
    [InlineData("a", 15495)]
    [InlineData("foo", 12182)]
    [InlineData("123456789", 12739)]
    [InlineData("", 0)]
    public void KnownSlots(string key, int slot)
    {
        Assert.Equal(slot, ClusterSlot.GetSlot(key));
        Assert.Equal(slot, ClusterSlot.GetSlot(Encoding.UTF8.GetBytes(key)));
    }

    [Fact]
    public void HashTags()
    {
        Assert.Equal(ClusterSlot.GetSlot("{user1000}.following"), ClusterSlot.GetSlot("{user1000}.followers"));
        Assert.Equal(ClusterSlot.GetSlot("user1000"), ClusterSlot.GetSlot("{user1000}.following"));
        Assert.Equal(ClusterSlot.GetSlot("bar"), ClusterSlot.GetSlot("foo{bar}{zap}"));
        Assert.Equal(ClusterSlot.GetSlot("{bar"), ClusterSlot.GetSlot("foo{{bar}}zap"));
        Assert.Equal(ClusterSlot.Crc16(Encoding.ASCII.GetBytes("foo{}{bar}")) % ClusterSlot.Count, ClusterSlot.GetSlot("foo{}{bar}"));
        Assert.NotEqual(ClusterSlot.GetSlot("bar"), ClusterSlot.GetSlot("foo{}{bar}"));
        Assert.Equal(ClusterSlot.Crc16(Encoding.ASCII.GetBytes("foo{bar")) % ClusterSlot.Count, ClusterSlot.GetSlot("foo{bar"));
        Assert.Equal(ClusterSlot.Crc16(Encoding.ASCII.GetBytes("foo}bar{")) % ClusterSlot.Count, ClusterSlot.GetSlot("foo}bar{"));
    }

    [Fact]
    public void StringOverload_UsesUtf8_AndLongKeys()
    {
        const string key = "clé-\u65e5\u672c-\U0001F389";
        Assert.Equal(ClusterSlot.GetSlot(Encoding.UTF8.GetBytes(key)), ClusterSlot.GetSlot(key));
        var longKey = new string('k', 5000) + "{tag}";
        Assert.Equal(ClusterSlot.GetSlot("tag"), ClusterSlot.GetSlot(longKey));
        var longPlain = new string('\u00e9', 3000);
        Assert.Equal(ClusterSlot.GetSlot(Encoding.UTF8.GetBytes(longPlain)), ClusterSlot.GetSlot(longPlain));
    }

    [Fact]
    public void SlotsAreInRange()
    {
        var random = new Random(1);
        for (int i = 0; i < 1000; i++)
        {
            var key = new byte[random.Next(0, 40)];
            random.NextBytes(key);
            Assert.InRange(ClusterSlot.GetSlot(key), 0, ClusterSlot.Count - 1);
        }
    }
}

public class RedisInfoTests
{
    private const string Sample =
        "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nos:Linux 6.1 x86_64\r\n\r\n" +
        "# Clients\r\nconnected_clients:1\r\n\r\n# Keyspace\r\ndb0:keys=3,expires=0,avg_ttl=0\r\n" +
        "executable:/usr/bin/redis-server\r\nweird line without colon\r\n";

    [Fact]
    public void Parse_FlattensSections()
    {
        var info = RedisInfo.Parse(Sample);
        Assert.Equal("7.0.15", info["redis_version"]);
        Assert.Equal("1", info["connected_clients"]);
        Assert.Equal("keys=3,expires=0,avg_ttl=0", info["db0"]);
        Assert.Equal("/usr/bin/redis-server", info["executable"]);
        Assert.Equal("Linux 6.1 x86_64", info["os"]);
        Assert.Equal("7.0.15", info["REDIS_VERSION"]);
        Assert.Equal(6, info.Count);
        Assert.DoesNotContain(info.Keys, k => k.StartsWith('#'));
    }

    [Fact]
    public void Parse_AcceptsLfOnlyAndEmpty()
    {
        Assert.Equal("b", RedisInfo.Parse("# S\na:b\n")["a"]);
        Assert.Empty(RedisInfo.Parse(""));
    }

    [Fact]
    public void ParseSections_GroupsBySection()
    {
        var sections = RedisInfo.ParseSections(Sample);
        Assert.Equal("standalone", sections["Server"]["redis_mode"]);
        Assert.Equal("1", sections["clients"]["connected_clients"]);
        Assert.Equal(2, sections["Keyspace"].Count);
    }
}
