using System.Management.Automation;
using RedisDocker.Core.Backup;

namespace RedisDocker.Cmdlets;

/// <summary>
/// Backup-RedisTopology: a point-in-time snapshot of every primary (BGSAVE, dump.rdb through the archive API) and a
/// manifest without secrets, in an owner-only folder. Restore-RedisTopology reads it back.
/// </summary>
[Cmdlet(VerbsData.Backup, "RedisTopology", SupportsShouldProcess = true)]
[OutputType(typeof(RedisBackup))]
public sealed class BackupRedisTopologyCommand : TopologyCmdlet
{
    /// <summary>The backup folder (created; one subfolder per topology when several are given).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public string Path { get; set; } = "";

    /// <summary>Save this node only (a primary or a replica) instead of every primary.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string? Node { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Topology)
        {
            var folder = GetUnresolvedProviderPathFromPSPath(
                Topology.Length > 1 ? System.IO.Path.Combine(Path, name) : Path);
            if (!ShouldProcess($"Topology '{name}'{(Node is null ? "" : $", node '{Node}'")} to '{folder}'", "Backup"))
                continue;
            if (TryRun(name, (sink, ct) =>
                    CurrentSession.Workflows(sink).Backup.BackupAsync(name, folder, Node, ct),
                    out var backup))
                WriteObject(backup);
        }
    }
}
