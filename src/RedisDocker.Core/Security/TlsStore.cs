using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core.Security;

/// <summary>
/// A session's knowledge of its TLS topologies: which published endpoints speak TLS (from the nodes' labels), each
/// topology's CA (read from inside its nodes, never from the host), and the short-lived client certificate the
/// module presents to them. Nothing here is written anywhere.
/// </summary>
public sealed class TlsStore
{
    private readonly RedisDockerSession _session;
    private readonly ConcurrentDictionary<string, string> _endpoints = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, CertificateAuthority> _cas = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, X509Certificate2> _clients = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _lock = new(1, 1);

    public TlsStore(RedisDockerSession session) => _session = session;

    /// <summary>How long the module's own client certificates live (one is made per topology and session).</summary>
    public static readonly TimeSpan ClientValidity = TimeSpan.FromDays(1);

    /// <summary>Records a node's published endpoint as TLS when its labels say so.</summary>
    public void Observe(RedisNode node)
    {
        if (node.HostEndpoint is null) return;
        if (TlsOptions.FromLabel(node.Labels.Get(TlsFiles.Label)) is not null)
            _endpoints[node.HostEndpoint] = node.Topology;
        else _endpoints.TryRemove(node.HostEndpoint, out _);
    }

    /// <summary>The TLS topology a published endpoint belongs to, or null for a plain endpoint.</summary>
    public string? TopologyOf(string hostEndpoint) => _endpoints.TryGetValue(hostEndpoint, out var t) ? t : null;

    /// <summary>Remembers a topology's CA (made or read by node creation).</summary>
    public void Remember(string topology, CertificateAuthority ca) => _cas[topology] = ca;

    /// <summary>Forgets what the session knows of a topology (removed, or its certificates renewed).</summary>
    public void Forget(string topology)
    {
        _cas.TryRemove(topology, out _);
        if (_clients.TryRemove(topology, out var c)) c.Dispose();
    }

    /// <summary>The TLS options of a topology's existing nodes (from their labels); null when none of them uses
    /// TLS.</summary>
    public async Task<TlsOptions?> ExistingOptionsAsync(string topology, CancellationToken ct)
    {
        foreach (var (_, list) in await _session.OnEveryEngineAsync(
                     (d, c) => d.ListContainersAsync(Labels.ForTopology(topology), all: true, c), NullSink.Instance, ct)
                     .ConfigureAwait(false))
            foreach (var c in list)
                if (TlsOptions.FromLabel(c.Labels.Get(TlsFiles.Label)) is { } o) return o;
        return null;
    }

    /// <summary>The topology's CA: known to the session, or read from inside one of its TLS nodes; null when none has
    /// one.</summary>
    public async Task<CertificateAuthority?> GetCaAsync(string topology, CancellationToken ct)
    {
        if (_cas.TryGetValue(topology, out var known)) return known;
        foreach (var (docker, list) in await _session.OnEveryEngineAsync(
                     (d, c) => d.ListContainersAsync(Labels.ForTopology(topology), all: true, c), NullSink.Instance, ct)
                     .ConfigureAwait(false))
            foreach (var c in list.Where(c => c.Labels.Get(TlsFiles.Label) is not null).OrderBy(c => c.Created))
            {
                byte[]? cert, key;
                try
                {
                    cert = await docker.ReadFileAsync(c.Id, TlsFiles.PathOf(TlsFiles.CaCertFile), ct)
                        .ConfigureAwait(false);
                    key = await docker.ReadFileAsync(c.Id, TlsFiles.PathOf(TlsFiles.CaKeyFile), ct)
                        .ConfigureAwait(false);
                }
                catch (DockerException) { continue; }
                if (cert is null || key is null) continue;
                var ca = CertificateAuthority.FromPem(Encoding.ASCII.GetString(cert), Encoding.ASCII.GetString(key));
                return _cas.GetOrAdd(topology, ca);
            }
        return null;
    }

    /// <summary>The topology's CA, read from its nodes or made now for its first TLS nodes.</summary>
    public async Task<CertificateAuthority> GetOrCreateCaAsync(string topology, CancellationToken ct)
    {
        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return await GetCaAsync(topology, ct).ConfigureAwait(false)
                ?? _cas.GetOrAdd(topology, CertificateAuthority.Create(topology));
        }
        finally { _lock.Release(); }
    }

    /// <summary>
    /// The options of a connection to a published endpoint: for a TLS topology, TLS with the server checked
    /// against the topology's CA and the module's client certificate presented; unchanged for a plain one.
    /// </summary>
    public async Task<RespConnectionOptions> ApplyAsync(string hostEndpoint, RespConnectionOptions options,
        CancellationToken ct)
    {
        if (TopologyOf(hostEndpoint) is not { } topology) return options;
        var ca = await GetCaAsync(topology, ct).ConfigureAwait(false)
            ?? throw Errors.TlsMaterialMissing(
                $"Topology '{topology}' uses TLS, but no node of it holds its CA ({TlsFiles.Directory}). Recreate the "
                + "node from an export (Export-RedisTopology) or restore its volume.", topology);
        var client = _clients.AddOrUpdate(topology,
            _ => ca.IssueClient("redisdocker-module", ClientValidity),
            (_, old) => old.NotAfter.ToUniversalTime() > DateTime.UtcNow.AddHours(1)
                ? old : ca.IssueClient("redisdocker-module", ClientValidity));
        return WithTls(options, ca, client);
    }

    /// <summary>The options with TLS to a node of <paramref name="ca"/>'s topology: the server checked against the CA,
    /// <paramref name="client"/> presented; every other setting copied (a record copy).</summary>
    internal static RespConnectionOptions WithTls(RespConnectionOptions options, CertificateAuthority ca,
        X509Certificate2 client) => options with
        {
            UseTls = true,
            TlsCertificateValidation = (_, cert, _, _) => ca.Validates(cert),
            TlsClientCertificates = new X509CertificateCollection { client },
        };

    /// <summary>
    /// Writes a node's key material into its volume before it starts: the CA (certificate and key, as the password
    /// is kept inside every node), and the node's certificate and key. Keys 0600, the folder 0700, owned by redis.
    /// </summary>
    public static Task UploadNodeFilesAsync(DockerClient docker, string container, CertificateAuthority ca,
        X509Certificate2 nodeCert, CancellationToken ct)
    {
        const int certMode = 0b110_100_100, keyMode = 0b110_000_000;
        var uid = Topology.NodeOperations.RedisUid;
        var files = new[]
        {
            new ArchiveFile(TlsFiles.CaCertFile, Encoding.ASCII.GetBytes(ca.CertificatePem), certMode, uid, uid),
            new ArchiveFile(TlsFiles.CaKeyFile, Encoding.ASCII.GetBytes(ca.KeyPem), keyMode, uid, uid),
            new ArchiveFile(TlsFiles.CertFile, Encoding.ASCII.GetBytes(nodeCert.ExportCertificatePem()), certMode,
                uid, uid),
            new ArchiveFile(TlsFiles.KeyFile, Encoding.ASCII.GetBytes(CertificateAuthority.KeyPemOf(nodeCert)), keyMode,
                uid, uid),
        };
        return docker.UploadFilesAsync(container, TlsFiles.Directory, files, ct, dirMode: 0b111_000_000, uid: uid,
            gid: uid);
    }
}
