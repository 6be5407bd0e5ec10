using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

public class CommandDescribeTests
{
    private static string D(params object[] args) => CommandOperations.Describe(args);

    [Fact]
    public void OrdinaryCommands_AreShownAsGiven()
    {
        Assert.Equal("SET user:1 alice", D("SET", "user:1", "alice"));
        Assert.Equal("PING", D("PING"));
        Assert.Equal("EXPIRE k 60", D("EXPIRE", "k", 60));
        Assert.Equal("INCRBYFLOAT k 1.5", D("INCRBYFLOAT", "k", 1.5));
    }

    [Fact]
    public void ByteArrays_ShowTheirLength()
    {
        Assert.Equal("SET blob <5 bytes>", D("SET", "blob", new byte[] { 1, 2, 3, 4, 5 }));
    }

    [Theory]
    [InlineData("AUTH", "s3cret")]
    [InlineData("auth", "s3cret")]
    [InlineData("Auth", "default", "s3cret")]
    public void Auth_IsMasked(params string[] args)
    {
        var d = D(args);
        Assert.Equal("AUTH ********", d);
        Assert.DoesNotContain("s3cret", d);
    }

    [Fact]
    public void Hello_IsMasked()
    {
        var d = D("HELLO", 3, "AUTH", "default", "s3cret", "SETNAME", "x");
        Assert.Equal("HELLO ********", d);
    }

    [Fact]
    public void Migrate_IsMasked()
    {
        var d = D("MIGRATE", "172.28.0.12", 6379, "", 0, 5000, "AUTH", "s3cret", "KEYS", "a", "b");
        Assert.Equal("MIGRATE ********", d);
    }

    [Fact]
    public void Acl_IsMasked()
    {
        Assert.Equal("ACL ********", D("ACL", "SETUSER", "app", "on", ">s3cret", "~*", "+@all"));
    }

    [Theory]
    [InlineData("CONFIG", "SET", "requirepass", "s3cret")]
    [InlineData("config", "set", "REQUIREPASS", "s3cret")]
    public void ConfigSetRequirepass_IsMasked(params string[] args)
    {
        var d = D(args);
        Assert.EndsWith(" ********", d);
        Assert.StartsWith(string.Join(' ', args.Take(3)), d);
        Assert.DoesNotContain("s3cret", d);
    }

    [Fact]
    public void OtherConfigSet_IsShown()
    {
        Assert.Equal("CONFIG SET maxmemory 100mb", D("CONFIG", "SET", "maxmemory", "100mb"));
        Assert.Equal("CONFIG GET maxmemory", D("CONFIG", "GET", "maxmemory"));
        Assert.Equal("CONFIG REWRITE", D("CONFIG", "REWRITE"));
    }

    [Fact]
    public void LongArguments_AreTruncatedTo60Characters()
    {
        var longValue = new string('v', 100);
        var d = D("SET", "k", longValue);
        Assert.Equal("SET k " + new string('v', 57) + "...", d);
        var last = d.Split(' ')[^1];
        Assert.Equal(60, last.Length);
    }

    [Fact]
    public void SixtyCharacters_AreNotTruncated()
    {
        var v = new string('x', 60);
        Assert.Equal("GET " + v, D("GET", v));
        var v61 = new string('x', 61);
        Assert.Equal("GET " + new string('x', 57) + "...", D("GET", v61));
    }
}
