namespace RedisDocker.Core.Topology;

/// <summary>Invoke-RedisFailover on a node: a cluster replica, or a replica of a sentinel-managed primary.</summary>
public sealed class FailoverOperations : Workflow
{
    private readonly NodeOperations _nodes;
    private readonly ClusterOperations _cluster;
    private readonly ReplicationOperations _replication;
    private readonly SentinelOperations _sentinels;

    internal FailoverOperations(RedisDockerSession session, IOperationSink sink,
        NodeOperations nodes, ClusterOperations cluster, ReplicationOperations replication,
        SentinelOperations sentinels)
        : base(session, sink)
    {
        _nodes = nodes;
        _cluster = cluster;
        _replication = replication;
        _sentinels = sentinels;
    }

    public async Task<RedisFailoverResult> FailoverToAsync(string? topology, string nodeName, ClusterFailoverMode mode,
        TimeSpan timeout, CancellationToken ct)
    {
        var node = await _nodes.GetOneAsync(nodeName, ct).ConfigureAwait(false);
        if (node.ClusterEnabled)
            return await _cluster.FailoverAsync(topology ?? node.Topology, node.Name, mode, ct, timeout)
                .ConfigureAwait(false);
        if (mode == ClusterFailoverMode.Takeover)
            throw Errors.InvalidArgument("-Takeover applies to cluster replicas only.", nodeName);
        if (node.Role != RedisRole.Replica)
            throw Errors.FailoverFailed(
                $"'{node.Name}' is not a replica (it reports {node.Role}); give the replica to promote.",
                nodeName);
        var sentinels = await _nodes.GetAsync(new NodeFilter { Topology = node.Topology, SentinelsOnly = true }, ct)
            .ConfigureAwait(false);
        var group = sentinels.Select(s => s.SentinelGroup).FirstOrDefault(g => g is not null);
        if (group is null)
        {
            if (mode != ClusterFailoverMode.Force)
                throw Errors.NoSentinelGroupWatches(node.Name, node.Topology);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var promoted = await _replication.PromoteAsync(node.Name, ct).ConfigureAwait(false);
            return new RedisFailoverResult
            {
                Topology = node.Topology, Kind = "Replication", Mode = "Force", OldPrimary = null, NewPrimary =
                    promoted.Name,
                NewPrimaryHostEndpoint = promoted.HostEndpoint, Duration = sw.Elapsed,
                Detail = "REPLICAOF NO ONE without sentinels: other replicas and clients must be pointed at the new "
                    + "primary",
            };
        }
        return await _sentinels.FailoverToReplicaAsync(node, group, timeout, ct,
            force: mode == ClusterFailoverMode.Force).ConfigureAwait(false);
    }
}
