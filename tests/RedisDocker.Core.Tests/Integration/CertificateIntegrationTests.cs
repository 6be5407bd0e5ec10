using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using RedisDocker.Core.Security;
using RedisDocker.Core.Topology;
using StackExchange.Redis;
using Xunit;

namespace RedisDocker.Core.Tests.Integration;

/// <summary>Issue 12: what applications get from a TLS topology (ssl=true, exported CA and client certificate), and
/// certificates renewed without downtime.</summary>
public class CertificateIntegrationTests : DockerTestBase
{
    public CertificateIntegrationTests() : base("crt") { }

    [Fact]
    public async Task ApplicationsConnectWithTheExportedCertificatesAndRenewalKeepsConnectionsUp()
    {
        var net = await NewNetworkAsync();
        await Session.Workflows(Sink).ClusterBuilder.CreateFromScratchAsync(new ClusterFromScratchSpec
        {
            Network = net.Name, Count = 3, ReplicasPerPrimary = 0, Tls = new TlsOptions(),
        }, Ct);

        // The configuration string says ssl=true; the module's own client (Connect-RedisClient) works with it.
        var strings = Session.Workflows(Sink).ConnectionStrings;
        var config = await strings.GetAsync(ConnectionTarget.Cluster, Topology, includePassword: false, Ct);
        Assert.EndsWith(",ssl=true", config);
        await using (var mux = await Session.Workflows(Sink).Clients.ConnectAsync(ConnectionTarget.Cluster,
                         Topology,
                         ConnectionRoute.Published, Ct))
        {
            Assert.True(await mux.GetDatabase().StringSetAsync("greeting", "hello"));
        }

        // An application with only the exported files: CA to trust, client certificate to present.
        var dir = Path.Combine(Path.GetTempPath(), Topology);
        try
        {
            var files = await Session.Workflows(Sink).Certificates
                .ExportAsync(Topology, dir, TimeSpan.FromDays(2), Ct);
            Assert.Equal(new[] { "ca.crt", "client.crt", "client.key" }, files.Select(Path.GetFileName));
            Assert.DoesNotContain("PRIVATE KEY", await File.ReadAllTextAsync(files[0], Ct));
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files[2]));
            var options = ConfigurationOptions.Parse(config);
            options.Password = await Session.GetPasswordAsync(Topology, Ct);
            options.TrustIssuer(files[0]);
            options.SetUserPemCertificate(files[1], files[2]);
            await using var app = await ConnectionMultiplexer.ConnectAsync(options);
            Assert.Equal("hello", (string?)await app.GetDatabase().StringGetAsync("greeting"));

            // Without the client certificate the node refuses the application (tls-auth-clients yes).
            var bare = ConfigurationOptions.Parse(config);
            bare.Password = options.Password;
            bare.TrustIssuer(files[0]);
            bare.AbortOnConnectFail = true;
            bare.ConnectTimeout = 3000;
            await Assert.ThrowsAnyAsync<RedisConnectionException>(() => ConnectionMultiplexer.ConnectAsync(bare));

            // Renewal: every node serves a new certificate of the same CA; the connection opened before stays up.
            var node = (await Nodes.GetAsync(new NodeFilter { Topology = Topology }, Ct)).First();
            var before = await ServedCertificateAsync(node.HostEndpoint!);
            var renewed = await Session.Workflows(Sink).Certificates.RenewAsync(Topology, Ct);
            Assert.Equal(3, renewed.Count);
            var after = await ServedCertificateAsync(node.HostEndpoint!);
            Assert.NotEqual(before.SerialNumber, after.SerialNumber);
            using (var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(files[0], Ct)))
                Assert.Equal(ca.Subject, after.Issuer);
            Assert.Equal("hello", (string?)await app.GetDatabase().StringGetAsync("greeting"));
            Assert.All(await Clusters.TestAsync(Topology, 0, Ct), c => Assert.True(c.Passed, c.ToString()));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        // No key material in any label.
        Assert.All(await Nodes.GetAsync(new NodeFilter { Topology = Topology }, Ct),
            n => Assert.DoesNotContain(n.Labels.Values, v => v.Contains("PRIVATE", StringComparison.Ordinal)));
    }

    /// <summary>The certificate a node serves on its published port (the handshake only).</summary>
    private async Task<X509Certificate2> ServedCertificateAsync(string hostEndpoint)
    {
        var (host, port) = EndpointMap.Split(hostEndpoint);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port, Ct);
        X509Certificate2? served = null;
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, cert, _, _) =>
        {
            served = new X509Certificate2(cert!);
            return true;
        });
        // The handshake may end in the server's refusal of a client without a certificate: the served one is known.
        try { await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, Ct); }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException) { }
        return served ?? throw new InvalidOperationException("no certificate served");
    }
}
