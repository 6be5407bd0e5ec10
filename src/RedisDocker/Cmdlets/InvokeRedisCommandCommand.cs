using System.Management.Automation;
using RedisDocker.Core;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>
/// Invoke-RedisCommand: runs any Redis command on nodes (through their published ports) or on a
/// cluster. With -Cluster (or a RedisCluster piped in) a command with keys goes to the owner of its
/// slot (MOVED/ASK followed through the endpoint map) and a command without keys runs on every
/// primary (every member with -AllNodes), like redis-cli --cluster call.
/// One node answers with the reply itself (strings, integers, $null; nested arrays as
/// RedisReplyArray); several nodes answer with one RedisCommandResult each (Node, Reply).
/// Nodes may be piped in (RedisNode, RedisClusterNode, names): then every positional word is the
/// command (Get-RedisNode a | Invoke-RedisCommand GET k).
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "RedisCommand")]
[OutputType(typeof(string), typeof(long), typeof(RedisReplyArray), typeof(RedisCommandResult))]
public sealed class InvokeRedisCommandCommand : RedisDockerCmdlet
{
    private readonly List<(string Name, bool IsCluster)> _targets = new();
    private string[] _pipedCommand = Array.Empty<string>();

    /// <summary>Node names. When nodes or a cluster come from the pipeline, or with -Cluster, this
    /// first positional word is the command's first word instead.</summary>
    [Parameter(Position = 0)]
    [Alias("NodeName", "Name")]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string[] Node { get; set; } = Array.Empty<string>();

    /// <summary>Nodes or clusters from the pipeline: RedisNode, RedisClusterNode, RedisCluster, or node
    /// names.</summary>
    [Parameter(ValueFromPipeline = true)]
    public object[] InputObject { get; set; } = Array.Empty<object>();

    /// <summary>A cluster (its topology name).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.TopologyCompleter))]
    public string Cluster { get; set; } = "";

    /// <summary>With a cluster: a command without keys runs on every member, replicas too, not only on the
    /// primaries.</summary>
    [Parameter]
    public SwitchParameter AllNodes { get; set; }

    /// <summary>The command and its arguments: SET a b.</summary>
    [Parameter(Position = 1, ValueFromRemainingArguments = true)]
    public string[] Command { get; set; } = Array.Empty<string>();

    private bool Piped => MyInvocation.ExpectingInput || MyInvocation.BoundParameters.ContainsKey(nameof(InputObject));

    protected override void BeginProcessing()
    {
        if (Piped && Cluster.Length > 0)
            ThrowParameterError(ErrorIds.InvalidArgument,
                "Give the cluster either with -Cluster or through the pipeline (Get-RedisCluster c | "
                    + "Invoke-RedisCommand DBSIZE), not both.");
    }

    protected override void ProcessRecord()
    {
        if (Piped)
        {
            // Everything positional is the command: the targets come from the pipeline.
            _pipedCommand = Node.Concat(Command).ToArray();
            foreach (var item in InputObject ?? Array.Empty<object>())
            {
                var target = ToTarget(item);
                if (target is { } t) _targets.Add(t);
                else
                    WriteError(new ErrorRecord(new ArgumentException(
                        "Pipe nodes (Get-RedisNode, Get-RedisClusterNode), a cluster (Get-RedisCluster) or node "
                            + $"names into Invoke-RedisCommand, not '{item}'."),
                        ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, item));
            }
            return;
        }
        if (Cluster.Length > 0)
        {
            RunOnCluster(Cluster, Node.Concat(Command).ToArray());
            return;
        }
        if (Node.Length == 0)
            ThrowParameterError(ErrorIds.InvalidArgument,
                "Give a node and a command (Invoke-RedisCommand node1 PING), -Cluster and a command, or pipe nodes in "
                    + "(Get-RedisNode node1 | Invoke-RedisCommand PING).");
        var args = CheckCommand(Command);
        RunOnNodes(Node, args);
    }

    protected override void EndProcessing()
    {
        if (!Piped || _targets.Count == 0) return;
        var args = CheckCommand(_pipedCommand);
        var nodes = _targets.Where(t => !t.IsCluster).Select(t => t.Name).Distinct(StringComparer.Ordinal).ToArray();
        var clusters = _targets.Where(t => t.IsCluster).Select(t => t.Name).Distinct(StringComparer.Ordinal).ToArray();
        if (nodes.Length > 0) RunOnNodes(nodes, args, perNode: nodes.Length > 1 || clusters.Length > 0);
        foreach (var cluster in clusters) RunOnCluster(cluster, args);
    }

    private object[] CheckCommand(string[] words)
    {
        if (words.Length == 0)
            ThrowParameterError(ErrorIds.InvalidArgument, "Give a command, for example: PING, GET k, INFO memory.");
        return words.Cast<object>().ToArray();
    }

    private static (string, bool)? ToTarget(object? item)
    {
        var value = item is PSObject pso ? pso.BaseObject : item;
        switch (value)
        {
            case RedisCluster c: return (c.Name, true);
            case RedisNode n: return (n.Name, false);
            case RedisClusterNode cn: return cn.Name is null ? null : (cn.Name, false);
            case string s when s.Length > 0: return (s, false);
        }
        if (item is PSObject o)
        {
            foreach (var p in new[] { "NodeName", "Name" })
                if (o.Properties[p]?.Value is string s && s.Length > 0) return (s, false);
        }
        return null;
    }

    private void RunOnNodes(IReadOnlyList<string> names, object[] args, bool? perNode = null)
    {
        var several = perNode ?? names.Count > 1;
        foreach (var name in names)
        {
            if (!TryRun(name, (sink, ct) => CurrentSession.Workflows(sink).Commands.InvokeAsync(name, args, ct),
                out var reply)) continue;
            if (several) WriteObject(new RedisCommandResult { Node = name, Reply = RedisReplyArray.Wrap(reply) });
            else WriteReply(reply);
        }
    }

    private void RunOnCluster(string cluster, object[] args)
    {
        if (!TryRun(cluster, (sink, ct) => CurrentSession.Workflows(sink)
            .Commands.CallClusterAsync(cluster, args, AllNodes, ct), out var result))
            return;
        if (result.Routed is { } routed)
        {
            if (routed.IsError) WriteError(ToErrorRecord(new RedisServerException(routed.Text ?? "ERR"), cluster));
            else WriteReply(routed.ToObject());
            return;
        }
        foreach (var r in result.PerNode ?? Array.Empty<NodeReply>())
        {
            if (r.Error is not null) { WriteError(ToErrorRecord(r.Error, r.Node)); continue; }
            if (r.Reply is { IsError: true } bad) { WriteError(ToErrorRecord(new RedisServerException(bad.Text
                ?? "ERR"), r.Node)); continue; }
            WriteObject(new RedisCommandResult { Node = r.Node, HostEndpoint = r.HostEndpoint, Cluster = cluster,
                Reply = RedisReplyArray.Wrap(r.Reply?.ToObject()) });
        }
    }

    /// <summary>A reply of one node: an array is written element by element, arrays inside it as
    /// RedisReplyArray.</summary>
    private void WriteReply(object? reply)
    {
        if (reply is object?[] items)
            foreach (var item in items) WriteObject(RedisReplyArray.Wrap(item));
        else WriteObject(reply);
    }
}
