using System.Text.RegularExpressions;
using RedisDocker.Core.Security;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>Issue 12: ACL users in a topology spec (password hashes only) and TLS in its Compose export (no key
/// material, the certificate files supplied by the user).</summary>
public class TopologyTransferTests
{
    private static readonly string Hash = "#" + AclFile.HashOf("app-password-1234");

    /// <summary>The module's view of a user and the export read one line alike (one reader, AclLine): the same
    /// name, state and rules; the view counts the passwords the export carries as hashes, and leaves out
    /// sanitize-payload, which the export keeps so that SETUSER sets it again.</summary>
    [Fact]
    public void TheUserViewAndTheExportReadAnAclLineAlike()
    {
        var line = $"user app off {Hash} {Hash.ToUpperInvariant()} sanitize-payload ~app:* resetchannels +@read";
        var view = AclFile.Parse("t", line);
        var spec = AclTransfer.ToSpec(line)!;
        Assert.Equal(("app", false), (view.Name, view.Enabled));
        Assert.Equal((view.Name, view.Enabled), (spec.Name, spec.Enabled));
        Assert.Equal(2, view.PasswordCount);
        Assert.Equal(new[] { Hash, Hash }, spec.PasswordHashes);
        Assert.Equal("~app:* resetchannels +@read", view.Permission);
        Assert.Equal("sanitize-payload ~app:* resetchannels +@read", spec.Permission);
        Assert.Throws<RedisDockerException>(() => AclFile.Parse("t", "app on"));
        Assert.Null(AclTransfer.ToSpec("app on"));
    }

    [Fact]
    public void AnAclLineBecomesAUserWithItsHashesAndTheReservedUsersAreLeftOut()
    {
        var u = AclTransfer.ToSpec($"user app on {Hash} ~app:* resetchannels -@all +@read +@write")!;
        Assert.Equal("app", u.Name);
        Assert.True(u.Enabled);
        Assert.Equal(new[] { Hash }, u.PasswordHashes);
        Assert.Equal("~app:* resetchannels -@all +@read +@write", u.Permission);
        Assert.False(u.NoPassword);
        Assert.Null(AclTransfer.ToSpec($"user default on {Hash} ~* &* +@all"));
        Assert.Null(AclTransfer.ToSpec($"user redisdocker on {Hash} ~* &* +@all"));
        var off = AclTransfer.ToSpec("user ro off nopass %R~* +@read (~x:* +get)")!;
        Assert.False(off.Enabled);
        Assert.True(off.NoPassword);
        Assert.Empty(off.PasswordHashes);

        Assert.Equal(new object[] { "ACL", "SETUSER", "ro", "reset", "off", "nopass", "%R~*", "+@read", "(~x:* +get)" },
            AclTransfer.SetUserArgs(off));
        Assert.Equal(new object[] { "ACL", "SETUSER", "app", "reset", "on", Hash, "~app:*", "resetchannels", "-@all",
            "+@read", "+@write" }, AclTransfer.SetUserArgs(u));
    }

    private static TopologySpec WithUsers(params UserSpecDto[] users) =>
        InputSafetyTests.Spec() with { Users = users };

    [Fact]
    public void TheSpecCarriesUsersThroughJsonAndAnOlderSpecHasNone()
    {
        var spec = WithUsers(new UserSpecDto("app", true, new[] { Hash }, "~app:* +@read"));
        var json = TopologyOperations.ToJson(spec);
        Assert.Contains("\"users\"", json);
        Assert.Contains(Hash, json);
        Assert.DoesNotContain("app-password-1234", json);
        var back = TopologyOperations.FromJson(json);
        var user = Assert.Single(back.Users!);
        Assert.Equal(("app", true, Hash, "~app:* +@read"),
            (user.Name, user.Enabled, Assert.Single(user.PasswordHashes), user.Permission));
        InputValidation.ValidateSpec(back, null);

        // A spec written before users were exported: no users field, no users.
        var old = TopologyOperations.ToJson(InputSafetyTests.Spec());
        Assert.DoesNotContain("\"users\"", old);
        var oldSpec = TopologyOperations.FromJson(old);
        Assert.Null(oldSpec.Users);
        InputValidation.ValidateSpec(oldSpec, null);
    }

    [Fact]
    public void DefaultsOffStateIsReadFromTheAclAndCarriedByTheSpecOnlyWhenOff()
    {
        Assert.True(AclFile.IsDefaultOff(new[] { "user app on #" + new string('a', 64) + " ~app:*",
            "user default off sanitize-payload #" + new string('b', 64) + " ~* &* +@all" }));
        Assert.False(AclFile.IsDefaultOff(new[] { "user default on #" + new string('b', 64) + " ~* &* +@all" }));
        Assert.False(AclFile.IsDefaultOff(new[] { "user defaults off ~*" }));
        Assert.False(AclFile.IsDefaultOff(Array.Empty<string>()));

        var off = TopologyOperations.ToJson(InputSafetyTests.Spec() with { DefaultUserOff = true });
        Assert.Contains("\"defaultUserOff\": true", off);
        Assert.True(TopologyOperations.FromJson(off).DefaultUserOff);
        // On (or a spec written before): no field, and the import leaves default on.
        var on = TopologyOperations.ToJson(InputSafetyTests.Spec());
        Assert.DoesNotContain("defaultUserOff", on);
        Assert.Null(TopologyOperations.FromJson(on).DefaultUserOff);
    }

    [Theory]
    [InlineData("default", "#", "~* +@all")]
    [InlineData("redisdocker", "#", "~* +@all")]
    [InlineData("app", ">plain-password", "~app:* +@read")]
    [InlineData("app", "#abc", "~app:* +@read")]
    [InlineData("app", "#", ">plain-password ~app:*")]
    [InlineData("app", "#", "~app:* nopass")]
    [InlineData("bad name", "#", "~app:*")]
    public void ASpecUserWithAPasswordAReservedNameOrABadHashIsRefusedBeforeAnythingIsMade(string name, string hash,
        string permission)
    {
        var h = hash == "#" ? Hash : hash;
        var e = Assert.Throws<RedisDockerException>(() =>
            InputValidation.ValidateSpec(WithUsers(new UserSpecDto(name, true, new[] { h }, permission)), null));
        Assert.DoesNotContain("plain-password", e.Message);
        // The ids Import-RedisTopology's help names for these refusals.
        Assert.Contains(e.ErrorId, new[] { ErrorIds.InvalidConfig, ErrorIds.InvalidArgument });
    }

    private static TopologySpec TlsSpec(string auth) => InputSafetyTests.Spec(n => n with { Tls = auth }) with
    {
        SentinelGroups = new[] { new SentinelGroupDto("safe", "safe-1", 1, 1, 5000, 60000, 1, 26379, null) },
    };

    /// <summary>The service's command as a list: the YAML flow sequence of double-quoted strings the writer
    /// makes.</summary>
    private static IReadOnlyList<string> CommandOf(string yaml, string service)
    {
        var block = Regex.Match(yaml, $"^  {Regex.Escape(service)}:\\n((?:    .*\\n|      .*\\n)+)",
            RegexOptions.Multiline);
        Assert.True(block.Success, $"no service {service}:\n{yaml}");
        var line = block.Groups[1].Value.Split('\n')
            .Single(l => l.StartsWith("    command: [", StringComparison.Ordinal));
        return Regex.Matches(line, "\"((?:[^\"\\\\]|\\\\.)*)\"").Select(m => Regex.Unescape(m.Groups[1].Value))
            .ToList();
    }

    private static string ValueAfter(IReadOnlyList<string> cmd, string flag)
    {
        var i = cmd.ToList().IndexOf(flag);
        Assert.True(i >= 0 && i + 1 < cmd.Count, $"{flag} is not in: {string.Join(' ', cmd)}");
        return cmd[i + 1];
    }

    [Fact]
    public void TheComposeOfATlsTopologyNamesTheTlsDirectivesAndTheFilesTheUserSuppliesButNoKey()
    {
        var yaml = Assert.Single(TopologyOperations.ToCompose(TlsSpec("optional"))).Value;
        var cmd = CommandOf(yaml, "safe-1");
        Assert.Equal("0", ValueAfter(cmd, "--port"));
        Assert.Equal("6379", ValueAfter(cmd, "--tls-port"));
        Assert.Equal("yes", ValueAfter(cmd, "--tls-replication"));
        Assert.Equal("optional", ValueAfter(cmd, "--tls-auth-clients"));
        Assert.Equal("/tls/node.crt", ValueAfter(cmd, "--tls-cert-file"));
        Assert.Equal("/tls/node.key", ValueAfter(cmd, "--tls-key-file"));
        Assert.Equal("/tls/ca.crt", ValueAfter(cmd, "--tls-ca-cert-file"));
        Assert.DoesNotContain("--tls-cluster", cmd);   // not a cluster node
        Assert.Contains("    volumes:\n      - safe-1-data:/data\n      - ./tls/safe-1:/tls:ro\n", yaml);
        // The sentinel too: TLS on its port, plain text off, TLS to the monitored nodes.
        var sentinel = CommandOf(yaml, "safe-sentinel-1")[2];
        Assert.Contains("port 0\\ntls-port 26379\\n", sentinel);
        Assert.Contains("tls-replication yes", sentinel);
        Assert.Contains("      - ./tls/safe-sentinel-1:/tls:ro\n", yaml);
        // The header says which files to supply and how to get the CA; no key material anywhere.
        var header = string.Join('\n', yaml.Split('\n').TakeWhile(l => l.StartsWith('#')));
        Assert.Contains("./tls/<service>/", header);
        Assert.Contains("Export-RedisCertificate -Topology safe -Path ./tls/<service>", header);
        Assert.Contains("node.key", header);
        Assert.DoesNotContain("BEGIN", yaml);
        Assert.DoesNotContain("PRIVATE", yaml);
        Assert.DoesNotContain("ca.key", yaml);
        Assert.DoesNotContain("/data/tls", yaml);

        var cluster = InputSafetyTests.Spec(n => n with { Tls = "yes", ClusterEnabled = true });
        var clusterCmd = CommandOf(Assert.Single(TopologyOperations.ToCompose(cluster)).Value, "safe-1");
        Assert.Equal("yes", ValueAfter(clusterCmd, "--tls-cluster"));
        Assert.Equal("yes", ValueAfter(clusterCmd, "--tls-auth-clients"));
    }

    [Fact]
    public void TheComposeOfAPlainTopologyHasNoTls()
    {
        var yaml = Assert.Single(TopologyOperations.ToCompose(InputSafetyTests.Spec())).Value;
        Assert.Equal("6379", ValueAfter(CommandOf(yaml, "safe-1"), "--port"));
        Assert.DoesNotContain("tls", yaml, StringComparison.OrdinalIgnoreCase);
    }
}
