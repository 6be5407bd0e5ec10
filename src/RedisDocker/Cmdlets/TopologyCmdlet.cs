using System.Management.Automation;

namespace RedisDocker.Cmdlets;

/// <summary>Base of cmdlets that act on whole topologies, named by property name from any of the module's
/// objects.</summary>
public abstract class TopologyCmdlet : RedisDockerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    // Named Topology (alias Name) so that piped nodes, networks and clusters bind their topology, not their own name.
    [Alias("Name")]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string[] Topology { get; set; } = Array.Empty<string>();
}
