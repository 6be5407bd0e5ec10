using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Remove-RedisTopology: removes every container, volume and network of a topology (like docker-compose down
/// -v).</summary>
[Cmdlet(VerbsCommon.Remove, "RedisTopology", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveRedisTopologyCommand : TopologyCmdlet
{
    /// <summary>Keep the data volumes (a later Import-RedisTopology or New-RedisNode with the same names finds the
    /// data).</summary>
    [Parameter]
    public SwitchParameter KeepVolume { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Topology)
        {
            if (!ShouldProcess($"Topology '{name}': every node, sentinel, "
                + $"network{(KeepVolume ? "" : " and data volume")}", "Remove")) continue;
            TryRun(name, (sink, ct) => CurrentSession.Workflows(sink)
                .Topologies.RemoveAsync(name, KeepVolume.IsPresent, ct));
        }
    }
}
