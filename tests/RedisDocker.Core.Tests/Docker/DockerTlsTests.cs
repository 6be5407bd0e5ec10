using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using RedisDocker.Core.Docker;
using Xunit;

namespace RedisDocker.Core.Tests.Docker;

/// <summary>
/// TLS transport against the real engine: a TLS-terminating proxy on 127.0.0.1 (server certificate from a throw-away CA, client
/// certificate required) forwards to the engine's Unix socket, like a dockerd started with --tlsverify.
/// </summary>
[Collection(DockerEngineCollection.Name)]
public sealed class DockerTlsTests(DockerEngineFixture fx) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rdt-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [DockerFact]
    public async Task Tls_with_client_certificate_and_custom_ca()
    {
        if (fx.Endpoint.Transport != DockerTransport.UnixSocket)
        {
            return; // the proxy forwards to a Unix socket
        }

        using var ca = TestPki.CreateCa("RedisDocker Test CA");
        using var otherCa = TestPki.CreateCa("Some Other CA");
        using var server = TestPki.Issue(ca, "localhost", server: true);
        using var clientCert = TestPki.Issue(ca, "redisdocker-client", server: false);
        await using var proxy = TlsProxy.Start(server, ca, fx.Endpoint.SocketPath!);

        var good = TestPki.WriteCertFolder(Path.Combine(_dir, "good"), ca, clientCert);
        var endpoint = DockerEndpoint.Parse($"tcp://127.0.0.1:{proxy.Port}", good, tlsVerify: true);
        Assert.True(endpoint.UseTls);
        using (var client = await DockerClient.ConnectAsync(endpoint))
        {
            Assert.Equal(fx.Client.ApiVersion, client.ApiVersion);
            Assert.NotNull(await client.InspectImageAsync(fx.Image));
            await client.ListContainersAsync(fx.RunFilter);
        }

        Assert.True(proxy.ClientCertificatesAccepted > 0);

        // The engine's certificate is checked against ca.pem: another CA fails the handshake.
        var wrongCa = TestPki.WriteCertFolder(Path.Combine(_dir, "wrong-ca"), otherCa, clientCert);
        var refused = await Assert.ThrowsAsync<DockerUnreachableException>(() =>
            DockerClient.ConnectAsync(DockerEndpoint.Parse($"tcp://127.0.0.1:{proxy.Port}", wrongCa, tlsVerify: true)));
        Assert.Contains("TLS", refused.Message);
        Assert.Contains($"tcp://127.0.0.1:{proxy.Port}", refused.Message);

        // Without verification the same folder works (the client certificate is still presented).
        using (var client = await DockerClient.ConnectAsync(DockerEndpoint.Parse($"tcp://127.0.0.1:{proxy.Port}", wrongCa, tlsVerify: false)))
        {
            await client.PingAsync();
        }

        // No client certificate: the server refuses; the error is a DockerException either way.
        var noClient = Path.Combine(_dir, "no-client");
        Directory.CreateDirectory(noClient);
        File.WriteAllText(Path.Combine(noClient, "ca.pem"), ca.ExportCertificatePem());
        await Assert.ThrowsAnyAsync<DockerException>(() =>
            DockerClient.ConnectAsync(DockerEndpoint.Parse($"tcp://127.0.0.1:{proxy.Port}", noClient, tlsVerify: true)));

        // Plain HTTP to a TLS port is not mistaken for an engine.
        await Assert.ThrowsAnyAsync<DockerException>(() => DockerClient.ConnectAsync(DockerEndpoint.Parse($"tcp://127.0.0.1:{proxy.Port}")));
    }

    private static class TestPki
    {
        public static X509Certificate2 CreateCa(string name)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var req = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
            return req.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
        }

        public static X509Certificate2 Issue(X509Certificate2 ca, string name, bool server)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var req = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
                [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
            req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
            if (server)
            {
                var san = new SubjectAlternativeNameBuilder();
                san.AddIpAddress(IPAddress.Loopback);
                san.AddDnsName("localhost");
                req.CertificateExtensions.Add(san.Build());
            }

            using var cert = req.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-30), DateTimeOffset.UtcNow.AddHours(12), RandomNumberGenerator.GetBytes(16));
            return cert.CopyWithPrivateKey(key);
        }

        public static string WriteCertFolder(string dir, X509Certificate2 ca, X509Certificate2 client)
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "ca.pem"), ca.ExportCertificatePem());
            File.WriteAllText(Path.Combine(dir, "cert.pem"), client.ExportCertificatePem());
            File.WriteAllText(Path.Combine(dir, "key.pem"), client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            return dir;
        }
    }

    /// <summary>TLS on 127.0.0.1:ephemeral, client certificate required and checked against the CA, bytes piped to a Unix socket.</summary>
    private sealed class TlsProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _cts = new();
        private readonly Task _accepting;
        private readonly X509Certificate2 _server;
        private readonly X509Certificate2 _ca;
        private readonly string _socketPath;
        private int _accepted;

        private TlsProxy(X509Certificate2 server, X509Certificate2 ca, string socketPath)
        {
            _server = server;
            _ca = ca;
            _socketPath = socketPath;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            _accepting = AcceptLoopAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int ClientCertificatesAccepted => Volatile.Read(ref _accepted);

        public static TlsProxy Start(X509Certificate2 server, X509Certificate2 ca, string socketPath) => new(server, ca, socketPath);

        private async Task AcceptLoopAsync()
        {
            var connections = new List<Task>();
            try
            {
                while (!_cts.IsCancellationRequested)
                {
                    var tcp = await _listener.AcceptTcpClientAsync(_cts.Token);
                    connections.Add(HandleAsync(tcp));
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (SocketException)
            {
            }

            await Task.WhenAll(connections);
        }

        private bool ValidateClient(X509Certificate? certificate)
        {
            if (certificate is null)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(_ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var leaf = new X509Certificate2(certificate);
            var ok = chain.Build(leaf);
            if (ok)
            {
                Interlocked.Increment(ref _accepted);
            }

            return ok;
        }

        private async Task HandleAsync(TcpClient tcp)
        {
            using (tcp)
            {
                try
                {
                    using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false);
                    using var handshakeCts = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
                    handshakeCts.CancelAfter(TimeSpan.FromSeconds(10));
                    await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                    {
                        ServerCertificate = _server,
                        ClientCertificateRequired = true,
                        RemoteCertificateValidationCallback = (_, cert, _, _) => ValidateClient(cert),
                    }, handshakeCts.Token);

                    using var engine = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await engine.ConnectAsync(new UnixDomainSocketEndPoint(_socketPath), _cts.Token);
                    using var engineStream = new NetworkStream(engine, ownsSocket: false);
                    var up = ssl.CopyToAsync(engineStream, _cts.Token);
                    var down = engineStream.CopyToAsync(ssl, _cts.Token);
                    await Task.WhenAny(up, down);
                }
                catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException
                                               or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
                {
                    // handshake refused or connection closed: drop it
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _cts.Cancel();
            _listener.Stop();
            await _accepting;
            _cts.Dispose();
        }
    }
}
