using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;
using RedisDocker.Core.Sentinel;

namespace RedisDocker.Core.Topology;

/// <summary>
/// Sentinel groups: create, read, fail over, and keep a returning old primary from taking writes. This file holds
/// what the use cases share; each has its own file under src/RedisDocker.Core/Sentinel/: SentinelCreate,
/// SentinelRead, SentinelFailover (with CoordinatedFailover, SentinelForcedFailover, FailoverCandidates,
/// SentinelAgreement); SentinelStartPreparation is what starting a node needs.
/// </summary>
public sealed partial class SentinelOperations : Workflow
{
    private readonly NodeOperations _nodes;
    private readonly NodeReader _quietNodes;
    private readonly SentinelStartPreparation _start;

    internal SentinelOperations(RedisDockerSession session, IOperationSink sink, NodeOperations nodes,
        NodeReader quietNodes, SentinelStartPreparation start)
        : base(session, sink)
    {
        _nodes = nodes;
        _quietNodes = quietNodes;
        _start = start;
    }

    /// <summary>The primary's container endpoint as the sentinels of a topology report it, or null when no
    /// sentinel answers (see <see cref="SentinelStartPreparation"/>).</summary>
    public Task<string?> CurrentPrimaryAsync(IReadOnlyList<RedisNode> sentinels, string masterName,
        CancellationToken ct) => _start.CurrentPrimaryAsync(sentinels, masterName, ct);

    /// <summary>Before a Redis node of a sentinel-managed topology starts: see
    /// <see cref="SentinelStartPreparation.PrepareStartAsync"/>.</summary>
    public Task PrepareStartAsync(DockerClient docker, ContainerInfo info, CancellationToken ct) =>
        _start.PrepareStartAsync(docker, info, ct);

    public TimeSpan DiscoveryTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Checks a quorum against a sentinel count; returns warnings for fragile layouts.</summary>
    public static IReadOnlyList<string> ValidateQuorum(int count, int quorum)
    {
        if (count < 1)
            throw Errors.SentinelQuorumInvalid("-Count must be at least 1.", count);
        if (quorum < 1 || quorum > count)
            throw Errors.SentinelQuorumInvalid(
                $"-Quorum {quorum} cannot be reached by {count} sentinel(s): the quorum must be between 1 and the "
                + $"sentinel count. Give -Quorum {count / 2 + 1} (usual for {count} sentinels) or add sentinels with "
                + "-Count.",
                quorum);
        var warnings = new List<string>();
        if (count == 1)
            warnings.Add("A single sentinel dies with its one container, and then nothing fails over. Use -Count 3.");
        var majority = count / 2 + 1;
        if (count - 1 < Math.Max(quorum, majority))
            warnings.Add($"After the loss of one sentinel, {count - 1} remain: fewer than the "
                + (quorum > majority ? $"quorum of {quorum}" : $"majority of {majority} needed to authorise a failover")
                    + ". Use at least 3 sentinels with a quorum of 2.");
        return warnings;
    }
}
