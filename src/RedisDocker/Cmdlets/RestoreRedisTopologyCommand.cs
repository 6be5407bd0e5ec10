using System.Management.Automation;
using System.Security;
using RedisDocker.Core.Backup;

namespace RedisDocker.Cmdlets;

/// <summary>
/// Restore-RedisTopology: checks a Backup-RedisTopology folder (every SHA-256), then loads each saved node's RDB into
/// a topology made from the manifest (or into the existing one when it is empty, or with -Force).
/// </summary>
[Cmdlet(VerbsData.Restore, "RedisTopology", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(RedisTopology))]
public sealed class RestoreRedisTopologyCommand : RedisDockerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    public string Path { get; set; } = "";

    /// <summary>The topology to restore into; its nodes and networks are renamed with it. Default: the
    /// backup's.</summary>
    [Parameter(Position = 1)]
    [Alias("Topology")]
    public string? Name { get; set; }

    /// <summary>The subnet of the new topology's network (addresses keep their host part).</summary>
    [Parameter]
    public string? Subnet { get; set; }

    /// <summary>Password of a new topology; a new one is generated when omitted (the backup holds none).</summary>
    [Parameter]
    public SecureString? Password { get; set; }

    /// <summary>Overwrite the keys of an existing topology.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var request = new RestoreRequest
        {
            Path = GetUnresolvedProviderPathFromPSPath(Path), Name = Name, Subnet = Subnet, Force = Force,
            Password = ToPlain(Password),
        };
        Core.Topology.TopologySpec spec;
        BackupManifest manifest;
        try { (manifest, spec) = RestoreOperations.Plan(request); }
        catch (Exception e) { WriteError(ToErrorRecord(e, Path)); return; }
        var what = $"Topology '{spec.Name}' from the backup of '{manifest.Topology}' ({manifest.CreatedAt:u}, "
            + $"{manifest.Nodes.Count} node(s), {manifest.Nodes.Sum(n => n.Keys)} keys)";
        if (!ShouldProcess(what, Force ? "Restore, overwriting its keys" : "Restore")) return;
        if (TryRun(spec.Name, (sink, ct) => CurrentSession.Workflows(sink).Restore.RestoreAsync(request, ct),
                out var topology))
            WriteObject(topology);
    }
}
