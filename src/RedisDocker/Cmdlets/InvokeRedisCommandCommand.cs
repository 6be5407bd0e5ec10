using System.Management.Automation;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>
/// Invoke-RedisCommand: runs any Redis command on a node (through its published port) or on a
/// cluster (routed by key slot, following MOVED/ASK through the endpoint map). Replies come back
/// as strings, integers, arrays or $null; an error reply is a non-terminating error.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "RedisCommand", DefaultParameterSetName = "Name")]
[OutputType(typeof(string), typeof(long), typeof(object[]))]
public sealed class InvokeRedisCommandCommand : RedisDockerCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = "Name")]
    [Alias("NodeName", "Name")]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string[] Node { get; set; } = Array.Empty<string>();

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "InputObject")]
    public RedisNode[] InputObject { get; set; } = Array.Empty<RedisNode>();

    /// <summary>A cluster (its topology name): the command goes to the node that owns its key's slot.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "Cluster")]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string Cluster { get; set; } = "";

    /// <summary>The command and its arguments: SET a b.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromRemainingArguments = true)]
    public string[] Command { get; set; } = Array.Empty<string>();

    protected override void ProcessRecord()
    {
        var args = Command.Cast<object>().ToArray();
        if (ParameterSetName == "Cluster")
        {
            if (TryRun(Cluster, (sink, ct) => new CommandOperations(CurrentSession, sink).InvokeOnClusterAsync(Cluster, args, ct), out var reply))
                WriteObject(reply, enumerateCollection: true);
            return;
        }
        var names = ParameterSetName == "InputObject" ? InputObject.Select(n => n.Name) : Node;
        foreach (var name in names)
        {
            if (TryRun(name, (sink, ct) => new CommandOperations(CurrentSession, sink).InvokeAsync(name, args, ct), out var reply))
                WriteObject(reply, enumerateCollection: true);
        }
    }
}
