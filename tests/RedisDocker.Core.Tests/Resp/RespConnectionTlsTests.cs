using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RedisDocker.Core.Resp;
using Xunit;

namespace RedisDocker.Core.Tests.Resp;

/// <summary>
/// A real redis-server serving TLS only, with a throw-away CA, server and client certificate made for the run;
/// client certificates are required.
/// </summary>
public sealed class RedisTlsFixture : IDisposable
{
    public RedisTlsFixture()
    {
        string dir = RedisServerProcess.CreateTempDirectory();
        var now = DateTimeOffset.UtcNow;

        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=RedisDocker Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        Server = Issue("CN=localhost", "1.3.6.1.5.5.7.3.1", true, now, out var serverKey);
        ClientCertificate = Issue("CN=redisdocker-client", "1.3.6.1.5.5.7.3.2", false, now, out _);

        File.WriteAllText(Path.Combine(dir, "ca.pem"), Ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, "server.pem"), Server.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());
        serverKey.Dispose();

        Password = RedisServerProcess.RandomSecret();
        Process = RedisServerProcess.Start(new[]
        {
            "--requirepass", Password,
            "--tls-cert-file", Path.Combine(dir, "server.pem"),
            "--tls-key-file", Path.Combine(dir, "server.key"),
            "--tls-ca-cert-file", Path.Combine(dir, "ca.pem"),
            "--tls-auth-clients", "yes",
        }, portArgument: "--tls-port", directory: dir);
    }

    private X509Certificate2 Issue(string subject, string eku, bool server, DateTimeOffset now, out RSA key)
    {
        key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid(eku) }, false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
        }
        var serial = RandomNumberGenerator.GetBytes(8);
        serial[0] &= 0x7F;
        using var cert = request.Create(Ca, now.AddMinutes(-5), now.AddHours(12), serial);
        return cert.CopyWithPrivateKey(key);
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Server { get; }

    public X509Certificate2 ClientCertificate { get; }

    public string Password { get; }

    public RedisServerProcess Process { get; }

    /// <summary>Accepts exactly our server certificate issued by our CA.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            return false;
        }
        using var presented = new X509Certificate2(certificate);
        if (presented.Thumbprint != Server.Thumbprint)
        {
            return false;
        }
        using var customChain = new X509Chain();
        customChain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        customChain.ChainPolicy.CustomTrustStore.Add(Ca);
        customChain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return customChain.Build(presented);
    }

    public void Dispose()
    {
        Process.Dispose();
        Ca.Dispose();
        Server.Dispose();
        ClientCertificate.Dispose();
    }
}

public class RespConnectionTlsTests : IClassFixture<RedisTlsFixture>
{
    private readonly RedisTlsFixture _tls;

    public RespConnectionTlsTests(RedisTlsFixture tls) => _tls = tls;

    private RespConnectionOptions Options(int protocol = 2, bool clientCert = true, RemoteCertificateValidationCallback? validation = null) => new()
    {
        Password = _tls.Password,
        Protocol = protocol,
        UseTls = true,
        TlsServerName = "localhost",
        TlsCertificateValidation = validation ?? _tls.Validate,
        TlsClientCertificates = clientCert ? new X509CertificateCollection { _tls.ClientCertificate } : null,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Tls_WithClientCertificate_RoundTrip(int protocol)
    {
        await using var c = await RespConnection.ConnectAsync("127.0.0.1", _tls.Process.Port, Options(protocol));
        Assert.Equal(protocol, c.Protocol);
        var value = new byte[200_000];
        new Random(3).NextBytes(value);
        await c.ExecuteAsync("SET", "tls:key", value);
        Assert.Equal(value, (await c.ExecuteAsync("GET", "tls:key")).Bytes);
        var replies = await c.PipelineAsync(Enumerable.Range(0, 100).Select(i => (IReadOnlyList<object>)new object[] { "ECHO", i }).ToList());
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), replies.Select(r => r.AsInt64()));
    }

    [Fact]
    public async Task Tls_UntrustedServerCertificate_FailsWithConnectionException()
    {
        var options = new RespConnectionOptions
        {
            Password = _tls.Password,
            UseTls = true,
            TlsServerName = "localhost",
            TlsClientCertificates = new X509CertificateCollection { _tls.ClientCertificate },
        };
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => RespConnection.ConnectAsync("127.0.0.1", _tls.Process.Port, options));
        Assert.Contains($"127.0.0.1:{_tls.Process.Port}", ex.Message);
        Assert.Contains("TLS", ex.Message);
        Assert.DoesNotContain(_tls.Password, ex.ToString());
    }

    [Fact]
    public async Task Tls_WrongServerName_IsReportedToTheValidationCallback()
    {
        SslPolicyErrors seen = SslPolicyErrors.None;
        var options = new RespConnectionOptions
        {
            Password = _tls.Password,
            UseTls = true,
            TlsServerName = "not-the-right-name.example",
            TlsClientCertificates = new X509CertificateCollection { _tls.ClientCertificate },
            TlsCertificateValidation = (sender, cert, chain, errors) =>
            {
                seen = errors;
                return _tls.Validate(sender, cert, chain, errors);
            },
        };
        await using var c = await RespConnection.ConnectAsync("127.0.0.1", _tls.Process.Port, options);
        Assert.True(seen.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.Equal("PONG", (await c.ExecuteAsync("PING")).AsString());
    }

    [Fact]
    public async Task Tls_WithoutRequiredClientCertificate_Fails()
    {
        // Depending on the TLS version the server rejects the handshake or drops the connection at AUTH.
        await Assert.ThrowsAsync<RedisConnectionException>(() =>
            RespConnection.ConnectAsync("127.0.0.1", _tls.Process.Port, Options(clientCert: false)));
    }

    [Fact]
    public async Task PlainClient_OnTlsPort_Fails()
    {
        var options = new RespConnectionOptions { Password = _tls.Password, CommandTimeout = TimeSpan.FromSeconds(3) };
        var ex = await Assert.ThrowsAsync<RedisConnectionException>(() => RespConnection.ConnectAsync("127.0.0.1", _tls.Process.Port, options));
        Assert.Equal($"127.0.0.1:{_tls.Process.Port}", ex.Endpoint);
        Assert.DoesNotContain(_tls.Password, ex.ToString());
    }
}
