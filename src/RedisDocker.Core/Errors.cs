using RedisDocker.Core.Docker;
using RedisDocker.Core.Resp;

namespace RedisDocker.Core;

/// <summary>
/// Every error the core raises is built here (as StackExchange.Redis's ExceptionFactory does), so that an id always
/// comes with the same kind and the same failure always gets the same id. Nothing else in the core constructs a
/// <see cref="RedisDockerException"/> (a unit test checks it; the Docker layer's own exceptions are translated by
/// <see cref="ErrorTranslator"/>).
/// <list type="bullet">
/// <item>Failures raised in more than one place, or whose kind differs from their id's usual one, have a factory of
/// their own, named after the failure (<see cref="NodeNotRunning"/>), with the message in it.</item>
/// <item>Every other failure is raised through the factory named after its id, which fixes the kind; the message,
/// one of a kind, stays where it is raised.</item>
/// </list>
/// </summary>
public static class Errors
{
    // ---- Named failures -------------------------------------------------------------------------------------------

    /// <summary>A node that is stopped (or exited) where a running one is needed.</summary>
    public static RedisDockerException NodeNotRunning(string node, string state) =>
        new(ErrorIds.NodeNotReachable, $"Node '{node}' is not running ({state}). Start it with Start-RedisNode {node}.",
            ErrorKind.ResourceUnavailable, node);

    /// <summary>A node whose Redis port is published nowhere (it is stopped).</summary>
    public static RedisDockerException NoPublishedEndpoint(string node, string state) =>
        new(ErrorIds.NodeNotReachable,
            $"Node '{node}' has no published endpoint (state: {state}). Start it with Start-RedisNode.",
            ErrorKind.ResourceUnavailable, node);

    /// <summary>No member of a cluster answers (they are stopped, or their endpoints do not answer).</summary>
    public static RedisDockerException NoClusterNodeAnswers(string topology) =>
        new(ErrorIds.NodeNotReachable,
            $"No node of cluster '{topology}' answers CLUSTER NODES. Start its nodes (Start-RedisTopology {topology}).",
            ErrorKind.ResourceUnavailable, topology);

    /// <summary>A name given for a cluster member that is not one of its running members.</summary>
    public static RedisDockerException NotARunningClusterNode(string node, string topology) =>
        new(ErrorIds.NodeNotFound, $"'{node}' is not a running node of cluster '{topology}'.", ErrorKind.ObjectNotFound,
            node);

    /// <summary>A sentinel given where a Redis node is needed.</summary>
    public static RedisDockerException SentinelIsNotARedisNode(string node) =>
        new(ErrorIds.InvalidArgument, $"'{node}' is a sentinel, not a Redis node.", ErrorKind.InvalidArgument, node);

    /// <summary>Host-network nodes and Docker-network nodes given for one cluster.</summary>
    public static RedisDockerException MixedNetworkModes(string node) =>
        new(ErrorIds.TopologyMismatch,
            "Some nodes use their host's network and others a Docker network: a cluster is made of one kind. "
            + "Create them alike.",
            ErrorKind.InvalidArgument, node);

    /// <summary>Two callers created a network of one name at once; this caller's network was removed.</summary>
    public static RedisDockerException NetworkCreatedConcurrently(string name, Exception? inner = null) =>
        new(ErrorIds.NetworkNameTaken,
            $"A Docker network named '{name}' was created by another caller at the same time; ours was removed. "
            + $"Choose another -Name, or use it with Get-RedisNetwork {name}.",
            ErrorKind.ResourceExists, name, inner);

    /// <summary>A Redis command the module sent got an error reply.</summary>
    public static RedisDockerException RedisCommandFailed(string node, string command, string? reply) =>
        new(ErrorIds.RedisError, $"{node}: {command} failed: {reply}", ErrorKind.InvalidOperation, node);

    /// <summary>A cluster command whose keys hash to different slots.</summary>
    public static RedisDockerException CrossSlot(object? command) =>
        new(ErrorIds.RedisError,
            "The command's keys hash to different slots (CROSSSLOT). Put them in one slot with a hash tag, e.g. "
            + "{user1}:a and {user1}:b.",
            ErrorKind.InvalidArgument, command);

    /// <summary>No free /24 left for a network whose subnet the module picks.</summary>
    public static RedisDockerException NoFreeSubnet() =>
        new(ErrorIds.InvalidSubnet, "No free /24 left in 172.28.0.0/14: give -Subnet.", ErrorKind.LimitsExceeded);

    /// <summary>A network whose subnet has no free address left for a new node.</summary>
    public static RedisDockerException NoFreeAddress(string? network) =>
        new(ErrorIds.IPAddressInvalid,
            $"Network '{network}' has no free address left (or no subnet of its own). Use a network made by "
            + "New-RedisNetwork with a larger -Subnet.",
            ErrorKind.LimitsExceeded, network);

    /// <summary>One address given to several nodes of one call.</summary>
    public static RedisDockerException IPAddressGivenTwice(string ip) =>
        new(ErrorIds.IPAddressTaken, $"{ip} is given to more than one node.", ErrorKind.InvalidArgument, ip);

    /// <summary>One name given to several nodes of one call.</summary>
    public static RedisDockerException NameGivenTwice(string name) =>
        new(ErrorIds.NodeNameTaken, $"The name '{name}' is given twice.", ErrorKind.InvalidArgument, name);

    /// <summary>Host ports of one call that collide with each other (nothing is running on them yet).</summary>
    public static RedisDockerException HostPortConflict(string message, object? port) =>
        new(ErrorIds.HostPortTaken, message, ErrorKind.InvalidArgument, port);

    /// <summary>A Docker network the module did not make, given where it needs one of its own.</summary>
    public static RedisDockerException NotARedisDockerNetwork(string message, string? network) =>
        new(ErrorIds.NetworkNotFound, message, ErrorKind.InvalidArgument, network);

    /// <summary>A node whose container exited while it was starting.</summary>
    public static RedisDockerException NodeExitedWhileStarting(string node, long exitCode, string logs) =>
        new(ErrorIds.NodeNotReady,
            $"Node '{node}' exited with code {exitCode} while starting. Its last log lines:\n{logs}",
            ErrorKind.InvalidOperation, node);

    /// <summary>A sentinel group none of whose sentinels answers.</summary>
    public static RedisDockerException NoSentinelAnswers(string masterName) =>
        new(ErrorIds.SentinelNotFound, $"No sentinel of '{masterName}' answers.", ErrorKind.ResourceUnavailable,
            masterName);

    /// <summary>A Sentinel failover asked for a topology no sentinel group watches.</summary>
    public static RedisDockerException NoSentinelGroupWatches(string node, string topology) =>
        new(ErrorIds.SentinelNotFound,
            $"No sentinel group watches topology '{topology}'. Promote '{node}' by hand with Set-RedisReplica -None "
            + "(or -Force here), or add sentinels with New-RedisSentinel.",
            ErrorKind.ObjectNotFound, node);

    /// <summary>A topology spec that is not JSON.</summary>
    public static RedisDockerException SpecNotJson(Exception e) =>
        new(ErrorIds.InvalidConfig, $"The topology spec is not valid JSON: {e.Message}", ErrorKind.InvalidData, null,
            e);

    /// <summary>JSON that is not a topology spec.</summary>
    public static RedisDockerException NotATopologySpec() =>
        new(ErrorIds.InvalidConfig,
            $"Not a RedisDocker topology spec (expected format '{Topology.TopologySpec.CurrentFormat}').",
            ErrorKind.InvalidData);

    /// <summary>Work cancelled by something other than Ctrl+C: a time bound inside it ran out.</summary>
    public static RedisDockerException TimedOut(string operation, OperationCanceledException e) =>
        new(ErrorIds.Timeout,
            $"{operation} gave up waiting before it finished ({e.Message}). Check that the Docker engine and the nodes "
            + "answer (Get-RedisTopology), then try again.",
            ErrorKind.OperationTimeout, null, e);

    /// <summary>A wait (<see cref="Waiter"/>) that ran out of time; the id says what was waited for.</summary>
    public static RedisDockerException WaitTimedOut(string errorId, string message, object? activity) =>
        new(errorId, message, ErrorKind.OperationTimeout, activity);

    /// <summary>Input refused before anything is made (<see cref="Topology.InputValidation"/>); the id says what is
    /// wrong, the kind is always InvalidArgument.</summary>
    public static RedisDockerException InvalidInput(string errorId, string message, object? target) =>
        new(errorId, message, ErrorKind.InvalidArgument, target);

    // ---- Translations of lower layers' exceptions (ErrorTranslator) -----------------------------------------------

    /// <summary>A Docker engine error; its HTTP status gives the kind.</summary>
    public static RedisDockerException Docker(DockerException d, object? target) =>
        new(ErrorIds.DockerError, d.Message, d is DockerApiException a ? (int)a.StatusCode switch
        {
            404 => ErrorKind.ObjectNotFound,
            409 => ErrorKind.ResourceExists,
            _ => ErrorKind.InvalidOperation,
        } : ErrorKind.InvalidOperation, target, d);

    /// <summary>Redis refused the credentials.</summary>
    public static RedisDockerException WrongCredentials(RedisServerException r, object? target) =>
        new(ErrorIds.WrongPassword,
            $"Redis refused the credentials ({r.Prefix}). The topology's password is read from its nodes' "
            + "configuration; pass -Password only when creating a topology.",
            ErrorKind.AuthenticationError, target, r);

    /// <summary>A reply Redis should not have sent (a protocol error).</summary>
    public static RedisDockerException RedisProtocol(RedisException r, object? target) =>
        new(ErrorIds.RedisError, r.Message, ErrorKind.InvalidData, target, r);

    // ---- One factory per id: the kind is the id's; the message is the caller's ------------------------------------

    public static RedisDockerException ClusterModeNotAllowed(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.ClusterModeNotAllowed, message, ErrorKind.InvalidOperation, target, inner);

    public static RedisDockerException ClusterModeRequired(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.ClusterModeRequired, message, ErrorKind.InvalidArgument, target, inner);

    public static RedisDockerException ClusterNodeNotEmpty(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.ClusterNodeNotEmpty, message, ErrorKind.ResourceExists, target, inner);

    public static RedisDockerException ClusterNotFound(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.ClusterNotFound, message, ErrorKind.ObjectNotFound, target, inner);

    public static RedisDockerException ClusterTooSmall(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.ClusterTooSmall, message, ErrorKind.InvalidArgument, target, inner);

    public static RedisDockerException DockerError(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.DockerError, message, ErrorKind.InvalidOperation, target, inner);

    public static RedisDockerException DockerUnreachable(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.DockerUnreachable, message, ErrorKind.ConnectionError, target, inner);

    public static RedisDockerException FailoverFailed(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.FailoverFailed, message, ErrorKind.InvalidOperation, target, inner);

    public static RedisDockerException HostEndpointUnsupported(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.HostEndpointUnsupported, message, ErrorKind.InvalidOperation, target, inner);

    public static RedisDockerException HostPortTaken(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.HostPortTaken, message, ErrorKind.ResourceExists, target, inner);

    public static RedisDockerException IPAddressInvalid(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.IPAddressInvalid, message, ErrorKind.InvalidArgument, target, inner);

    public static RedisDockerException IPAddressTaken(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.IPAddressTaken, message, ErrorKind.ResourceExists, target, inner);

    public static RedisDockerException ImageUnavailable(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.ImageUnavailable, message, ErrorKind.ObjectNotFound, target, inner);

    public static RedisDockerException NotASwarmManager(string dockerHost, Exception? inner = null) =>
        new(ErrorIds.NotASwarmManager,
            $"Docker host {dockerHost} is not a Docker Swarm manager: an overlay network is made on a manager. Give "
            + "-DockerHost of a manager (docker node ls there lists the swarm), or join the engines into a swarm "
            + "first (docker swarm init, docker swarm join).",
            ErrorKind.InvalidOperation, dockerHost, inner);

    public static RedisDockerException NoUsableSwarmNode(string message, string network) =>
        new(ErrorIds.NoUsableSwarmNode, message, ErrorKind.ResourceUnavailable, network);

    public static RedisDockerException InvalidArgument(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.InvalidArgument, message, ErrorKind.InvalidArgument, target, inner);

    public static RedisDockerException InvalidConfig(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.InvalidConfig, message, ErrorKind.InvalidArgument, target, inner);

    public static RedisDockerException InvalidName(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.InvalidName, message, ErrorKind.InvalidArgument, target, inner);

    public static RedisDockerException InvalidSubnet(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.InvalidSubnet, message, ErrorKind.InvalidArgument, target, inner);

    public static RedisDockerException NetworkInUse(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.NetworkInUse, message, ErrorKind.InvalidOperation, target, inner);

    public static RedisDockerException NetworkNameTaken(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.NetworkNameTaken, message, ErrorKind.ResourceExists, target, inner);

    public static RedisDockerException NetworkNotFound(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.NetworkNotFound, message, ErrorKind.ObjectNotFound, target, inner);

    public static RedisDockerException NodeNameTaken(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.NodeNameTaken, message, ErrorKind.ResourceExists, target, inner);

    public static RedisDockerException NodeNotFound(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.NodeNotFound, message, ErrorKind.ObjectNotFound, target, inner);

    public static RedisDockerException NodeNotReachable(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.NodeNotReachable, message, ErrorKind.ConnectionError, target, inner);

    public static RedisDockerException NodeNotReady(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.NodeNotReady, message, ErrorKind.OperationTimeout, target, inner);

    public static RedisDockerException PrimaryOwnsSlots(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.PrimaryOwnsSlots, message, ErrorKind.InvalidOperation, target, inner);

    public static RedisDockerException RedisError(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.RedisError, message, ErrorKind.InvalidOperation, target, inner);

    public static RedisDockerException SentinelNotFound(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.SentinelNotFound, message, ErrorKind.ObjectNotFound, target, inner);

    public static RedisDockerException SentinelQuorumInvalid(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.SentinelQuorumInvalid, message, ErrorKind.InvalidArgument, target, inner);

    public static RedisDockerException SubnetOverlap(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.SubnetOverlap, message, ErrorKind.ResourceExists, target, inner);

    public static RedisDockerException Timeout(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.Timeout, message, ErrorKind.OperationTimeout, target, inner);

    public static RedisDockerException TopologyExists(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.TopologyExists, message, ErrorKind.ResourceExists, target, inner);

    public static RedisDockerException TopologyMismatch(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.TopologyMismatch, message, ErrorKind.InvalidArgument, target, inner);

    public static RedisDockerException TopologyNotFound(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.TopologyNotFound, message, ErrorKind.ObjectNotFound, target, inner);

    public static RedisDockerException UnexpectedError(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.UnexpectedError, message, ErrorKind.NotSpecified, target, inner);

    public static RedisDockerException WrongPassword(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.WrongPassword, message, ErrorKind.AuthenticationError, target, inner);

    public static RedisDockerException BackupCorrupted(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.BackupCorrupted, message, ErrorKind.InvalidData, target, inner);

    public static RedisDockerException RestoreTargetNotEmpty(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.RestoreTargetNotEmpty, message, ErrorKind.ResourceExists, target, inner);
    public static RedisDockerException TlsMaterialMissing(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.TlsMaterialMissing, message, ErrorKind.ObjectNotFound, target, inner);

    public static RedisDockerException UserNotFound(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.UserNotFound, message, ErrorKind.ObjectNotFound, target, inner);

    public static RedisDockerException UserExists(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.UserExists, message, ErrorKind.ResourceExists, target, inner);

    public static RedisDockerException DefaultUserReserved(
        string message, object? target = null, Exception? inner = null) =>
        new(ErrorIds.DefaultUserReserved, message, ErrorKind.InvalidOperation, target, inner);
}
