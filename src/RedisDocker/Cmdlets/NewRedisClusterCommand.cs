using System.Management.Automation;
using System.Security;
using RedisDocker.Core.Security;
using RedisDocker.Core.Topology;

namespace RedisDocker.Cmdlets;

/// <summary>
/// New-RedisCluster: collects every node from the pipeline (or -Node), plans slots like
/// redis-cli --cluster create, meets the nodes, attaches replicas and waits until every node is ok.
/// With -Count it also makes the nodes (and with -Name and no -Network, the network).
/// </summary>
[Cmdlet(VerbsCommon.New, "RedisCluster", SupportsShouldProcess = true,
    DefaultParameterSetName = ParameterSets.InputObject)]
[OutputType(typeof(RedisCluster))]
public sealed class NewRedisClusterCommand : RedisDockerCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ParameterSets.InputObject)]
    public RedisNode[] InputObject { get; set; } = Array.Empty<RedisNode>();

    /// <summary>Node names (cluster-enabled, empty, one topology).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ParameterSets.Node)]
    [ArgumentCompleter(typeof(Completers.NodeCompleter))]
    public string[] Node { get; set; } = Array.Empty<string>();

    /// <summary>Make this many cluster-enabled nodes first.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSets.Count)]
    [ValidateRange(3, 100)]
    public int Count { get; set; }

    /// <summary>With -Count: the network for the new nodes (made with New-RedisNetwork).</summary>
    [Parameter(ParameterSetName = ParameterSets.Count, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completers.NetworkCompleter))]
    public string? Network { get; set; }

    /// <summary>With -Count and no -Network: the name of the network (and topology) to make.</summary>
    [Parameter(ParameterSetName = ParameterSets.Count)]
    public string? Name { get; set; }

    /// <summary>With -Count and a new network: its subnet (a free private /24 when omitted).</summary>
    [Parameter(ParameterSetName = ParameterSets.Count)]
    public string? Subnet { get; set; }

    [Parameter(ParameterSetName = ParameterSets.Count)]
    [ArgumentCompleter(typeof(Completers.ImageCompleter))]
    public string? Image { get; set; }

    /// <summary>With -Count: the Docker engine for the network and the nodes; the session's engine when
    /// omitted.</summary>
    [Parameter(ParameterSetName = ParameterSets.Count)]
    public string? DockerHost { get; set; }

    /// <summary>On an overlay network without -DockerHost: only Docker Swarm nodes whose labels match every entry
    /// take the nodes (key=value, or key for the label with any value).</summary>
    [Parameter(ParameterSetName = ParameterSets.Count)]
    public string[]? SwarmNodeLabel { get; set; }

    [Parameter(ParameterSetName = ParameterSets.Count)]
    public SecureString? Password { get; set; }

    /// <summary>TLS only: a CA of the topology, a certificate per node, TLS on clients, replication and the cluster
    /// bus (plain text off). Nodes added to a TLS topology use TLS without it.</summary>
    [Parameter(ParameterSetName = ParameterSets.Count)]
    public SwitchParameter Tls { get; set; }

    /// <summary>With -Tls: whether clients (and peers) need a certificate of the topology's CA (tls-auth-clients):
    /// Required (default), Optional or None.</summary>
    [Parameter(ParameterSetName = ParameterSets.Count)]
    public TlsClientAuth TlsClientAuth { get; set; } = TlsClientAuth.Required;

    [Parameter(ParameterSetName = ParameterSets.Count)]
    [ValidateRange(100, 600000)]
    public int ClusterNodeTimeout { get; set; } = 5000;

    /// <summary>Replicas for each primary; extra nodes become extra replicas.</summary>
    [Parameter]
    [ValidateRange(0, 10)]
    public int ReplicasPerPrimary { get; set; } = 1;

    private readonly List<string> _nodes = new();

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ParameterSets.InputObject) _nodes.AddRange(InputObject.Select(n => n.Name));
        else if (ParameterSetName == ParameterSets.Node) _nodes.AddRange(Node);
    }

    protected override void EndProcessing()
    {
        if (ParameterSetName == ParameterSets.Count)
        {
            if (Network is null && Name is null)
                ThrowParameterError(Core.ErrorIds.InvalidArgument,
                    "With -Count, give -Network (an existing network) or -Name (a network to create).");
            var primaries = Count / (ReplicasPerPrimary + 1);
            if (primaries < 3)
                ThrowParameterError(Core.ErrorIds.ClusterTooSmall,
                    $"A cluster needs at least 3 primaries: with -ReplicasPerPrimary {ReplicasPerPrimary} that is " +
                    $"3 × (1 + {ReplicasPerPrimary}) = {3 * (ReplicasPerPrimary + 1)} nodes, and -Count is {Count}. " +
                    $"Give -Count {3 * (ReplicasPerPrimary + 1)} or more, or lower -ReplicasPerPrimary.", Count);
            var where = Network ?? Name!;
            var spec = new ClusterFromScratchSpec
            {
                Network = Network,
                NewNetworkName = Network is null ? Name : null,
                Subnet = Subnet,
                Count = Count,
                ReplicasPerPrimary = ReplicasPerPrimary,
                Image = Image,
                Password = ToPlain(Password),
                ClusterNodeTimeoutMs = ClusterNodeTimeout,
                DockerHost = DockerHost,
                SwarmNodeLabels = SwarmNodeLabel,
                Tls = Tls.IsPresent || MyInvocation.BoundParameters.ContainsKey(nameof(TlsClientAuth))
                    ? new TlsOptions { ClientAuth = TlsClientAuth } : null,
            };
            // -WhatIf and -Confirm show the plan: node names, and the slots and replicas of each primary.
            if (!TryRun(where, (sink, ct) =>
                CurrentSession.Workflows(sink).ClusterBuilder.DescribePlanAsync(spec, ct), out var plan))
                return;
            if (!ShouldProcess(plan, "Create a Redis Cluster")) return;
            if (TryRun(where, (sink, ct) =>
                CurrentSession.Workflows(sink).ClusterBuilder.CreateFromScratchAsync(spec, ct), out var made))
                WriteObject(made);
            return;
        }
        if (_nodes.Count == 0) return;
        var what = $"Redis Cluster of {_nodes.Count} nodes ({string.Join(", ", _nodes)}) with {ReplicasPerPrimary} "
            + "replica(s) per primary";
        if (!ShouldProcess(what, "Create")) return;
        if (TryRun(_nodes[0], (sink, ct) =>
            CurrentSession.Workflows(sink).Cluster.CreateAsync(_nodes, ReplicasPerPrimary, ct), out var cluster))
            WriteObject(cluster);
    }
}
