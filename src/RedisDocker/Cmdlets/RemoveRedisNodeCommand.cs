using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Remove-RedisNode: removes nodes and their data volumes.</summary>
[Cmdlet(VerbsCommon.Remove, "RedisNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = ParameterSets.Name)]
[OutputType(typeof(void))]
public sealed class RemoveRedisNodeCommand : NodeActionCmdlet
{
    /// <summary>Keep the data volume (a node re-created with the same name finds its data again).</summary>
    [Parameter]
    public SwitchParameter KeepVolume { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in TargetNames)
        {
            // A node that is not there is an error with -WhatIf too, as in the real run.
            if (!TryRun(name, (sink, ct) => CurrentSession.Workflows(sink).Nodes.RequireAsync(name, ct))) continue;
            if (!ShouldProcess($"Redis node '{name}'{(KeepVolume ? "" : " and its data volume")}", "Remove")) continue;
            TryRun(name, (sink, ct) =>
                CurrentSession.Workflows(sink).Nodes.RemoveAsync(name, !KeepVolume.IsPresent, ct));
        }
    }
}
