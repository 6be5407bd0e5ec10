using RedisDocker.Core.Security;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>Issue 12: the aclfile every Redis node loads, and the checks on user names and rules.</summary>
public class AclFileTests
{
    private const string Password = "abcdefghijklmnop1234";

    [Fact]
    public void TheDefaultUserCarriesTheTopologyPasswordAsItsHashOnly()
    {
        var text = AclFile.Render(Password, Array.Empty<string>());
        // sha256("abcdefghijklmnop1234"), as Redis 7.0.15 wrote it with ACL SAVE for that password.
        Assert.Equal("user default on #a9a9dc1836c67f5e5e40af383d262f9bf3aefd0b310066c80417fec712ca8902 ~* &* +@all\n",
            text);
        Assert.DoesNotContain(Password, text);
    }

    [Fact]
    public void PeerLinesAreKeptAndTheirDefaultLineReplaced()
    {
        var peer = "user app on #9e9a ~app:* resetchannels -@all +@write +@read\n"
            + "user default on nopass ~* &* +@all\n# a comment\n\n";
        var lines = AclFile.LinesOf(peer);
        Assert.Equal(2, lines.Count);
        var text = AclFile.Render(Password, lines);
        var rendered = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, rendered.Length);
        Assert.Equal(AclFile.DefaultLine(Password), rendered[0]);
        Assert.Equal("user app on #9e9a ~app:* resetchannels -@all +@write +@read", rendered[1]);
        Assert.DoesNotContain("nopass", text);
    }

    [Fact]
    public void AParsedUserHoldsNoPasswordOrHash()
    {
        var u = AclFile.Parse("t", "user app off sanitize-payload #9e9a #77ff ~app:* resetchannels -@all +@read");
        Assert.Equal("app", u.Name);
        Assert.False(u.Enabled);
        Assert.Equal(2, u.PasswordCount);
        Assert.False(u.NoPassword);
        Assert.Equal("~app:* resetchannels -@all +@read", u.Permission);
        Assert.DoesNotContain("#", u.ToString());
        Assert.True(AclFile.Parse("t", "user x on nopass ~* +@all").NoPassword);
        Assert.Throws<RedisDockerException>(() => AclFile.Parse("t", "not a user"));
    }

    [Theory]
    [InlineData("~app:* >secret +@read")]
    [InlineData("~app:* #abcd")]
    [InlineData("nopass ~*")]
    [InlineData("on ~*")]
    [InlineData("reset ~*")]
    [InlineData("   ")]
    public void PasswordAndStateRulesAreRefusedInPermission(string permission)
    {
        var e = Assert.Throws<RedisDockerException>(() => AclFile.RulesOf(permission));
        Assert.Equal(ErrorIds.InvalidArgument, e.ErrorId);
        Assert.DoesNotContain("secret", e.Message);
    }

    [Fact]
    public void RulesAreSplitOnWhitespace() =>
        Assert.Equal(new[] { "~app:*", "+@read", "+@write" }, AclFile.RulesOf(" ~app:*  +@read\t+@write "));

    [Theory]
    [InlineData("app", true)]
    [InlineData("app-1.read_only:x", true)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData("a>b", false)]
    public void UserNames(string name, bool ok) => Assert.Equal(ok, AclFile.NameProblem(name) is null);

    [Fact]
    public void EveryRedisNodeConfigLoadsTheAclFile()
    {
        var conf = RedisConfigRenderer.Render(new RedisServerConfig { Port = 6379, Password = Password });
        Assert.Contains("aclfile /data/users.acl\n", conf);
        Assert.DoesNotContain("\nuser ", conf);
    }
}
