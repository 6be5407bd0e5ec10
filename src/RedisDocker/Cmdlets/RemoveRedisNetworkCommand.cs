using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>Remove-RedisNetwork: removes a network; refuses while nodes are attached unless -Force.</summary>
[Cmdlet(VerbsCommon.Remove, "RedisNetwork", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High,
    DefaultParameterSetName = ParameterSets.Name)]
[OutputType(typeof(void))]
public sealed class RemoveRedisNetworkCommand : RedisDockerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true,
        ParameterSetName = ParameterSets.Name)]
    [Alias("NetworkName", "Network")]
    [ArgumentCompleter(typeof(Completers.NetworkCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.InputObject)]
    public RedisNetwork[] InputObject { get; set; } = Array.Empty<RedisNetwork>();

    /// <summary>Also removes the module's nodes on the network (with their volumes) and disconnects other
    /// containers.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var names = ParameterSetName == ParameterSets.InputObject ? InputObject.Select(n => n.Name) : Name;
        foreach (var name in names)
        {
            var what = Force
                ? $"Docker network '{name}' and every RedisDocker node attached to it (data volumes included)"
                : $"Docker network '{name}'";
            if (!ShouldProcess(what, "Remove")) continue;
            TryRun(name, (sink, ct) =>
                CurrentSession.Workflows(sink).Networks.RemoveAsync(name, Force.IsPresent, ct));
        }
    }
}
