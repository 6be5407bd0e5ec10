using System.Security.Cryptography.X509Certificates;
using RedisDocker.Core.Security;
using RedisDocker.Core.Topology;
using Xunit;

namespace RedisDocker.Core.Tests.Unit;

/// <summary>Issue 12: the topology CA made in C#, node certificates, and the TLS directives of redis.conf.</summary>
public class TlsUnitTests
{
    [Fact]
    public void ANodeCertificateNamesEveryAddressAndChainsToItsTopologyCaOnly()
    {
        using var ca = CertificateAuthority.Create("shop");
        using var other = CertificateAuthority.Create("shop");
        using var node = ca.IssueNode("shop-1", new[] { "172.22.9.2", "10.250.0.1" });
        var san = node.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        var ips = san.EnumerateIPAddresses().Select(a => a.ToString()).ToArray();
        Assert.Equal(new[] { "172.22.9.2", "10.250.0.1", "127.0.0.1" }, ips);
        Assert.Equal(new[] { "shop-1", "localhost" }, san.EnumerateDnsNames().ToArray());
        var eku = node.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages
            .Cast<System.Security.Cryptography.Oid>().Select(o => o.Value).ToArray();
        Assert.Contains("1.3.6.1.5.5.7.3.1", eku);
        Assert.Contains("1.3.6.1.5.5.7.3.2", eku);
        Assert.True(node.HasPrivateKey);
        Assert.True(ca.Validates(node));
        Assert.False(other.Validates(node));
        Assert.False(ca.Validates(other.Certificate));
        Assert.False(ca.Validates(null));
    }

    [Fact]
    public void TheCaRoundTripsThroughPemAndClientCertificatesAreClientOnly()
    {
        using var ca = CertificateAuthority.Create("t");
        Assert.Contains("BEGIN PRIVATE KEY", ca.KeyPem);
        using var again = CertificateAuthority.FromPem(ca.CertificatePem, ca.KeyPem);
        using var client = again.IssueClient("app", TimeSpan.FromDays(1));
        Assert.True(ca.Validates(client));
        var eku = client.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages
            .Cast<System.Security.Cryptography.Oid>().Select(o => o.Value).ToArray();
        Assert.Equal(new[] { "1.3.6.1.5.5.7.3.2" }, eku);
        Assert.True(client.NotAfter <= DateTime.Now.AddDays(1).AddMinutes(1));
    }

    [Theory]
    [InlineData(TlsClientAuth.Required, "yes")]
    [InlineData(TlsClientAuth.Optional, "optional")]
    [InlineData(TlsClientAuth.None, "no")]
    public void ATlsNodeListensWithTlsOnlyAndUsesItForReplicationAndTheBus(TlsClientAuth auth, string value)
    {
        var conf = RedisConfigRenderer.Render(new RedisServerConfig
        {
            Port = 7001, Password = "p4ssw0rd-p4ssw0rd", ClusterEnabled = true,
            Tls = new TlsOptions { ClientAuth = auth },
        });
        Assert.Equal("0", RedisConfigRenderer.ReadDirective(conf, "port"));
        Assert.Equal("7001", RedisConfigRenderer.ReadDirective(conf, "tls-port"));
        Assert.Equal("yes", RedisConfigRenderer.ReadDirective(conf, "tls-cluster"));
        Assert.Equal("yes", RedisConfigRenderer.ReadDirective(conf, "tls-replication"));
        Assert.Equal(value, RedisConfigRenderer.ReadDirective(conf, "tls-auth-clients"));
        Assert.Equal("/data/tls/ca.crt", RedisConfigRenderer.ReadDirective(conf, "tls-ca-cert-file"));
        Assert.Equal(value, TlsOptions.FromLabel(value) is { } o ? o.AuthClientsValue : null);

        var plain = RedisConfigRenderer.Render(new RedisServerConfig { Port = 7001, Password = "p4ssw0rd-p4ssw0rd" });
        Assert.Equal("7001", RedisConfigRenderer.ReadDirective(plain, "port"));
        Assert.Null(RedisConfigRenderer.ReadDirective(plain, "tls-port"));

        var sentinel = RedisConfigRenderer.Render(new SentinelConfig
        {
            Password = "p4ssw0rd-p4ssw0rd", MasterName = "ha", PrimaryIp = "172.22.1.2", AnnounceIp = "172.22.1.5",
            Tls = new TlsOptions { ClientAuth = auth },
        });
        Assert.Equal("0", RedisConfigRenderer.ReadDirective(sentinel, "port"));
        Assert.Equal("26379", RedisConfigRenderer.ReadDirective(sentinel, "tls-port"));
        Assert.Equal("yes", RedisConfigRenderer.ReadDirective(sentinel, "tls-replication"));
        Assert.Null(RedisConfigRenderer.ReadDirective(sentinel, "tls-cluster"));
    }
}
