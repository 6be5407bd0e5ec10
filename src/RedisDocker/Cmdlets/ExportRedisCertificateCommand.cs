using System.Management.Automation;
using RedisDocker.Core.Security;

namespace RedisDocker.Cmdlets;

/// <summary>
/// Export-RedisCertificate: a TLS topology's CA certificate (never its key) for applications to trust, and on request
/// a client certificate and key signed by it (for nodes made with -TlsClientAuth Required).
/// </summary>
[Cmdlet(VerbsData.Export, "RedisCertificate", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportRedisCertificateCommand : RedisDockerCmdlet
{
    /// <summary>The TLS topology.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string Topology { get; set; } = "";

    /// <summary>The folder to write ca.crt (and client.crt, client.key) into; made when missing.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string Path { get; set; } = "";

    /// <summary>Also writes a client certificate and its key (the key file readable by its owner only).</summary>
    [Parameter]
    public SwitchParameter IncludeClientCertificate { get; set; }

    /// <summary>With -IncludeClientCertificate: how many days the client certificate is valid.</summary>
    [Parameter]
    [ValidateRange(1, 825)]
    public int ValidDays { get; set; } = 365;

    protected override void ProcessRecord()
    {
        var folder = GetUnresolvedProviderPathFromPSPath(Path);
        var what = IncludeClientCertificate
            ? $"the CA certificate and a client certificate and key of topology '{Topology}'"
            : $"the CA certificate of topology '{Topology}'";
        if (!ShouldProcess(folder, $"Write {what}")) return;
        TimeSpan? validity = IncludeClientCertificate ? TimeSpan.FromDays(ValidDays) : null;
        if (!TryRun(Topology, (sink, ct) => CurrentSession.Workflows(sink).Certificates
                .ExportAsync(Topology, folder, validity, ct), out var files)) return;
        foreach (var f in files) WriteObject(new FileInfo(f));
    }
}
