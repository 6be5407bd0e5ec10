using System.Management.Automation;

namespace RedisDocker.Cmdlets;

/// <summary>Base of cmdlets that act on nodes given by name (by property name) or as RedisNode objects (by
/// value).</summary>
public abstract class NodeActionCmdlet : RedisDockerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true,
        ParameterSetName = ParameterSets.Name)]
    [Alias("NodeName")]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.InputObject)]
    public RedisNode[] InputObject { get; set; } = Array.Empty<RedisNode>();

    protected IEnumerable<string> TargetNames =>
        ParameterSetName == ParameterSets.InputObject ? InputObject.Select(n => n.Name) : Name;
}
