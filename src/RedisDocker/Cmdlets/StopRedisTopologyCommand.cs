using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Stop-RedisTopology: stops a whole topology cleanly: sentinels first, then replicas, then
/// primaries.</summary>
[Cmdlet(VerbsLifecycle.Stop, "RedisTopology", SupportsShouldProcess = true)]
[OutputType(typeof(RedisTopology))]
public sealed class StopRedisTopologyCommand : TopologyCmdlet
{
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var name in Topology)
        {
            if (!ShouldProcess($"Topology '{name}'", "Stop every node and sentinel")) continue;
            if (TryRun(name, (sink, ct) => CurrentSession.Workflows(sink).Topologies.StopAsync(name, ct), out var t)
                && PassThru) WriteObject(t);
        }
    }
}
