using System.Text;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Topology;

namespace RedisDocker.Core.Security;

/// <summary>Export-RedisCertificate and Update-RedisCertificate: a TLS topology's certificates for applications,
/// and new node certificates without downtime.</summary>
public sealed class CertificateOperations : Workflow
{
    private readonly NodeOperations _nodes;

    internal CertificateOperations(RedisDockerSession session, IOperationSink sink, NodeOperations nodes)
        : base(session, sink)
    {
        _nodes = nodes;
    }

    public const string CaFileName = "ca.crt";
    public const string ClientCertFileName = "client.crt";
    public const string ClientKeyFileName = "client.key";

    private async Task<CertificateAuthority> RequireCaAsync(string topology, CancellationToken ct)
    {
        if (await _session.Tls.ExistingOptionsAsync(topology, ct).ConfigureAwait(false) is null)
            throw Errors.TopologyMismatch(
                $"Topology '{topology}' does not use TLS (or does not exist). Make a TLS topology with -Tls on "
                + "New-RedisCluster, New-RedisNode or New-RedisSentinel.", topology);
        return await _session.Tls.GetCaAsync(topology, ct).ConfigureAwait(false)
            ?? throw Errors.TlsMaterialMissing(
                $"No node of topology '{topology}' holds its CA ({TlsFiles.Directory}). Start one of its nodes.",
                topology);
    }

    /// <summary>
    /// Writes the topology's CA certificate (never its key) into <paramref name="directory"/>, and with
    /// <paramref name="clientValidity"/> a client certificate and key for an application (the key file readable by
    /// its owner only). Returns the paths written.
    /// </summary>
    public async Task<IReadOnlyList<string>> ExportAsync(string topology, string directory, TimeSpan? clientValidity,
        CancellationToken ct)
    {
        var ca = await RequireCaAsync(topology, ct).ConfigureAwait(false);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        var caPath = Path.Combine(directory, CaFileName);
        await File.WriteAllTextAsync(caPath, ca.CertificatePem, Encoding.ASCII, ct).ConfigureAwait(false);
        written.Add(caPath);
        _sink.Verbose(
            $"Wrote the CA certificate of topology '{topology}' to {caPath} (its key stays inside the nodes).");
        if (clientValidity is { } validity)
        {
            using var client = ca.IssueClient($"{topology}-client", validity);
            var certPath = Path.Combine(directory, ClientCertFileName);
            var keyPath = Path.Combine(directory, ClientKeyFileName);
            await File.WriteAllTextAsync(certPath, client.ExportCertificatePem(), Encoding.ASCII, ct)
                .ConfigureAwait(false);
            await WritePrivateAsync(keyPath, CertificateAuthority.KeyPemOf(client), ct).ConfigureAwait(false);
            written.Add(certPath);
            written.Add(keyPath);
            _sink.Verbose($"Wrote a client certificate valid until {client.NotAfter.ToUniversalTime():u} to {certPath} "
                + $"and its key to {keyPath} (readable by you only).");
        }
        return written;
    }

    private static async Task WritePrivateAsync(string path, string text, CancellationToken ct)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using var stream = new FileStream(path, options);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(text), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// New certificates for every running node and sentinel of the topology, from the same CA: written into each
    /// node's volume, then loaded with CONFIG SET tls-cert-file/tls-key-file (Redis reloads them; open connections
    /// and links stay up). Returns the names of the nodes renewed.
    /// </summary>
    public async Task<IReadOnlyList<string>> RenewAsync(string topology, CancellationToken ct)
    {
        var ca = await RequireCaAsync(topology, ct).ConfigureAwait(false);
        var password = await _session.GetPasswordAsync(topology, ct).ConfigureAwait(false);
        var nodes = await _nodes.GetAsync(new NodeFilter { Topology = topology }, ct).ConfigureAwait(false);
        var renewed = new List<string>();
        foreach (var node in nodes.Where(n => n.HostEndpoint is not null))
        {
            var docker = await _session.GetDockerAsync(node.DockerHost, ct).ConfigureAwait(false);
            var spec = new NodeSpec
            {
                Name = node.Name, Network = node.Network ?? "", HostIp = EndpointMap.Split(node.HostEndpoint!).Host,
                AnnounceAddress = node.Labels.Get(Labels.Announce),
            };
            using var cert = ca.IssueNode(node.Name, NodeTls.NamesOf(spec, node.IPAddress ?? "", docker));
            await TlsStore.UploadNodeFilesAsync(docker, node.Name, ca, cert, ct).ConfigureAwait(false);
            var reply = await _session.SendAsync(node.HostEndpoint!, password, new object[]
            {
                "CONFIG", "SET", "tls-cert-file", TlsFiles.PathOf(TlsFiles.CertFile),
                "tls-key-file", TlsFiles.PathOf(TlsFiles.KeyFile),
            }, ct).ConfigureAwait(false);
            if (reply.IsError)
                throw Errors.RedisError($"Node '{node.Name}' refused its new certificate: {reply.Text}", node.Name);
            _sink.Verbose($"Node '{node.Name}' loaded its new certificate (valid until "
                + $"{cert.NotAfter.ToUniversalTime():u}).");
            renewed.Add(node.Name);
        }
        return renewed;
    }
}
