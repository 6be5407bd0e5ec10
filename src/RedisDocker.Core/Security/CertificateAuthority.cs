using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RedisDocker.Core.Security;

/// <summary>
/// A topology's own certificate authority (ECDSA P-256), made in C# without openssl: it signs one certificate per
/// node (server and client use: the node is a client on replication and bus links) and short-lived client
/// certificates for the module and for applications. Its key stays inside the topology's nodes.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private CertificateAuthority(X509Certificate2 certificate) => Certificate = certificate;

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>How long a CA lives; node certificates live <see cref="NodeValidity"/> and are renewed by a
    /// cmdlet.</summary>
    public static readonly TimeSpan CaValidity = TimeSpan.FromDays(3650);
    public static readonly TimeSpan NodeValidity = TimeSpan.FromDays(825);

    /// <summary>A new CA for a topology.</summary>
    public static CertificateAuthority Create(string topology)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(new X500DistinguishedName($"CN={Cn(topology)} RedisDocker CA, O=RedisDocker"),
            key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        return new CertificateAuthority(req.CreateSelfSigned(now, now + CaValidity));
    }

    /// <summary>The CA from its PEM files (certificate and PKCS#8 key).</summary>
    public static CertificateAuthority FromPem(string certPem, string keyPem) =>
        new(X509Certificate2.CreateFromPem(certPem, keyPem));

    public string CertificatePem => Certificate.ExportCertificatePem();

    public string KeyPem
    {
        get
        {
            using var key = Certificate.GetECDsaPrivateKey()!;
            return key.ExportPkcs8PrivateKeyPem();
        }
    }

    /// <summary>
    /// A node's certificate: SANs for every name and address it is reached at (container addresses and name,
    /// 127.0.0.1, the host and announce addresses), for server and client authentication.
    /// </summary>
    public X509Certificate2 IssueNode(string name, IEnumerable<string> addressesAndNames, TimeSpan? validity = null)
    {
        var san = new SubjectAlternativeNameBuilder();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var a in addressesAndNames.Append(name).Append("127.0.0.1").Append("localhost"))
        {
            if (string.IsNullOrWhiteSpace(a) || !seen.Add(a)) continue;
            if (IPAddress.TryParse(a, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(a);
        }
        return Issue($"CN={Cn(name)}, O=RedisDocker", san.Build(), validity ?? NodeValidity, server: true);
    }

    /// <summary>A client certificate (tls-auth-clients): for the module's own connections, or for an
    /// application.</summary>
    public X509Certificate2 IssueClient(string name, TimeSpan validity) =>
        Issue($"CN={Cn(name)}, O=RedisDocker", null, validity, server: false);

    private X509Certificate2 Issue(string subject, X509Extension? san, TimeSpan validity, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(new X500DistinguishedName(subject), key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") };   // clientAuth
        if (server) usages.Add(new Oid("1.3.6.1.5.5.7.3.1"));                // serverAuth
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        req.CertificateExtensions.Add(
            X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        if (san is not null) req.CertificateExtensions.Add(san);
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = now + validity;
        if (notAfter > Certificate.NotAfter) notAfter = Certificate.NotAfter;
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = req.Create(Certificate, now, notAfter, serial);
        using var withKey = signed.CopyWithPrivateKey(key);
        // Through PKCS#12, so SslStream can use the key on every platform (an ephemeral key cannot be used on Windows).
        return new X509Certificate2(withKey.Export(X509ContentType.Pkcs12), (string?)null,
            X509KeyStorageFlags.Exportable);
    }

    /// <summary>The PEM of a certificate's private key (PKCS#8).</summary>
    public static string KeyPemOf(X509Certificate2 cert)
    {
        using var key = cert.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The certificate has no key.");
        return key.ExportPkcs8PrivateKeyPem();
    }

    /// <summary>
    /// True when a server's certificate chains to this CA (and to it only): the check the module's own client
    /// makes. The name is not checked: every certificate this CA signs is one of the topology's nodes.
    /// </summary>
    public bool Validates(X509Certificate? presented)
    {
        if (presented is null) return false;
        using var cert = new X509Certificate2(presented);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(new X509Certificate2(Certificate.RawData));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        return chain.Build(cert)
            && chain.ChainElements[^1].Certificate.RawData.AsSpan().SequenceEqual(Certificate.RawData);
    }

    private static string Cn(string value) =>
        new(value.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.').Take(60).ToArray());

    public void Dispose() => Certificate.Dispose();
}
