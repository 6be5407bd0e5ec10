using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Start-RedisNode: starts stopped nodes and waits until each answers.</summary>
[Cmdlet(VerbsLifecycle.Start, "RedisNode", SupportsShouldProcess = true, DefaultParameterSetName = ParameterSets.Name)]
[OutputType(typeof(RedisNode))]
public sealed class StartRedisNodeCommand : NodeActionCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in TargetNames)
        {
            if (!ShouldProcess($"Redis node '{name}'", "Start")) continue;
            if (TryRun(name, (sink, ct) =>
                CurrentSession.Workflows(sink).Nodes.StartAsync(name, ct), out var node) && PassThru)
                WriteObject(node);
        }
    }
}
