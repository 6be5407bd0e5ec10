using System.Management.Automation;
using RedisDocker.Core.Security;

namespace RedisDocker.Cmdlets;

/// <summary>
/// Update-RedisCertificate: new certificates for every running node and sentinel of a TLS topology, from its CA,
/// loaded without a restart (CONFIG SET tls-cert-file: Redis reloads them, connections and links stay up).
/// </summary>
[Cmdlet(VerbsData.Update, "RedisCertificate", SupportsShouldProcess = true)]
[OutputType(typeof(string))]
public sealed class UpdateRedisCertificateCommand : RedisDockerCmdlet
{
    /// <summary>The TLS topology.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string Topology { get; set; } = "";

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"topology '{Topology}'", "Renew the certificate of every running node")) return;
        if (!TryRun(Topology, (sink, ct) => CurrentSession.Workflows(sink).Certificates.RenewAsync(Topology, ct),
                out var names)) return;
        foreach (var n in names) WriteObject(n);
    }
}
