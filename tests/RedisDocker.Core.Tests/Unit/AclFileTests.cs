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
        var text = AclFile.Render(Password, Array.Empty<string>(), withAdmin: false);
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
        var text = AclFile.Render(Password, lines, withAdmin: false);
        var rendered = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, rendered.Length);
        Assert.Equal(AclFile.DefaultLine(Password), rendered[0]);
        Assert.Equal("user app on #9e9a ~app:* resetchannels -@all +@write +@read", rendered[1]);
        Assert.DoesNotContain("nopass", text);
    }

    [Fact]
    public void TheAdminUserHasTheTopologyPasswordHashAndAllRights()
    {
        var text = AclFile.Render(Password, Array.Empty<string>(), withAdmin: true);
        var rendered = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new[]
        {
            "user default on #a9a9dc1836c67f5e5e40af383d262f9bf3aefd0b310066c80417fec712ca8902 ~* &* +@all",
            "user redisdocker on #a9a9dc1836c67f5e5e40af383d262f9bf3aefd0b310066c80417fec712ca8902 ~* &* +@all",
        }, rendered);
        Assert.DoesNotContain(Password, text);
    }

    [Fact]
    public void DefaultStaysOffOnlyWhereTheAdminUserIs()
    {
        // ACL LIST of a node whose default was turned off, its admin user changed by hand and an app user.
        var peer = new[]
        {
            "user default off #a9a9 ~* &* +@all", "user redisdocker off nopass ~x", "user app on #9e9a ~app:* +@read",
        };
        var with = AclFile.Render(Password, peer, withAdmin: true).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new[] { AclFile.DefaultLine(Password, enabled: false), AclFile.AdminLine(Password),
            "user app on #9e9a ~app:* +@read" }, with);
        // A node without the admin user keeps default on (nothing else could administer it) and gets no admin line.
        var without = AclFile.Render(Password, peer, withAdmin: false)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new[] { AclFile.DefaultLine(Password), "user app on #9e9a ~app:* +@read" }, without);
    }

    [Fact]
    public void TheModuleUsersAreReservedAndTheAdminUserIsMarked()
    {
        Assert.True(AclFile.IsReserved("default"));
        Assert.True(AclFile.IsReserved("redisdocker"));
        Assert.False(AclFile.IsReserved("app"));
        Assert.True(AclFile.Parse("t", AclFile.AdminLine(Password)).ModuleUser);
        Assert.False(AclFile.Parse("t", AclFile.DefaultLine(Password)).ModuleUser);
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
